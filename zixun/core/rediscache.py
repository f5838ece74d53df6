"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` around the pool for every
cache operation. With redis-py 8 that constructor costs more than the command it serves: measured
on the bench site, 320 µs per call against a 185 µs round trip (two busy cores), so an anonymous
page-cache hit, which is one cache read, spent more time making clients than reading the page.
A ``redis.Redis`` is safe to share between threads (each command takes a connection from the
pool), and its pool notices a fork and starts afresh, so one client per pool is kept and reused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    # RedisCacheClient's internals, which django-stubs leaves out.
    _client: Any
    _get_connection_pool: Callable[[bool], Any]
    _get_connection_pool_index: Callable[[bool], int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._lock = threading.Lock()

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Index 0 is the primary (every write); reads with replicas go to one of them, and
        # any client of a replica's pool serves a read as well as another.
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            with self._lock:  # one client per server, whichever thread comes first
                client = self._clients.get(index)
                if client is None:
                    pool = self._get_connection_pool(write)
                    client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with ``ReusingRedisCacheClient``."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
