"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("ZIXUN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in the test thread; the Django ORM
# calls in the same test are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class _InFlight:
    """Requests the live server has started and not yet finished (its threads outlive a page)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def started(self, **kwargs: object) -> None:
        with self.lock:
            self.count += 1

    def finished(self, **kwargs: object) -> None:
        with self.lock:
            self.count -= 1

    def wait_settled(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count > 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        with self.lock:
            self.count = 0  # a request that never finished does not hold up every later test


_in_flight = _InFlight()


class _OneRequestAtATime(WSGIServer):
    """The live server answers one request at a time, in its own thread.

    With SQLite in memory, Django hands the test's one connection to the live server, and a
    threaded server ran each request in a thread of its own on that connection: a page's
    requests at once (a form's redirect beside a fetch) then failed with "database table is
    locked". A browser opens a new connection for each request (this server closes them)."""

    def __init__(self, *args: Any, connections_override: object = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # the server thread already uses the connection


LiveServerThread.server_class = _OneRequestAtATime  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _requests_settled(request: pytest.FixtureRequest) -> Iterator[None]:
    """A browser test ends with no request still running in the live server.

    The database is flushed after the test; a request the closed page left running (a fetch, an
    image) still holds the shared in-memory database, and the flush fails under it.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    from django.core.signals import request_finished, request_started

    # Set up after the database fixture, so torn down (and waited for) before its flush.
    request.getfixturevalue("transactional_db")
    request_started.connect(_in_flight.started, dispatch_uid="zixun-in-flight-started")
    request_finished.connect(_in_flight.finished, dispatch_uid="zixun-in-flight-finished")
    yield
    _in_flight.wait_settled()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed at {AXE} (npm ci)")
    return AXE.read_text(encoding="utf-8")
