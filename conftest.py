"""Suite-wide fixtures and the service checks.

`make test` runs the suite twice: on SQLite, then with DATABASE_URL and
REDIS_URL pointing at PostgreSQL and Redis. When a named service cannot be
reached, every test is skipped with the reason, never silently passed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED_DIR = Path(
    os.environ.get("ZIXUN_SHARED_DIR", Path(__file__).resolve().parent.parent / "shared")
)


def _unreachable() -> str | None:
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        import psycopg

        try:
            psycopg.connect(database_url, connect_timeout=3).close()
        except psycopg.Error as error:
            return f"PostgreSQL at DATABASE_URL is not reachable: {error}".strip()
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
        except redis.RedisError as error:
            return f"Redis at REDIS_URL is not reachable: {error}"
    return None


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"zixun: database {engine}, cache {cache}"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow tests first, longest first, so that the test processes share them instead of
    one running the last long test while the other waits (with ``--maxschedchunk 2`` in the
    Makefile, xdist hands them out two at a time). pytest-django then sorts the list into its
    own order (database tests, transactional ones, the rest) with a stable sort, so they stay
    first within their kind, and a transactional test never runs before a database one; last,
    the slow ones without a database move to the very front (``_SlowWithoutDatabaseFirst``)."""
    items.sort(key=_expected_seconds, reverse=True)
    reason = _unreachable()
    if reason:
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            item.add_marker(skip)


class _SlowWithoutDatabaseFirst:
    """After pytest-django's sort, which puts the tests without a database last, the slow ones
    among those (subprocess runs: the bench harness, the crash run, the SIGTERM test) go to the
    very front, longest first: nothing constrains where they run, and last they left one test
    process working alone for minutes at the end of a pass."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        first = [item for item in items if _expected_seconds(item) and not _uses_database(item)]
        if first:
            chosen = set(map(id, first))
            items[:] = first + [item for item in items if id(item) not in chosen]


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_SlowWithoutDatabaseFirst(), "zixun-slow-first")


def _uses_database(item: pytest.Item) -> bool:
    """Whether pytest-django counts the test as a database one (its own test, kept in step)."""
    from django.test import TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return bool(
        item.get_closest_marker("django_db") or "db" in fixtures or "transactional_db" in fixtures
    )


def _expected_seconds(item: pytest.Item) -> float:
    """About how long a test takes on SQLite, from its ``slow(seconds)`` mark; 0 without."""
    mark = item.get_closest_marker("slow")
    return float(mark.args[0]) if mark is not None else 0.0


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Every test starts with an empty cache (the blocks are cached) and no limit used, and
    in the default language: a request leaves its language active in the thread (the locale
    middleware does not put it back), so a test that rendered in English after another test's
    English request rendered English (seen once: the 500 page's test)."""
    from django.conf import settings
    from django.core.cache import cache, caches
    from django.utils import translation

    from zixun.core.sitecache import site_version_forget
    from zixun.engagement.viewcount import view_dedup_forget
    from zixun.moderation.backend import filter_forget
    from zixun.ranking.related import model_forget
    from zixun.search.engine import search_memo_forget
    from zixun.web.pagecache import forget_log_forget

    translation.activate(settings.LANGUAGE_CODE)
    cache.clear()
    caches["shared"].clear()
    site_version_forget()  # the cache was cleared under it
    forget_log_forget()  # and the page cache's forget log with it
    view_dedup_forget()
    model_forget()  # the 相关推荐 model a process remembers (the database was rolled back)
    filter_forget()  # the keyword filter likewise (its version number was rolled back)
    search_memo_forget()  # the search index's ladder and marks (the database was rolled back)


@pytest.fixture(autouse=True)
def _default_channels_in_transactional_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """A transactional test starts from a flushed database, so the default channels the data
    migration made are gone; an article needs its channel (CI once failed on a concurrency test
    that ran after another transactional test had flushed them).

    At its end, before the database is flushed (this fixture is set up after it, so torn down
    first), the views its pages buffered are dropped, waiting for a flush under way: the view
    thread writing them during the flush locked the tables (CI: "database table is locked")
    and, retrying with the flushed ids, broke the next test's commits."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    from zixun.channels.services import channel_defaults_ensure
    from zixun.engagement.viewcount import view_buffer

    channel_defaults_ensure()
    yield
    view_buffer.discard()


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED_DIR / "data").is_dir():
        pytest.skip(f"the shared data sets are not present at {SHARED_DIR}")
    return SHARED_DIR


@pytest.fixture
def writer():  # type: ignore[no-untyped-def]
    """A signed-up user who is a member of ``creator``."""
    from zixun.accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def creator(writer):  # type: ignore[no-untyped-def]
    """A creator account (号) run by ``writer``; not trusted, so its articles are reviewed."""
    from zixun.creators.tests.factories import CreatorFactory

    creator = CreatorFactory()
    creator.members.add(writer)
    return creator
