"""The site's own traffic as evaluation data: the impression log in MIND's format.

``behaviors.tsv``: one row per impression (a 为你推荐 list shown to a reader), with the
reader's pseudonymous id (an HMAC of their id under the site's secret, so the same
reader has the same id in every export and no id can be reversed), the time in UTC,
their history (the articles they viewed before, oldest first, at most HISTORY_MAX),
and each item shown as ``N<article id>-1`` (opened) or ``-0``. ``news.tsv``: MIND's
eight columns for every article named, the channel as the category.
``zixun eval-recs`` reads both as it reads MIND.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from zixun.articles.models import Article
from zixun.events.models import Event
from zixun.ranking.mind import TIME_FORMAT
from zixun.ranking.models import Impression

HISTORY_MAX = 50


def pseudonym(user_id: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"reader:{user_id}".encode(), hashlib.sha256)
    return "U" + digest.hexdigest()[:16]


def _clean(text: str) -> str:
    return " ".join(text.split())  # no tabs or line breaks inside a column


def _history(user_id: int, before: datetime) -> list[int]:
    ids = (
        Event.objects.filter(
            user_id=user_id, kind__in=[Event.Kind.VIEW, Event.Kind.READ], at__lt=before
        )
        .order_by("-id")
        .values_list("article_id", flat=True)[: HISTORY_MAX * 2]
    )
    seen: list[int] = []
    for article_id in ids:
        if article_id is not None and article_id not in seen:
            seen.append(article_id)
    return list(reversed(seen[:HISTORY_MAX]))


def _rows(since: datetime | None, until: datetime | None, articles: set[int]) -> Iterator[str]:
    impressions = Impression.objects.order_by("id")
    if since:
        impressions = impressions.filter(shown_at__gte=since)
    if until:
        impressions = impressions.filter(shown_at__lt=until)
    for row in impressions.iterator(chunk_size=1000):
        if not row.article_ids:
            continue
        history = _history(row.user_id, row.shown_at)
        clicked = set(row.clicked)
        articles.update(history)
        articles.update(row.article_ids)
        shown = " ".join(f"N{a}-{1 if a in clicked else 0}" for a in row.article_ids)
        when = row.shown_at.astimezone(UTC).strftime(TIME_FORMAT)
        yield "\t".join([str(row.pk), pseudonym(row.user_id), when,
                         " ".join(f"N{a}" for a in history), shown]) + "\n"  # fmt: skip


def behaviors_export(*, out: Path, since: datetime | None = None, until: datetime | None = None,
                     progress: Callable[[int], object] | None = None) -> tuple[int, int]:  # fmt: skip
    """Write ``out``/behaviors.tsv and ``out``/news.tsv; returns (impressions, news items).
    Each file is written under a temporary name and renamed when complete, so an interrupted
    export leaves the previous files whole; run it again to finish."""
    out.mkdir(parents=True, exist_ok=True)
    articles: set[int] = set()
    impressions = 0
    behaviors = out / "behaviors.tsv"
    partial = behaviors.with_suffix(".tsv.part")
    with partial.open("w", encoding="utf-8", newline="") as file:
        for line in _rows(since, until, articles):
            file.write(line)
            impressions += 1
            if progress:
                progress(1)
    os.replace(partial, behaviors)
    news = out / "news.tsv"
    partial = news.with_suffix(".tsv.part")
    written = 0
    with partial.open("w", encoding="utf-8", newline="") as file:
        ids = sorted(articles)
        for start in range(0, len(ids), 1000):
            rows = Article.objects.filter(pk__in=ids[start : start + 1000]).values_list(
                "pk", "channel__slug", "title", "summary"
            )
            for pk, channel, title, summary in rows:
                url = f"{settings.ZIXUN_SITE_URL.rstrip('/')}/article/{pk}/"
                file.write("\t".join([f"N{pk}", channel or "", "", _clean(title),
                                      _clean(summary), url, "[]", "[]"]) + "\n")  # fmt: skip
                written += 1
    os.replace(partial, news)
    return impressions, written
