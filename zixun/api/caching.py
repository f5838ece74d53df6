"""ETag, If-None-Match and Cache-Control of the API's reads.

Every successful GET gets a weak ETag over its body (``W/"<digest>"``); a request
whose If-None-Match names it gets a 304 with no body. The body is the same in
every language (problems aside), so the ETag does not depend on one.

A public read (no Authorization header, no session cookie) also remembers its
ETag under the site version (zixun/core/sitecache.py) and the full path, for
ZIXUN_PAGE_CACHE_SECONDS. A revalidation that matches the remembered ETag is
answered with 304 before the endpoint runs: no query at all. Publishing, editing
or taking down anything starts a new site version, so a 304 never outlives a
change to what is published; counters (views, likes, comments) may be that many
seconds older, as on the cached pages.

Public reads may be kept by browsers and shared caches for ``PUBLIC_MAX_AGE``
seconds; an answer to a request with credentials is ``private, no-cache``.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.http import parse_etags

from zixun.api.limits import has_credentials
from zixun.core.sitecache import site_version_get

PUBLIC_MAX_AGE = 30
PUBLIC_CACHE_CONTROL = f"public, max-age={PUBLIC_MAX_AGE}"
PRIVATE_CACHE_CONTROL = "private, no-cache"


def etag_of(content: bytes) -> str:
    """A weak ETag over a response body."""
    return 'W/"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'


def etag_matches(header: str, etag: str) -> bool:
    """Whether If-None-Match ``header`` names ``etag`` (weak comparison, RFC 9110 13.1.2)."""
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == opaque for tag in tags)


def _is_public(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and not has_credentials(request)


def etag_memo_key(request: HttpRequest) -> str | None:
    """Where a public read's ETag is remembered (None for any other request).

    Taken before the endpoint runs, so that a publish while it runs leaves the
    ETag under the old site version, never the new one."""
    if not _is_public(request):
        return None
    # Without ZIXUN_SITE_URL, links in the body are on the request's host (schemas.absolute).
    host = "" if settings.ZIXUN_SITE_URL else request.get_host()
    where = f"{host}{request.get_full_path()}"
    path = hashlib.blake2b(where.encode(), digest_size=16).hexdigest()
    return f"api:etag:{site_version_get()}:{path}"


def _not_modified(etag: str, cache_control: str) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


def not_modified_early(request: HttpRequest, memo_key: str | None) -> HttpResponse | None:
    """A 304 for a public revalidation of an ETag remembered under the site version, else None."""
    header = request.headers.get("If-None-Match")
    if not header or memo_key is None:
        return None
    etag = cache.get(memo_key)
    if etag is None or not etag_matches(header, etag):
        return None
    return _not_modified(etag, PUBLIC_CACHE_CONTROL)


def conditional_response(
    request: HttpRequest, response: HttpResponseBase, memo_key: str | None
) -> HttpResponseBase:
    """Give a successful GET its ETag and Cache-Control, or a 304 when If-None-Match matches."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if not isinstance(response, HttpResponse) or response.streaming:
        return response
    cache_control = PUBLIC_CACHE_CONTROL if memo_key else PRIVATE_CACHE_CONTROL
    etag = etag_of(response.content)
    if memo_key and "Cache-Control" not in response:
        cache.set(memo_key, etag, settings.ZIXUN_PAGE_CACHE_SECONDS)
    header = request.headers.get("If-None-Match")
    if header and etag_matches(header, etag):
        return _not_modified(etag, cache_control)
    response["ETag"] = etag
    response.headers.setdefault("Cache-Control", cache_control)
    return response
