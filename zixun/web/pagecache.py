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
import secrets
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from functools import cache as cache_once
from functools import wraps
from typing import Any, overload

from django.conf import settings
from django.core.cache import BaseCache, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from zixun.accounts.backends import user_lookup_with
from zixun.accounts.models import User
from zixun.core.sitecache import page_memo, site_version_get
from zixun.engagement.selectors import reader_state_read, user_with_reader_state
from zixun.web.modes import Modes, cookie_modes_key, modes_key
from zixun.web.script import response_to_hant
from zixun.web.sessions import session_cache_key

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
    return f"page:{site_version_get()}:{_page_epoch[0]}:{language}:{modes}:{digest}"


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
    ZIXUN_PAGE_CACHE_SECONDS). Every other process drops its copies within
    FORGET_CHECK_SECONDS: those it keeps in its memory (``page_memo``) and, in the embedded
    default, its whole page cache (``_forget_log_add``)."""
    _forget_here(request, paths)
    if _pages_per_process():
        _forget_log_add(paths)


def _forget_here(request: HttpRequest | None, paths: Iterable[str]) -> None:
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


# The forget log. Without REDIS_URL the page cache is each process's own memory (LocMemCache),
# so what one process forgets (a new comment, a counter) another would keep serving until
# its copy expired. Each forget is also written to the shared cache (a file cache every worker
# and command on the machine reads): a sequence number and a ring of the last FORGET_SLOTS
# forgets' paths. Every process looks at the number at most once per FORGET_CHECK_SECONDS,
# when it serves a page, and drops the pages forgotten since; when it cannot tell which
# (it fell more than the ring behind, or read a slot before its writer wrote it), it drops
# all of its pages. A change that bumps the site version needs none of this.
FORGET_SEQ_KEY = "page:forget:seq"
FORGET_SLOTS = 256
FORGET_SEQ_START = 2**52
FORGET_CHECK_SECONDS = 1.0
_forget_seen: list[float] = []  # [the last sequence number applied, read at] of this process
_page_epoch = [0]  # in every page key of this process; raised to drop all of its pages


@cache_once  # the cache's backend is set once, by the settings
def _pages_per_process() -> bool:
    return isinstance(caches["default"], LocMemCache)


def _forget_slot_key(number: int) -> str:
    return f"page:forget:{number % FORGET_SLOTS}"


def _forget_seq(shared: BaseCache) -> int:
    """The log's number now; a new log's numbers start at random, so that a log cleared and
    begun again is not taken for the old one."""
    number = shared.get(FORGET_SEQ_KEY)
    if number is None:
        shared.add(FORGET_SEQ_KEY, secrets.randbelow(FORGET_SEQ_START), None)
        number = shared.get(FORGET_SEQ_KEY, 0)
    return int(number)


def _forget_log_add(paths: tuple[str, ...]) -> None:
    shared = caches["shared"]
    _forget_seq(shared)
    try:
        number = int(shared.incr(FORGET_SEQ_KEY))
    except ValueError:  # gone since (the cache was cleared): begin again
        number = secrets.randbelow(FORGET_SEQ_START)
        shared.set(FORGET_SEQ_KEY, number, None)
    # Kept as long as a page it forgets can live; a reader finding it gone drops everything.
    shared.set(_forget_slot_key(number), (number, paths), settings.ZIXUN_PAGE_CACHE_SECONDS)


def _forget_log_apply() -> None:
    """Drop the pages other processes forgot since this process last looked (see above)."""
    now = time.monotonic()
    if _forget_seen and now - _forget_seen[1] < FORGET_CHECK_SECONDS:
        return
    shared = caches["shared"]
    number = _forget_seq(shared)
    last = int(_forget_seen[0]) if _forget_seen else number  # a new process holds no page
    _forget_seen[:] = [number, now]
    if number == last:
        return
    wanted = range(last + 1, number + 1)
    if not 0 < len(wanted) <= FORGET_SLOTS:  # behind by more than the ring, or it restarted
        _page_epoch_raise()
        return
    slots = shared.get_many([_forget_slot_key(n) for n in wanted])
    paths: list[str] = []
    for n in wanted:
        slot = slots.get(_forget_slot_key(n))
        if slot is None or slot[0] != n:  # expired, overwritten or not yet written
            _page_epoch_raise()
            return
        paths.extend(slot[1])
    _forget_here(None, paths)


def forget_log_forget() -> None:
    """Forget where this process is in the forget log (after the shared cache was cleared:
    the next look starts from the log as it is then)."""
    _forget_seen.clear()


def _page_epoch_raise() -> None:
    _page_epoch[0] += 1
    page_memo.clear()


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
        if response.has_header("Vary"):
            patch_vary_headers(response, ("Cookie",))
        else:  # a page from the cache: the same header, without parsing one first
            response.headers["Vary"] = "Cookie"
        return response

    def _served(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.ZIXUN_PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method != "GET":
            return view(request, *args, **kwargs)
        if _pages_per_process():
            _forget_log_apply()
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
    something for this reader alone (a message after a form post).

    Two round trips when warm: the session and the variant in one cache read (the variant's
    key guessed from the cookies, ``_read_ahead``), then the user and their state on this
    page in one statement (``user_with_reader_state``)."""
    from zixun.web import readerpage

    guess_modes, guess, ahead = _read_ahead(request)
    meta = ahead[2] if ahead is not None else {}
    article_id, creator_id = meta.get("article_id"), meta.get("creator_id")
    lookup: AbstractContextManager[None] = nullcontext()
    if article_id is not None or creator_id is not None:
        lookup = user_lookup_with(user_with_reader_state, article_id or 0, creator_id or 0)
    with lookup:
        user = request.user
        signed_in = isinstance(user, User) and user.is_authenticated  # the user is read here
    if not signed_in or _has_messages(request):
        return view(request, *args, **kwargs)
    assert isinstance(user, User)
    if modes_key(request) == guess_modes:  # the usual case: the key read ahead is the page's
        key, hit = guess, ahead
    else:
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
    state = None
    if (meta.get("article_id"), meta.get("creator_id")) == (article_id, creator_id):
        state = reader_state_read(user, article_id=article_id, creator_id=creator_id)
    response = HttpResponse(
        readerpage.page_fill(parts, request=request, user=user, meta=meta, state=state),
        content_type=content_type,
    )
    response.zixun_script_done = True  # type: ignore[attr-defined]  # page and fill-ins
    return response


def _read_ahead(request: HttpRequest) -> tuple[str, str, Any]:
    """The modes the cookies give, the reader variant's key under them, and the variant read
    under it together with the session (one ``get_many``, one round trip to Redis), which
    the session is given."""
    modes = cookie_modes_key(request)
    guess = _key(page_path(request), translation.get_language(), modes + READER, _host(request))
    session = getattr(request, "session", None)
    session_key = session_cache_key(session) if session is not None else None
    if session_key is None or settings.SESSION_CACHE_ALIAS != "default":
        return modes, guess, cache.get(guess)
    found = cache.get_many([session_key, guess])
    session.prime(found.get(session_key))  # type: ignore[union-attr]
    return modes, guess, found.get(guess)


def _has_messages(request: HttpRequest) -> bool:
    """A message waits (cookie or session storage): the page must show it to this reader."""
    return "messages" in request.COOKIES or "_messages" in getattr(request, "session", {})
