"""What recommendations learn, as events arrive: interest tags, the impression log's clicks,
and each article's live counters (the features of zixun/ranking/scoring.py).

``personal_ingest`` reads the event log from its own cursor (like the hot list) and
``impressions_ingest`` the impression log from another. Each batch claims its cursor
with a compare-and-set as the first write of its transaction, so a batch is applied
exactly once even with several workers. Decaying values are kept as (value, time)
and decayed when next touched: ``value · 2^(−Δt / half-life) + added``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.events.models import Event
from zixun.events.selectors import events_after
from zixun.ranking.models import ArticleStats, Impression, IngestCursor, Interest
from zixun.ranking.scoring import weights_load

Kind = Event.Kind
BATCH = 2000
# How much one action teaches about a reader's interests.
INTEREST_WEIGHTS = {
    Kind.VIEW: 1.0, Kind.READ: 2.0, Kind.LIKE: 3.0, Kind.FAVORITE: 4.0, Kind.SHARE: 4.0,
    Kind.COMMENT: 3.0,
}  # fmt: skip
MAX_TAGS = 5  # of an article's tags become interests


def decayed(value: float, since: datetime | None, now: datetime, half_life_seconds: float) -> float:
    """``value`` set at ``since``, as it is at ``now``."""
    if since is None or value == 0.0:
        return value
    age = max((now - since).total_seconds(), 0.0)
    return value * math.pow(2.0, -age / half_life_seconds)


def interest_half_life() -> float:
    return float(settings.ZIXUN_INTEREST_HALF_LIFE_DAYS) * 86400.0


def trend_half_life() -> float:
    return weights_load().half_life_hours * 3600.0


def _claim(name: str, expected: int, new: int) -> bool:
    """Move the cursor ``name`` from ``expected`` to ``new``: first write of the transaction."""
    IngestCursor.objects.get_or_create(name=name)
    return IngestCursor.objects.filter(name=name, last_id=expected).update(last_id=new) == 1


def _cursor(name: str) -> int:
    return IngestCursor.objects.filter(name=name).values_list("last_id", flat=True).first() or 0


# Interests and clicks, from the event log ------------------------------------------------------


def _learn(events: list[Event]) -> None:
    """Interest tags from what readers did: the article's channel and its tags."""
    reading = [e for e in events if e.user_id and e.article_id and e.kind in INTEREST_WEIGHTS]
    if not reading:
        return
    articles = {
        row[0]: row
        for row in Article.objects.filter(pk__in={e.article_id for e in reading}).values_list(
            "pk", "channel_id", "channel__name", "tags"
        )
    }
    added: dict[tuple[int, str, str], tuple[str, float, datetime]] = {}
    for event in reading:
        row = articles.get(event.article_id or 0)
        if row is None:
            continue
        _, channel_id, channel_name, tags = row
        weight = INTEREST_WEIGHTS[Kind(event.kind)]
        keys = [(Interest.Kind.CHANNEL, str(channel_id), channel_name)] if channel_id else []
        keys += [(Interest.Kind.KEYWORD, str(t)[:60], str(t)[:60]) for t in (tags or [])[:MAX_TAGS]
                 if str(t).strip()]  # fmt: skip
        for kind, key, label in keys:
            slot = (event.user_id or 0, kind, key)
            old = added.get(slot)
            added[slot] = (label, (old[1] if old else 0.0) + weight, event.at)
    now = timezone.now()
    half_life = interest_half_life()
    users = {user_id for user_id, _, _ in added}
    existing = {
        (i.user_id, i.kind, i.key): i
        for i in Interest.objects.filter(user_id__in=users, key__in={k for _, _, k in added})
    }
    live_users = set(User.objects.filter(pk__in=users).values_list("pk", flat=True))
    new, changed = [], []
    for (user_id, interest_kind, key), (label, weight, _at) in added.items():
        if user_id not in live_users:
            continue
        interest = existing.get((user_id, interest_kind, key))
        if interest is None:
            new.append(Interest(user_id=user_id, kind=interest_kind, key=key, label=label,
                                weight=weight))  # fmt: skip
            continue
        if interest.removed:
            continue  # the reader deleted this tag: it is not learned again
        interest.weight = decayed(interest.weight, interest.updated_at, now, half_life) + weight
        interest.updated_at = now
        changed.append(interest)
    Interest.objects.bulk_create(new, ignore_conflicts=True)
    Interest.objects.bulk_update(changed, ["weight", "updated_at"])


def _stats_for(article_ids: Iterable[int]) -> dict[int, ArticleStats]:
    ids = set(article_ids)
    stats = {s.article_id: s for s in ArticleStats.objects.filter(article_id__in=ids)}
    for article_id in ids - stats.keys():
        stats[article_id] = ArticleStats(article_id=article_id)
    return stats


