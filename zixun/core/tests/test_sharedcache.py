import multiprocessing
import time

from django.core.cache import caches

from zixun.core.sharedcache import SharedFileCache


def shared_cache_at(location):
    """A second, separate connection to the same cache (what another worker opens)."""
    return SharedFileCache(location, {})


def test_two_connections_see_the_same_counter(tmp_path):
    # given two workers' connections to one shared cache
    first, second = shared_cache_at(str(tmp_path)), shared_cache_at(str(tmp_path))
    assert first.add("count", 0, 60)
    # when both count
    assert not second.add("count", 0, 60)
    first.incr("count")
    second.incr("count")
    # then each sees the other's increments
    assert first.get("count") == second.get("count") == 2


def test_the_configured_shared_cache_is_not_per_connection(settings):
    # two separate connections (as in two processes) to the "shared" alias
    config = settings.CACHES["shared"]
    caches["shared"].set("seen", "yes", 60)
    if config["BACKEND"].endswith("SharedFileCache"):
        assert shared_cache_at(config["LOCATION"]).get("seen") == "yes"
    else:
        assert "LocMem" not in config["BACKEND"]


def test_incr_keeps_the_entrys_expiry(tmp_path):
    cache = shared_cache_at(str(tmp_path))
    cache.add("window", 0, 1)
    cache.incr("window")
    time.sleep(1.1)
    assert cache.get("window") is None  # Django's file cache would have given it 300 s more


def _count(location, times):
    cache = SharedFileCache(location, {})
    for _ in range(times):
        cache.incr("n")


def test_increments_from_concurrent_processes_are_never_lost(tmp_path):
    shared_cache_at(str(tmp_path)).add("n", 0, 60)
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_count, args=(str(tmp_path), 50)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)
    assert shared_cache_at(str(tmp_path)).get("n") == 200


def test_a_full_cache_drops_expired_entries_before_live_ones(tmp_path):
    cache = SharedFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10}})
    for i in range(10):
        cache.set(f"old{i}", i, 1)
    cache.set("live", "kept", 60)
    time.sleep(1.1)
    for i in range(100):  # enough writes to look at the number of entries
        cache.set("other", i, 60)
    assert cache.get("live") == "kept"
    assert len(cache._list_cache_files()) == 2
