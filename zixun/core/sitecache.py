"""The site cache: one version number for all published content, and the blocks keyed by it.

Every cached block (the hot list, the channel highlights, 态度原创, later the
related lists and search suggestions), every cached fragment and every cached
page has the current site version in its key. ``site_version_bump`` starts a
new version after anything a reader sees changes (publish, edit, takedown, an
import, a channel edit): every block, fragment and page is rebuilt on its next
read, so a new block needs no key list to be dropped. Old entries are never
read again and leave the cache by their timeout (or LRU eviction).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar, cast

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")
SITE_VERSION_KEY = "site:version"

# Every page view reads the site version; keeping it in process memory for a
# second saves a cache round trip per request (one to Redis in production) and
# delays another process's bump by at most that second.
SITE_VERSION_MEMO_SECONDS = 1.0
_site_version_memo: list[float] = []  # [version, read at] of this process


def site_version_get() -> int:
    """A number that changes whenever published content changes (see site_version_bump)."""
    now = time.monotonic()
    if _site_version_memo and now - _site_version_memo[1] < SITE_VERSION_MEMO_SECONDS:
        return int(_site_version_memo[0])
    version: int | None = cache.get(SITE_VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(SITE_VERSION_KEY, version, None)
        version = cache.get(SITE_VERSION_KEY, version)
    _site_version_memo[:] = [version, now]
    return version


def site_version_forget() -> None:
    """Forget this process's memo of the site version (after the cache was cleared)."""
    _site_version_memo.clear()


def site_version_bump() -> None:
    """Start a new site version: every block, fragment and page is rebuilt on its next read."""
    version = time.time_ns()
    cache.set(SITE_VERSION_KEY, version, None)
    _site_version_memo[:] = [version, time.monotonic()]


# Raised when the shape of a cached block changes (a field added to ArticleCard), so
# that processes of an upgraded release never unpickle a block built by the old one.
BLOCK_FORMAT = 2


def block_key(name: str) -> str:
    """The cache key of the block ``name`` under the current site version."""
    return f"block:{BLOCK_FORMAT}:{site_version_get()}:{name}"


def block_get(name: str, build: Callable[[], T]) -> T:
    """The block ``name`` from the cache, built and kept for ZIXUN_BLOCK_CACHE_SECONDS on a miss.

    ``build`` must not return None. The timeout bounds how stale a block gets
    when a writer in another process cannot reach this one's cache (the local
    memory cache of the embedded default).
    """
    value = cache.get_or_set(block_key(name), build, settings.ZIXUN_BLOCK_CACHE_SECONDS)
    assert value is not None  # build() never returns None
    return cast(T, value)