def _save_stats(stats: dict[int, ArticleStats], fields: list[str]) -> None:
    """Insert the rows _stats_for made, update the ones it read (the batch holds the cursor:
    no other writer touches them meanwhile)."""
    rows = list(stats.values())
    ArticleStats.objects.bulk_create([s for s in rows if s._state.adding])
    ArticleStats.objects.bulk_update([s for s in rows if not s._state.adding], fields)


def _clicks(events: list[Event]) -> None:
    """A signed-in reader's view of an article they were shown in a list within
    ZIXUN_IMPRESSION_CLICK_HOURS is a click on that impression; every such view also counts
    the article's signed-in readers."""
    views = [e for e in events if e.kind == Kind.VIEW and e.user_id and e.article_id]
    if not views:
        return
    window = timedelta(hours=settings.ZIXUN_IMPRESSION_CLICK_HOURS)
    earliest = min(e.at for e in views) - window
    impressions = defaultdict(list)
    for impression in Impression.objects.filter(
        user_id__in={e.user_id for e in views}, shown_at__gte=earliest
    ).order_by("-shown_at"):
        impressions[impression.user_id].append(impression)
    stats = _stats_for(e.article_id for e in views if e.article_id)
    half_life = trend_half_life()
    touched: dict[int, Impression] = {}
    for event in views:
        article_id = event.article_id or 0
        stat = stats[article_id]
        stat.readers += 1
        for impression in impressions.get(event.user_id or 0, []):
            if impression.shown_at > event.at or impression.shown_at < event.at - window:
                continue
            if article_id in impression.article_ids and article_id not in impression.clicked:
                impression.clicked = [*impression.clicked, article_id]
                touched[impression.pk] = impression
                stat.clicks += 1
                # Trends are kept as of last_shown: a click later weighs 2^(Δt / h) there.
                since = (event.at - stat.last_shown).total_seconds() if stat.last_shown else 0.0
                stat.trend_clicks += math.pow(2.0, since / half_life)
                break
    Impression.objects.bulk_update(list(touched.values()), ["clicked"])
    _save_stats(stats, ["readers", "clicks", "trend_clicks"])


def personal_ingest(*, batch: int = BATCH, max_batches: int | None = None) -> int:
    """Fold new events into interests, impression clicks and article counters; returns how
    many events were read."""
    done = batches = 0
    while max_batches is None or batches < max_batches:
        last = _cursor("personal")
        events = events_after(last_id=last, limit=batch)
        if not events:
            break
        with transaction.atomic():
            if not _claim("personal", last, events[-1].id):
                break  # another process is folding these in
            _learn(events)
            _clicks(events)
        done += len(events)
        batches += 1
    return done


# Impressions --------------------------------------------------------------------------------


def impressions_ingest(*, batch: int = 500) -> int:
    """Count new impressions into each article's impressions and trend; returns how many."""
    last = _cursor("impressions")
    rows = list(Impression.objects.filter(id__gt=last).order_by("id")[:batch])
    if not rows:
        return 0
    half_life = trend_half_life()
    with transaction.atomic():
        if not _claim("impressions", last, rows[-1].id):
            return 0
        stats = _stats_for(a for row in rows for a in row.article_ids)
        for row in rows:
            for article_id in row.article_ids:
                stat = stats[article_id]
                stat.impressions += 1
                stat.trend_impressions = decayed(stat.trend_impressions, stat.last_shown,
                                                 row.shown_at, half_life) + 1.0  # fmt: skip
                stat.trend_clicks = decayed(stat.trend_clicks, stat.last_shown, row.shown_at,
                                            half_life)  # fmt: skip
                stat.first_shown = stat.first_shown or row.shown_at
                stat.last_shown = max(stat.last_shown or row.shown_at, row.shown_at)
        _save_stats(stats, ["impressions", "trend_impressions", "trend_clicks", "first_shown",
                            "last_shown"])  # fmt: skip
    return len(rows)


def impression_record(*, user_id: int, article_ids: list[int], list_name: str = "foryou"
                      ) -> Impression:  # fmt: skip
    """Log what a reader was shown (one row per list shown): one INSERT on the render. The
    articles' counters take it in later, with the next events (``impressions_ingest``)."""
    return Impression.objects.create(
        user_id=user_id, list_name=list_name, shown_at=timezone.now(), article_ids=article_ids
    )


def impressions_prune(*, before: datetime, batch: int = 5000) -> int:
    """Delete impressions shown before ``before`` in short batches; returns how many."""
    total = 0
    while True:
        ids = list(
            Impression.objects.filter(shown_at__lt=before).values_list("id", flat=True)[:batch]
        )
        if not ids:
            return total
        deleted, _ = Impression.objects.filter(id__in=ids).delete()
        total += deleted
