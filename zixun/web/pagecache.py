"""Whole-page caching, for anonymous and signed-in readers.

A cached page is keyed by its path, the reader's language and presentation
modes, and the site version (``zixun.core.sitecache``) that every import,
publish, edit and takedown bumps. So a page render after a publish rebuilds,
and an anonymous cache hit costs at most one cache read (the site version is
remembered for a second) and no query; a page this process served in the last
ZIXUN_PAGE_MEMO_SECONDS costs none (``page_memo``, docs/adr/0019-page-memo.md).
Anonymous pages carry nothing per-reader (no CSRF token, no user name); a
response that sets a cookie is never stored. See docs/adr/0008-page-cache.md.

Views that opt in (``cached_page(readers=True)``) serve signed-in readers from
a second cached variant, rendered once for "a signed-in reader" and filled
in per request (``readerpage.py``, docs/adr/0012-signed-in-page-cache.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, overload

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from zixun.accounts.models import User
from zixun.core.sitecache import page_memo, site_version_get
from zixun.web.modes import Modes, modes_key
from zixun.web.script import response_to_hant

View = Callable[..., HttpResponse]


# Query parameters that do not change a page: the share source (?src=weibo) only tells
# where a reader came from, so all sources share one cached page.
IGNORED_PARAMS = {"src"}


def page_path(request: HttpRequest) -> str:
    """The page's path and query without the ignored parameters: what the cache keys on, and
    what links back to the page (language, modes) carry, so no reader's ?src= reaches others."""
    if not request.META.get("QUERY_STRING"):
        return request.path  # the common case, without copying the query dict
    query = request.GET.copy()
    for name in IGNORED_PARAMS:
        query.pop(name, None)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def _host(request: HttpRequest) -> str:
    """Part of the key only when ZIXUN_SITE_URL is not set: absolute links in the page (the
    canonical and share URLs, the QR code) then come from the request's Host header, so a page
    made for one host must not be served to another."""
    return "" if settings.ZIXUN_SITE_URL else request.get_host()


def _key(path: str, language: str, modes: str, host: str = "") -> str:
    digest = hashlib.sha1(f"{host}{path}".encode(), usedforsecurity=False).hexdigest()
    return f"page:{site_version_get()}:{language}:{modes}:{digest}"


READER = "r"  # the variant rendered for "a signed-in reader"


def page_cache_key(request: HttpRequest, *, reader: bool = False) -> str:
    return _key(
        page_path(request),
        translation.get_language(),
        modes_key(request) + (READER if reader else ""),
        _host(request),
    )


# Without ZIXUN_SITE_URL pages are cached per Host header (development, tests): the last
# few hosts are remembered, so that a page can be forgotten on each of them when no request
# says which (a receiver of a change made through the API or by a command).
_HOSTS_KEY = "page:hosts"
HOSTS_REMEMBERED = 8


def _host_remember(host: str) -> None:
    if not host:
        return
    hosts = cache.get(_HOSTS_KEY) or ()
    if host not in hosts:
        cache.set(_HOSTS_KEY, (host, *hosts)[:HOSTS_REMEMBERED], None)


def _hosts(request: HttpRequest | None) -> list[str]:
    if settings.ZIXUN_SITE_URL:
        return [""]
    if request is not None:
        return [_host(request)]
    return list(cache.get(_HOSTS_KEY) or ())


def page_cache_forget(request: HttpRequest | None, *paths: str) -> None:
    """Drop every cached variant (language × modes × reader) of some pages, e.g. an article's
    after a new comment. ``request`` only says the host when ZIXUN_SITE_URL is not set;
    without one, the variants of every remembered host go (another host's expire after
    ZIXUN_PAGE_CACHE_SECONDS)."""
    modes = Modes.all_keys()
    variants = [*modes, *(m + READER for m in modes)]
    keys = [
        _key(path, code, variant, host)
        for host in _hosts(request)
        for path in paths
        for code, _name in settings.LANGUAGES
        for variant in variants
    ]
    cache.delete_many(keys)
    page_memo.forget(keys)  # this process's copies; another's last ZIXUN_PAGE_MEMO_SECONDS at most


@overload
def cached_page(view: View) -> View: ...


@overload
def cached_page(*, readers: bool = ...) -> Callable[[View], View]: ...


def cached_page(view: View | None = None, *, readers: bool = False) -> Any:
    """Serve a GET view from the page cache: anonymous readers always, signed-in readers
    too when ``readers`` is set (the view then renders with ``readerpage.template_context``
    when ``readerpage.is_template_request`` and leaves ``request.zixun_page_meta``)."""
    if view is None:
        return lambda inner: _cached_page(inner, readers=readers)
    return _cached_page(view, readers=readers)


def _cached_page(view: View, *, readers: bool) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The page depends on cookies (language, reading modes, the session), whether it comes
        # from this cache or not: say so to every cache on the way (a proxy, a CDN).
        response = _served(request, *args, **kwargs)
        patch_vary_headers(response, ("Cookie",))
        return response

    def _served(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.ZIXUN_PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method != "GET":
            return view(request, *args, **kwargs)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            if not readers:
                return view(request, *args, **kwargs)
            return _reader_page(view, request, seconds, *args, **kwargs)
        key = page_cache_key(request)
        hit = page_memo.get(key)
        if hit is None:
            hit = cache.get(key)
            if hit is not None:
                page_memo.set(key, hit, len(hit[0]))
        if hit is not None:
            content, content_type = hit[:2]
            response = HttpResponse(content, content_type=content_type)
            response.zixun_script_done = True  # type: ignore[attr-defined]  # when stored
            return response
        response = response_to_hant(request, view(request, *args, **kwargs))
        if response.status_code == 200 and not response.cookies and not response.streaming:
            stored = (response.content, response["Content-Type"])
            cache.set(key, stored, seconds)
            page_memo.set(key, stored, len(stored[0]))
            _host_remember(_host(request))
        return response

    return wrapper


def _reader_page(
    view: View, request: HttpRequest, seconds: int, *args: Any, **kwargs: Any
) -> HttpResponse:
    """A signed-in reader's page from the reader variant; a full render when the page has
    something for this reader alone (a message after a form post)."""
    from zixun.web import readerpage

    user = request.user
    if not isinstance(user, User) or not user.is_authenticated or _has_messages(request):
        return view(request, *args, **kwargs)
    key = page_cache_key(request, reader=True)
    hit = cache.get(key)
    if hit is None:
        request.zixun_reader_template = True  # type: ignore[attr-defined]
        try:
            response = response_to_hant(request, view(request, *args, **kwargs))
        finally:
            request.zixun_reader_template = False  # type: ignore[attr-defined]
        if response.status_code != 200 or response.streaming:
            return response
        meta = getattr(request, "zixun_page_meta", {})
        hit = (readerpage.page_split(response.content.decode()), response["Content-Type"], meta)
        if not response.cookies:
            cache.set(key, hit, seconds)
            _host_remember(_host(request))
    parts, content_type, meta = hit
    response = HttpResponse(
        readerpage.page_fill(parts, request=request, user=user, meta=meta),
        content_type=content_type,
    )
    response.zixun_script_done = True  # type: ignore[attr-defined]  # page and fill-ins
    return response


def _has_messages(request: HttpRequest) -> bool:
    """A message waits (cookie or session storage): the page must show it to this reader."""
    return "messages" in request.COOKIES or "_messages" in getattr(request, "session", {})
