"""The site cache: one version number for all published content, and the blocks keyed by it.

Every cached block (the hot list, the channel highlights, 态度原创, later the
related lists and search suggestions), every cached fragment and every cached
page has the current site version in its key. ``site_version_bump`` starts a
new version after anything a reader sees changes (publish, edit, takedown, an
import, a channel edit): every block, fragment and page is rebuilt on its next
read, so a new block needs no key list to be dropped. Old entries are never
read again and leave the cache by their timeout (or LRU eviction).

The version is kept in the ``shared`` cache: Redis with ``REDIS_URL`` (the default cache
too), else the file cache every worker on the machine shares (``core/sharedcache.py``). The
embedded default keeps its pages and blocks in each process's memory, so a version kept
there too would let a publish, edit or takedown in one worker (or a command) go unseen by
another until its pages expired.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache, caches

T = TypeVar("T")
SITE_VERSION_KEY = "site:version"

# Every page view reads the site version; keeping it in process memory for a
# second saves a shared-cache read per request (a round trip to Redis in production,
# a file read in the embedded default) and delays another process's bump by at most
# that second.
SITE_VERSION_MEMO_SECONDS = 1.0
_site_version_memo: list[float] = []  # [version, read at] of this process


def site_version_get() -> int:
    """A number that changes whenever published content changes (see site_version_bump)."""
    now = time.monotonic()
    if _site_version_memo and now - _site_version_memo[1] < SITE_VERSION_MEMO_SECONDS:
        return int(_site_version_memo[0])
    shared = caches["shared"]
    version: int | None = shared.get(SITE_VERSION_KEY)
    if version is None:
        version = time.time_ns()
        shared.add(SITE_VERSION_KEY, version, None)
        version = shared.get(SITE_VERSION_KEY, version)
    _site_version_memo[:] = [version, now]
    return version


def site_version_forget() -> None:
    """Forget this process's memo of the site version, its pages and its fragments (after the
    cache was cleared)."""
    _site_version_memo.clear()
    page_memo.clear()
    fragment_memo.clear()


def site_version_bump() -> None:
    """Start a new site version: every block, fragment and page is rebuilt on its next read."""
    version = time.time_ns()
    caches["shared"].set(SITE_VERSION_KEY, version, None)
    _site_version_memo[:] = [version, time.monotonic()]


# The pages this process served last, kept in its memory for ZIXUN_PAGE_MEMO_SECONDS: a page
# read many times a second is then served without a cache round trip (about 0.15 ms to Redis
# for a 40 KB page, the largest part of an anonymous view). The key holds the site version, so
# a change that bumps it is seen here as soon as this process's memo of the version is (at most
# SITE_VERSION_MEMO_SECONDS); a page forgotten by another process (a new comment, a counter)
# is seen here that much later at most, and at once in the process that forgot it.
PAGE_MEMO_MAX_BYTES = 16 * 1024 * 1024


class _PageMemo:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, int, object]] = OrderedDict()
        self._bytes = 0

    def get(self, key: str) -> Any:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[2]

    def set(self, key: str, value: object, size: int) -> None:
        seconds = settings.ZIXUN_PAGE_MEMO_SECONDS
        if seconds <= 0 or size > PAGE_MEMO_MAX_BYTES // 4:
            return
        with self._lock:
            self._drop(key)
            self._entries[key] = (time.monotonic() + seconds, size, value)
            self._bytes += size
            while self._bytes > PAGE_MEMO_MAX_BYTES:  # the oldest go first
                _key, (_expires, old_size, _value) = self._entries.popitem(last=False)
                self._bytes -= old_size

    def forget(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._drop(key)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry[1]


page_memo = _PageMemo()
# The {% cache %} fragments this process read last, likewise (zixun/core/fragmentcache.py).
fragment_memo = _PageMemo()


# Raised when the shape of a cached block changes (a field added to ArticleCard), so
# that processes of an upgraded release never unpickle a block built by the old one.
BLOCK_FORMAT = 2


def block_key(name: str) -> str:
    """The cache key of the block ``name`` under the current site version."""
    return f"block:{BLOCK_FORMAT}:{site_version_get()}:{name}"


def block_get(name: str, build: Callable[[], T]) -> T:
    """The block ``name`` from the cache, built and kept for ZIXUN_BLOCK_CACHE_SECONDS on a miss.

    ``build`` must not return None. A change that bumps the site version is seen
    by every process within SITE_VERSION_MEMO_SECONDS; the timeout bounds how
    stale a block gets through what does not bump it (the view counts in the hot
    list, say).
    """
    value = cache.get_or_set(block_key(name), build, settings.ZIXUN_BLOCK_CACHE_SECONDS)
    assert value is not None  # build() never returns None
    return cast(T, value)
