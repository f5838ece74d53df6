"""The cache of ``{% cache %}`` fragments (Django's ``template_fragments`` alias): the default
cache, with each fragment read also kept in this process's memory for
ZIXUN_PAGE_MEMO_SECONDS, as the page memo does for whole pages (ADR 0019).

Every page render past the page cache reads two fragments (the channel menu and the side
column), each a cache round trip: about a quarter of a millisecond to Redis, some 4 % of an
article page's miss (ADR 0018, amendment of 2026-12-03). Every fragment's key holds the site
version, so a publish, edit or takedown is seen here as soon as this process's memo of the
version is; a fragment rebuilt by another process after its timeout is seen here at most
ZIXUN_PAGE_MEMO_SECONDS later. ``0`` reads every fragment from the cache.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

from zixun.core.sitecache import fragment_memo

_MISSING = object()


class FragmentCache(BaseCache):
    """``LOCATION``: the alias of the cache that holds the fragments (``default``)."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self._alias = location or "default"

    @property
    def _cache(self) -> BaseCache:
        return caches[self._alias]

    @staticmethod
    def _memo_key(key: str, version: int | None) -> str:
        return f"{version}:{key}"

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        memo_key = self._memo_key(key, version)
        found = fragment_memo.get(memo_key)
        if found is not None:
            return found
        value = self._cache.get(key, _MISSING, version=version)
        if value is _MISSING:
            return default
        if isinstance(value, str):  # what {% cache %} stores
            fragment_memo.set(memo_key, value, len(value))
        return value

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> None:  # fmt: skip
        self._cache.set(key, value, timeout, version=version)
        fragment_memo.forget([self._memo_key(key, version)])

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> bool:  # fmt: skip
        return self._cache.add(key, value, timeout, version=version)

    def delete(self, key: str, version: int | None = None) -> bool:
        fragment_memo.forget([self._memo_key(key, version)])
        return self._cache.delete(key, version=version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._cache.touch(key, timeout, version=version)

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._cache.has_key(key, version=version)

    def clear(self) -> None:
        fragment_memo.clear()
        self._cache.clear()
