"""Whole-page caching for anonymous reads.

A cached page is keyed by its path, the reader's language and presentation
modes, and the site version that ``blocks_invalidate`` bumps on every import
or publish. So a page render after a publish rebuilds, and a cache hit costs
two cache reads and no query. Pages carry nothing per-reader (no CSRF token,
no user name); a response that sets a cookie is never stored.
See docs/adr/0008-page-cache.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from zixun.core.sitecache import site_version_get
from zixun.web.modes import MODE_COOKIES

View = Callable[..., HttpResponse]


# Query parameters that do not change a page: the share source (?src=weibo) only tells
# where a reader came from, so all sources share one cached page.
IGNORED_PARAMS = {"src"}


def _cache_path(request: HttpRequest) -> str:
    if not request.META.get("QUERY_STRING"):
        return request.path  # the common case, without copying the query dict
    query = request.GET.copy()
    for name in IGNORED_PARAMS:
        query.pop(name, None)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def _key(path: str, language: str, modes: str) -> str:
    digest = hashlib.sha1(path.encode(), usedforsecurity=False).hexdigest()
    return f"page:{site_version_get()}:{language}:{modes}:{digest}"


def page_cache_key(request: HttpRequest) -> str:
    modes = "".join("1" if request.COOKIES.get(c) == "1" else "0" for c in MODE_COOKIES.values())
    return _key(_cache_path(request), translation.get_language(), modes)


def page_cache_forget(path: str) -> None:
    """Drop every cached variant (language × modes) of one page, e.g. after a new comment."""
    from itertools import product

    from django.conf import settings as conf

    variants = ["".join(bits) for bits in product("01", repeat=len(MODE_COOKIES))]
    cache.delete_many(
        [_key(path, code, modes) for code, _name in conf.LANGUAGES for modes in variants]
    )


def cached_page(view: View) -> View:
    """Serve a GET view from the page cache when the reader is anonymous."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.ZIXUN_PAGE_CACHE_SECONDS
        if (
            seconds <= 0
            or request.method != "GET"
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return view(request, *args, **kwargs)
        key = page_cache_key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            cache.set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return wrapper
