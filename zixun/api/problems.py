"""The one error body of the API: RFC 9457 ``application/problem+json``.

Every refusal under /api/v1/ answers with the same shape::

    {"type": "about:blank#<code>", "title": "<localized>", "status": 404,
     "code": "<stable code>", "detail": "<localized, optional>", "errors": [...optional]}

``code`` is stable across releases and languages (clients branch on it); ``title`` and
``detail`` are gettext strings in the caller's language (``Accept-Language``, see
main.api_language). ``errors`` lists the fields of a 422, each with its path.

An endpoint refuses by raising ``Problem(status, code, title, detail)``, or
``problem(status, code, detail)`` for the usual title of a code (``TITLES``). A
service's ``ServiceError`` becomes a 400 ``request_refused`` with the service's
message as its detail, unless its class was given a status and code with
``service_error_register`` (a conflict is a 409). ``problem_handlers_install``
hooks every exception ninja can meet (validation, Http404, PermissionDenied,
authentication, throttling, body too large, anything unexpected) into this body.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from zixun.core.errors import ServiceError, message_format
from zixun.core.pagination import InvalidCursorError
from zixun.core.ratelimit import RATE_LIMITED

logger = logging.getLogger("zixun.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"

# The title of each stable code, in the caller's language.
TITLES: dict[str, str | Promise] = {
    "bad_request": _("请求无效"),
    "invalid_json": _("请求体不是有效的 JSON"),
    "invalid_cursor": _("分页参数无效"),
    "invalid_search": _("搜索参数无效"),
    "request_refused": _("请求未能完成"),
    "validation_failed": _("请求参数不符合要求"),
    "unauthorized": _("需要有效的身份凭据"),
    "forbidden": _("没有权限执行这个操作"),
    "not_found": _("找不到请求的资源"),
    "method_not_allowed": _("不支持这个请求方法"),
    "conflict": _("请求与当前状态冲突"),
    "gone": _("内容已不再提供"),
    "article_taken_down": _("文章已下架"),
    "payload_too_large": _("请求体太大"),
    "unsupported_media_type": _("不支持的内容类型"),
    "rate_limited": _("请求太频繁"),
    "internal_error": _("服务器内部错误"),
}
# The code of a status when nothing more precise is known (a ninja HttpError).
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
}

NOT_FOUND_DETAIL = _("地址不存在，或内容已下线")
TOO_LARGE_DETAIL = _("请求体超过了 %(limit)s 字节的上限")
MEDIA_TYPE_DETAIL = _("请求体须为 application/json")
JSON_DETAIL = _("请求体无法按 JSON 解析")
NUL_DETAIL = _("请求里有无法保存的字符（NUL）")
INTERNAL_DETAIL = _("出现了意外错误，已记录下来，请稍后再试")
AUTH_DETAIL = _("请在 Authorization 头中提供有效的令牌：Bearer <令牌>")

# WWW-Authenticate of every 401 (RFC 6750).
WWW_AUTHENTICATE = 'Bearer realm="zixun"'


class Problem(Exception):  # noqa: N818 (named for the body it becomes)
    """Raised inside an endpoint (or a helper it calls) to answer with a problem body."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str | Promise,
        detail: str | Promise | None = None,
        *,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.errors = errors


