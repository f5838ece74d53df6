"""Where reader actions become ranking events (the signals of docs/ranking.md).

The engagement, follow and publishing services call ``event_record`` in the
transaction of the action itself, and only when the action really changed
something (a replayed like records nothing). The view buffer writes its views
in one ``events_record_many`` per flush. Page renders never write events.

After a transaction that recorded events commits, ``events_recorded`` is sent
; the ranking app listens and folds the new events into the hot list. The
receivers read the log by id from their own cursor, so a missed signal only
delays them until the next one, and nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from zixun.events.models import Event

Kind = Event.Kind

# Sent (robustly) after the commit of a transaction that recorded events.
events_recorded = Signal()


def _signal_on_commit() -> None:
    """Send ``events_recorded`` after the commit (at once outside a transaction). The
    receivers read from their own cursor, so a second signal for one commit is cheap."""
    transaction.on_commit(lambda: events_recorded.send_robust(sender=Event), robust=True)


def event_record(
    kind: Event.Kind,
    *,
    user_id: int | None = None,
    article_id: int | None = None,
    creator_id: int | None = None,
    count: int = 1,
    at: datetime | None = None,
) -> Event:
    """Append one event; call it inside the transaction of the action it records."""
    event = Event.objects.create(
        kind=kind, user_id=user_id, article_id=article_id, creator_id=creator_id,
        count=count, at=at or timezone.now(),
    )  # fmt: skip
    _signal_on_commit()
    return event


def events_record_many(events: Iterable[Event]) -> int:
    """Append many events in one statement (the view buffer's flush); returns how many."""
    rows = Event.objects.bulk_create(list(events), batch_size=1000)
    if rows:
        _signal_on_commit()
    return len(rows)


READING_KINDS = (Kind.VIEW, Kind.READ)


def events_forget(*, user_id: int, kinds: Iterable[int] | None = None) -> int:
    """Delete a reader's events: all of them when they leave (注销), or only ``kinds`` (their
    reading, when they clear their history); returns how many went."""
    events = Event.objects.filter(user_id=user_id)
    if kinds is not None:
        events = events.filter(kind__in=list(kinds))
    deleted, _ = events.delete()
    return deleted


def events_prune(*, before: datetime, batch: int = 10_000) -> int:
    """Delete the events older than ``before`` in batches (short transactions); returns how many."""
    total = 0
    while True:
        ids = list(Event.objects.filter(at__lt=before).values_list("id", flat=True)[:batch])
        if not ids:
            return total
        deleted, _ = Event.objects.filter(id__in=ids).delete()
        total += deleted
