"""View counts, off the request path.

A page view costs one cache operation (the dedup key) and a dict update in
memory: no database write. Each process flushes its buffer every
ZIXUN_VIEW_FLUSH_SECONDS from a background thread, in one transaction: one
``UPDATE … SET view_count = view_count + n`` per group of articles with the
same n, and the reading history as one upsert. Views are deduplicated per
reader (user, or address and browser for anonymous readers) per article per
ZIXUN_VIEW_WINDOW_SECONDS; known bots are not counted.

A crash (SIGKILL) loses at most one interval's views of that process; counts never go
backwards and are never counted twice. A process that exits normally (a deploy's SIGTERM)
writes its buffer first (``atexit``, and multiprocessing's exit finalizers for a forked
worker).
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import multiprocessing.util
import os
import re
import threading
import time
from collections import Counter
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import close_old_connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

BOT_AGENTS = re.compile(
    r"bot|crawl|spider|slurp|bingpreview|facebookexternalhit|headless|python-requests|curl|wget"
    r"|httpclient|go-http-client|java/|okhttp|scrapy|feedfetcher|monitor|uptime|preview",
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    return not user_agent or bool(BOT_AGENTS.search(user_agent))


class ViewBuffer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one flush at a time: the thread's, at exit, a test's
        self._views: Counter[int] = Counter()
        self._readings: dict[tuple[int, int], datetime] = {}
        self._thread: threading.Thread | None = None
        self._pid = 0  # the process whose buffer this is, once its flush thread runs

    def add(self, *, article_id: int, user_id: int | None) -> None:
        with self._lock:
            self._views[article_id] += 1
            if user_id is not None:
                self._readings[(user_id, article_id)] = timezone.now()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="view-flush", daemon=True)
                self._thread.start()
                # Write what is left when the process exits normally: atexit in a main or
                # spawned process, the exit finalizers in a forked one (which skips atexit).
                # Both are inherited by a process forked from this one, which must not run
                # them: its copy of the buffer is this process's, and its lock may be held.
                self._pid = os.getpid()
                atexit.register(self._flush_at_exit)
                multiprocessing.util.Finalize(self, self._flush_at_exit, exitpriority=10)

    def _run(self) -> None:
        """The flush loop: it must never die, or this process would stop writing views."""
        while True:
            time.sleep(settings.ZIXUN_VIEW_FLUSH_SECONDS)
            try:
                self.flush()  # on failure the views stay buffered for the next round
            except Exception:
                logger.exception("writing buffered views failed; trying again later")
            try:
                close_old_connections()
            except Exception:
                logger.exception("closing the view flush's database connection failed")

    def _flush_at_exit(self) -> None:
        if os.getpid() != self._pid:
            return
        try:
            self.flush()
        except Exception:
            logger.exception("writing buffered views at exit failed; they are lost")

    def pending(self) -> int:
        with self._lock:
            return sum(self._views.values())

    def flush(self) -> int:
        """Write the buffered views and readings; returns how many views were written."""
        with self._flushing:
            return self._flush()

    def discard(self) -> None:
        """Drop what is buffered, after any flush under way (tests: the next case must not
        have the previous case's views written into its database)."""
        with self._flushing, self._lock:
            self._views.clear()
            self._readings.clear()

    def _flush(self) -> int:
        from zixun.articles.services.counters import article_views_add
        from zixun.engagement.models import Reading
        from zixun.events.services import events_record_many

        with self._lock:
            views, self._views = self._views, Counter()
            readings, self._readings = self._readings, {}
        if not views and not readings:
            return 0
        try:
            with transaction.atomic():
                article_views_add(views=views)
                Reading.objects.bulk_create(
                    [Reading(user_id=u, article_id=a, read_at=t) for (u, a), t in readings.items()],
                    update_conflicts=True,
                    unique_fields=["user", "article"],
                    update_fields=["read_at"],
                )
                events_record_many(_view_events(views, readings))
        except Exception:
            # Keep the views for the next try rather than losing them.
            with self._lock:
                self._views.update(views)
                for key, when in readings.items():
                    self._readings.setdefault(key, when)
            raise
        return sum(views.values())


def _view_events(views: Counter[int], readings: dict[tuple[int, int], datetime]) -> list[Any]:
    """The ranking events of one flush: one per signed-in reader and article, and one per
    article counting its anonymous views together."""
    from zixun.events.models import Event

    now = timezone.now()
    anonymous = Counter(views)
    events = []
    for (user_id, article_id), when in readings.items():
        anonymous[article_id] -= 1
        events.append(Event(kind=Event.Kind.VIEW, user_id=user_id, article_id=article_id, at=when))
    events += [
        Event(kind=Event.Kind.VIEW, article_id=article_id, count=n, at=now)
        for article_id, n in anonymous.items()
        if n > 0
    ]
    return events


view_buffer = ViewBuffer()


# A process-local first level of the dedup: a reader reloading a page is
# recognised without a cache round trip. The shared cache stays the authority.
_RECENT_MAX = 100_000
_recent: dict[str, float] = {}


def view_record(*, article_id: int, user_id: int | None, client: str, user_agent: str) -> bool:
    """Count a view unless it is a bot or a repeat within the window; True if counted."""
    if is_bot(user_agent):
        return False
    if user_id is not None:
        reader = f"u{user_id}"
    else:
        digest = hashlib.sha1(f"{client}|{user_agent}".encode(), usedforsecurity=False)
        reader = digest.hexdigest()[:16]
    key = f"viewed:{article_id}:{reader}"
    now = time.monotonic()
    if _recent.get(key, 0.0) > now:
        return False
    window = settings.ZIXUN_VIEW_WINDOW_SECONDS
    if len(_recent) >= _RECENT_MAX:
        _recent.clear()
    _recent[key] = now + window
    if not caches["shared"].add(key, 1, window):  # shared by every worker
        return False
    view_buffer.add(article_id=article_id, user_id=user_id)
    return True


def view_dedup_forget() -> None:
    """Forget this process's recent readers and buffered views (tests start each case from
    nothing)."""
    _recent.clear()
    view_buffer.discard()
