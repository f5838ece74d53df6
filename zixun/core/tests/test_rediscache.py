"""The Redis cache reuses one client per connection pool, in threads and after a fork."""

import os
import threading

import pytest
from django.conf import settings
from django.core.cache import caches

from zixun.core.rediscache import RedisCache

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis: set REDIS_URL (the PostgreSQL + Redis run)"
)


@pytest.fixture
def redis_cache():
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": "rediscache-test"})
    yield cache
    cache.delete_many(["a", "b", "forked"])


def test_the_site_caches_use_it():
    assert isinstance(caches["default"], RedisCache)
    assert isinstance(caches["shared"], RedisCache)


def test_every_operation_goes_through_the_same_client(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client("a") is client
    assert redis_cache._cache.get_client("a", write=True) is client
    redis_cache.set("a", {"page": b"x" * 50_000}, 60)
    assert redis_cache.get("a") == {"page": b"x" * 50_000}
    assert redis_cache.add("a", 1, 60) is False
    assert redis_cache._cache.get_client() is client


def test_threads_share_the_client_and_each_gets_its_own_answers(redis_cache):
    errors: list[str] = []

    def work(n: int) -> None:
        for i in range(50):
            key = f"t{n}"
            redis_cache.set(key, (n, i), 60)
            if redis_cache.get(key) != (n, i):
                errors.append(f"thread {n} read another's value")
        redis_cache.delete(f"t{n}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_worker_reuses_the_client_on_a_connection_of_its_own(redis_cache):
    # given a client that holds a connection in the parent (as a server's master may)
    redis_cache.set("b", 1, 60)
    pid = os.fork()
    if pid == 0:  # the child: its pool notices the fork and connects afresh
        code = 0
        try:
            redis_cache.set("forked", os.getpid(), 60)
            code = 0 if redis_cache.get("b") == 1 else 3
        except Exception:
            code = 4
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert redis_cache.get("forked") == pid
    assert redis_cache.get("b") == 1  # and the parent's connection still answers
