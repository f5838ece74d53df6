from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from zixun.events.models import Event


def events_after(*, last_id: int, limit: int = 5000) -> list[Event]:
    """The events after ``last_id``, oldest first: what a consumer has not folded in yet."""
    return list(Event.objects.filter(id__gt=last_id).order_by("id")[:limit])


def events_since(*, since: datetime) -> QuerySet[Event]:
    """The events from ``since`` on, oldest first (a full recompute reads these)."""
    return Event.objects.filter(at__gte=since).order_by("id")


def events_last_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