def problem(
    status: int,
    code: str,
    detail: str | Promise | None = None,
    *,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> Problem:
    """A Problem with the usual title of ``code`` (TITLES); raise it."""
    title = TITLES.get(code) or TITLES[STATUS_CODES.get(status, "bad_request")]
    return Problem(status, code, title, detail, headers=headers, errors=errors)


def problem_response(problem: Problem) -> HttpResponse:
    """The problem+json response of ``problem``, in the active language."""
    body: dict[str, Any] = {
        "type": f"about:blank#{problem.code}",
        "title": str(problem.title),
        "status": problem.status,
        "code": problem.code,
    }
    if problem.detail is not None:
        body["detail"] = str(problem.detail)
    if problem.errors is not None:
        body["errors"] = problem.errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=problem.status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in problem.headers.items():
        response[name] = value
    patch_vary_headers(response, ["Accept-Language"])
    return response


# ServiceError subclasses with their own status and code (service_error_register).
_SERVICE_ERRORS: dict[type[ServiceError], tuple[int, str]] = {}


def service_error_register(error_class: type[ServiceError], *, status: int, code: str) -> None:
    """Answer ``error_class`` (and its subclasses) with ``status`` and ``code``, e.g. a 409."""
    if code not in TITLES:
        TITLES[code] = TITLES[STATUS_CODES.get(status, "bad_request")]
    _SERVICE_ERRORS[error_class] = (status, code)


service_error_register(InvalidCursorError, status=400, code="invalid_cursor")


def service_error_problem(error: ServiceError) -> Problem:
    """The problem of a service's refusal: its message is the detail."""
    for cls in type(error).__mro__:
        if cls in _SERVICE_ERRORS:
            status, code = _SERVICE_ERRORS[cls]
            return problem(status, code, str(error))
    return problem(400, "request_refused", str(error))


# pydantic's error types, each with its message in the caller's language; the placeholders are
# the error's context (``ctx``). A type not listed keeps pydantic's own message (English).
VALIDATION_MESSAGES: dict[str, str | Promise] = {
    "missing": _("必须提供"),
    "extra_forbidden": _("不认识这个字段"),
    "string_type": _("应为文字"),
    "string_too_short": _("至少 %(min_length)s 个字符"),
    "string_too_long": _("最多 %(max_length)s 个字符"),
    "int_type": _("应为整数"),
    "int_parsing": _("应为整数"),
    "int_from_float": _("应为整数"),
    "bool_type": _("应为 true 或 false"),
    "bool_parsing": _("应为 true 或 false"),
    "greater_than": _("应大于 %(gt)s"),
    "greater_than_equal": _("应不小于 %(ge)s"),
    "less_than": _("应小于 %(lt)s"),
    "less_than_equal": _("应不大于 %(le)s"),
    "literal_error": _("应为以下之一：%(expected)s"),
    "enum": _("应为以下之一：%(expected)s"),
    "datetime_type": _("应为日期时间，如 2026-12-03T08:00:00+08:00"),
    "datetime_parsing": _("应为日期时间，如 2026-12-03T08:00:00+08:00"),
    "datetime_from_date_parsing": _("应为日期时间，如 2026-12-03T08:00:00+08:00"),
    "list_type": _("应为列表"),
    "too_long": _("最多 %(max_length)s 项"),
    "too_short": _("至少 %(min_length)s 项"),
    "dict_type": _("应为 JSON 对象"),
    "model_attributes_type": _("应为 JSON 对象"),
    "json_invalid": _("不是有效的 JSON"),
}


def _validation_message(error: dict[str, Any]) -> str:
    message = VALIDATION_MESSAGES.get(str(error.get("type", "")))
    if message is None:
        return str(error.get("msg", ""))
    context = dict(error.get("ctx") or {})
    if "expected" in context:  # pydantic's "'a', 'b' or 'c'": the choices, without its English
        context["expected"] = " / ".join(re.split(r", | or ", str(context["expected"])))
    try:
        return str(message) % context
    except (KeyError, TypeError, ValueError):  # a context without the placeholder's value
        return str(error.get("msg", ""))


def validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ninja's validation errors as ``{"field": "query.limit", "message", "type"}``, the message
    in the caller's language where its type is known (``VALIDATION_MESSAGES``)."""
    listed = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        listed.append(
            {
                "field": ".".join(location),
                "location": location,
                "message": _validation_message(error),
                "type": str(error.get("type", "")),
            }
        )
    return listed


def _handler(
    build: Callable[[HttpRequest, Any], Problem],
) -> Callable[[HttpRequest, Any], HttpResponse]:
    def handle(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(build(request, exc))

    return handle


def _validation(request: HttpRequest, exc: NinjaValidationError) -> Problem:
    return problem(422, "validation_failed", errors=validation_errors(exc.errors))


def _http_error(request: HttpRequest, exc: HttpError) -> Problem:
    if isinstance(exc.__cause__, Problem):  # ninja wraps what the body parser raised in a 400
        return exc.__cause__
    if isinstance(exc, Throttled):
        return rate_limited_problem(max(1, math.ceil(exc.wait or 1)))
    if isinstance(exc, AuthenticationError):
        return unauthorized_problem()
    if isinstance(exc, AuthorizationError):
        return problem(403, "forbidden")
    return problem(exc.status_code, STATUS_CODES.get(exc.status_code, "bad_request"))


def _too_big(request: HttpRequest, exc: SuspiciousOperation) -> Problem:
    from django.conf import settings

    return problem(
        413,
        "payload_too_large",
        TOO_LARGE_DETAIL % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        if isinstance(exc, RequestDataTooBig)
        else None,
    )


def unexpected_problem(request: HttpRequest, exc: Exception) -> Problem:
    """The 500 problem of an unexpected exception, logged with its traceback (never sent)."""
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem(500, "internal_error", INTERNAL_DETAIL)


def unauthorized_problem(detail: str | Promise | None = None) -> Problem:
    """401 with WWW-Authenticate: what an authentication callable answers a bad token with."""
    return problem(
        401,
        "unauthorized",
        detail if detail is not None else AUTH_DETAIL,
        headers={"WWW-Authenticate": WWW_AUTHENTICATE},
    )


def rate_limited_problem(seconds: int) -> Problem:
    """429 with Retry-After (see limits.py)."""
    return problem(
        429,
        "rate_limited",
        message_format(RATE_LIMITED, seconds=seconds),
        headers={"Retry-After": str(seconds)},
    )


def problem_handlers_install(api: NinjaAPI) -> None:
    """Answer every exception an operation can raise with a problem body."""
    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], Problem]]] = [
        (Problem, lambda request, exc: exc),
        (NinjaValidationError, _validation),
        (HttpError, _http_error),
        (ServiceError, lambda request, exc: service_error_problem(exc)),
        (Http404, lambda request, exc: problem(404, "not_found", NOT_FOUND_DETAIL)),
        (ObjectDoesNotExist, lambda request, exc: problem(404, "not_found", NOT_FOUND_DETAIL)),
        (PermissionDenied, lambda request, exc: problem(403, "forbidden", str(exc) or None)),
        (RequestDataTooBig, _too_big),
        (TooManyFieldsSent, _too_big),
        (TooManyFilesSent, _too_big),
        (SuspiciousOperation, lambda request, exc: problem(400, "bad_request")),
        (Exception, unexpected_problem),
    ]
    for exc_class, build in handlers:
        api.add_exception_handler(exc_class, _handler(build))


def invalid_param(field: str, message: str | Promise) -> Problem:
    """A 422 ``validation_failed`` for one query parameter the endpoint itself refused
    (an unknown channel, a date out of range), in the same shape as ninja's."""
    location = ["query", field]
    error = {
        "field": ".".join(location),
        "location": location,
        "message": str(message),
        "type": "value_error",
    }
    return problem(422, "validation_failed", errors=[error])
