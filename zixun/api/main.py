"""The NinjaAPI instance of /api/v1/ and its routers (docs/api.md).

``ZixunAPI`` is ninja's API with the site's conventions around every URL it
serves (``api_view``):

- the language of problem titles from the language cookie, else Accept-Language,
  else Chinese (``api_language``);
- the rate limit of the client (limits.py), before the request is parsed;
- an ETag on every successful GET and a 304 for a matching If-None-Match, a
  public revalidation without running the endpoint (caching.py);
- HEAD answered as GET without the body, a wrong method as a 405 problem;
- every path under /api/v1/ that names no operation a 404 problem;
- JSON bodies only as ``application/json`` (415), parse errors a 400, every
  exception a problem body (problems.py).

Routers are added at the end of this module with ``api.add_router``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.types import DictStrAny

from zixun.api import caching, limits
from zixun.api.problems import (
    JSON_DETAIL,
    MEDIA_TYPE_DETAIL,
    NOT_FOUND_DETAIL,
    NUL_DETAIL,
    PROBLEM_CONTENT_TYPE,
    Problem,
    problem,
    problem_handlers_install,
    problem_response,
    unexpected_problem,
)
from zixun.api.public import router as public_router
from zixun.api.public_comments import router as comments_router
from zixun.api.public_search import router as search_router
from zixun.api.public_shares import router as shares_router
from zixun.api.schemas import ProblemOut
from zixun.api.writes import router as writes_router
from zixun.api.writes_readers import router as readers_router

View = Callable[..., HttpResponseBase]

DESCRIPTION = """The Zixun (资讯) REST API: public reads of published articles, channels, accounts,
the hot list, search and comments; token-authenticated writes for creators and readers.

Every error is an `application/problem+json` body with a stable `code` and a `title` in the
language of `Accept-Language` (`zh-Hans` by default, or `en`). Lists are cursor-paginated
(`?cursor=…&limit=…` → `{"items": [...], "next_cursor": …}`). Reads carry an ETag; send it back
in `If-None-Match` for a 304. See docs/api.md."""


def api_language(request: HttpRequest) -> str:
    """The language of the answer: the site's language cookie (a reader's explicit choice), else
    the first supported language of Accept-Language, else LANGUAGE_CODE (Chinese)."""
    supported = dict(settings.LANGUAGES)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in supported:
        return chosen
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def api_view(view: View) -> View:
    """Wrap one URL of the API in the conventions listed in the module docstring."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        language = api_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            try:
                response = _answer(view, request, *args, **kwargs)
            except Exception as error:  # outside an operation: the cache down, a docs page
                response = problem_response(unexpected_problem(request, error))
            response.headers["Content-Language"] = language
        return response

    return wrapper


def _answer(view: View, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    head = request.method == "HEAD"
    if head:
        request.method = "GET"
    try:
        limits.api_rate_limit_request(request)
    except Problem as refusal:
        return problem_response(refusal)
    memo_key = caching.etag_memo_key(request)
    early = caching.not_modified_early(request, memo_key)
    if early is not None:
        return early
    response = view(request, *args, **kwargs)
    if response.status_code == 405 and response.get("Content-Type") != PROBLEM_CONTENT_TYPE:
        allow = response.get("Allow", "")
        response = problem_response(problem(405, "method_not_allowed", headers={"Allow": allow}))
    response = caching.conditional_response(request, response, memo_key)
    if head and isinstance(response, HttpResponse):
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under /api/v1/ that names no operation."""
    return problem_response(problem(404, "not_found", NOT_FOUND_DETAIL))


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JsonParser(Parser):
    """ninja's JSON parser, refusing other media types (415) and broken JSON (400)."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        content_type = request.content_type or ""
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise problem(415, "unsupported_media_type", MEDIA_TYPE_DETAIL)
        try:
            data = json.loads(request.body)
        except ValueError as error:  # JSONDecodeError, UnicodeDecodeError
            raise problem(400, "invalid_json", JSON_DETAIL) from error
        if b"\\u0000" in request.body and _has_nul(data):  # PostgreSQL cannot store one
            raise problem(400, "invalid_character", NUL_DETAIL)
        return data  # type: ignore[no-any-return]


class Utf8JsonRenderer(JSONRenderer):
    """JSON with Chinese as UTF-8, not ``\\uXXXX`` escapes (a third of the bytes)."""

    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False}


class ZixunAPI(NinjaAPI):
    """NinjaAPI with problem bodies, rate limits, ETags and a 404 for unknown paths."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("parser", JsonParser())
        kwargs.setdefault("renderer", Utf8JsonRenderer())
        super().__init__(**kwargs)
        problem_handlers_install(self)

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern):
                if pattern.name == "api-root":  # ninja's root raises an HTML 404
                    pattern = path("", not_found, name="api-root")
                pattern.callback = api_view(pattern.callback)
            urls.append(pattern)
        urls.append(re_path(r"^.*$", api_view(not_found), name="not-found"))
        return urls

    def get_openapi_operation_id(self, operation: Operation) -> str:
        """The endpoint's module and function name without ``_api``: ``public_article_list``."""
        module = operation.view_func.__module__.rsplit(".", 1)[-1]
        return f"{module}_{operation.view_func.__name__.removesuffix('_api')}"

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None
    ) -> OpenAPISchema:
        """ninja's schema, with the problem body documented as every operation's 4XX answer."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        problem_schema = ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(problem_schema.pop("$defs", {}))
        components["Problem"] = problem_schema
        reference = {
            "description": "A problem (docs/api.md#errors).",
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                # ninja keys statuses by int; JSON (and a sorted dump) wants strings.
                responses = {str(status): body for status, body in operation["responses"].items()}
                responses.setdefault("4XX", reference)
                operation["responses"] = responses
        return schema


def api_create(**kwargs: Any) -> ZixunAPI:
    """A ZixunAPI with the site's title and docs (tests build their own with extra routes)."""
    options: dict[str, Any] = {
        "title": "Zixun API",
        "version": "1",
        "description": DESCRIPTION,
        "urls_namespace": "api",
        "openapi_url": "/openapi.json",
        "docs_url": "/docs",
    }
    options.update(kwargs)
    return ZixunAPI(**options)


api = api_create()

# Routers: public reads (zixun/api/public.py and its siblings), writes (zixun/api/writes.py).
api.add_router("", public_router)
api.add_router("", search_router)
api.add_router("", comments_router)
api.add_router("", shares_router)
api.add_router("/me", writes_router)
api.add_router("/me", readers_router)
