"""Reads of ranking: the hot lists and the public record of editors' interventions."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from zixun.articles.models import Article
from zixun.articles.selectors import (
    ArticleCard,
    article_cards,
    article_list_newest_cards,
    article_list_related,
)
from zixun.core.pagination import Keyset, Page, PageRequest, keyset_page
from zixun.core.sitecache import block_get
from zixun.ranking.hot import heat_now, penalties
from zixun.ranking.hotstore import hot_store
from zixun.ranking.models import HotIntervention
from zixun.ranking.related import related_ids_of

Action = HotIntervention.Action


@dataclass(frozen=True)
class HotItem:
    """One place on a hot list: the card, its rank, its heat now, and whether an editor pinned it."""

    card: ArticleCard
    rank: int
    heat: int
    pinned: bool = False


def _active() -> tuple[set[int], list[tuple[int, int]]]:
    """The removed article ids and the pins (article id, position) in force."""
    removed: set[int] = set()
    pins: list[tuple[int, int]] = []
    rows = HotIntervention.objects.filter(ended_at__isnull=True).values_list(
        "article_id", "action", "position"
    )
    for article_id, action, position in rows:
        if action == Action.REMOVE:
            removed.add(article_id)
        else:
            pins.append((article_id, position or 1))
    return removed, sorted(pins, key=lambda pin: pin[1])


def hot_list_build(*, channel_id: int | None = None, limit: int = 10) -> list[HotItem]:
    """The hot list now, uncached: by heat (times the penalty hook), without removed articles,
    editors' pins at their places (global list only), topped up with the newest articles of
    the last ZIXUN_HOT_WINDOW_DAYS days while few readers have acted yet (cold start)."""
    store = hot_store()
    removed, pins = _active()
    if channel_id is not None:
        pins = []
    pinned_ids = {article_id for article_id, _ in pins}
    epoch = store.state()[1]
    now = time.time()
    ranked = [
        (article_id, score)
        for article_id, score in store.top(channel_id=channel_id, limit=limit + len(removed) + 20)
        if article_id not in removed and article_id not in pinned_ids
    ]
    factors = penalties([article_id for article_id, _ in ranked])
    ranked.sort(key=lambda row: (-row[1] * factors[row[0]], row[0]))
    heat = {a: heat_now(s * factors[a], epoch, now) for a, s in ranked}
    cards = article_cards(ids=[article_id for article_id, _ in ranked])
    if len(cards) < limit:
        since = timezone.now() - timedelta(days=settings.ZIXUN_HOT_WINDOW_DAYS)
        seen = {card.id for card in cards} | removed | pinned_ids
        newest = article_list_newest_cards(limit=limit * 2, channel_id=channel_id, since=since)
        cards += [card for card in newest if card.id not in seen][: limit - len(cards)]
    items: list[tuple[ArticleCard, bool]] = [(card, False) for card in cards[:limit]]
    pin_cards = {card.id: card for card in article_cards(ids=[a for a, _ in pins])}
    for article_id, position in pins:
        if article_id in pin_cards:
            items.insert(min(position, len(items) + 1) - 1, (pin_cards[article_id], True))
    return [
        HotItem(card=card, rank=rank, heat=round(heat.get(card.id, 0.0)), pinned=pinned)
        for rank, (card, pinned) in enumerate(items[:limit], start=1)
    ]


def hot_list(*, channel_id: int | None = None, limit: int = 10) -> list[HotItem]:
    """The hot list, cached for ZIXUN_BLOCK_CACHE_SECONDS (and rebuilt at once after a
    publish, takedown or an editor's intervention: a new site version)."""
    return block_get(
        f"hotlist:{channel_id or 'all'}:{limit}",
        lambda: hot_list_build(channel_id=channel_id, limit=limit),
    )


def hot_cards(*, limit: int = 10) -> list[ArticleCard]:
    """热点推荐 (the side column): the global hot list's cards."""
    return [item.card for item in hot_list(limit=limit)]


def related_cards(*, article: Article, limit: int = 8) -> list[ArticleCard]:
    """相关推荐: the list computed at publish (zixun/ranking/related.py), offline articles
    left out; the newest of the same channel for an article that has none yet (imported
    before ``zixun related-rebuild``)."""
    cards = article_cards(ids=related_ids_of(article.pk)[:limit])
    if cards:
        return cards
    return article_list_related(article=article, limit=limit)


NEWEST = Keyset()


def hot_interventions(*, page: PageRequest | None = None) -> Page[HotIntervention]:
    """Editors' interventions, newest first (keyset on id), for the 热榜说明 page."""
    queryset: QuerySet[HotIntervention] = HotIntervention.objects.select_related(
        "article", "by", "ended_by"
    )
    return keyset_page(queryset, page or PageRequest(), 30, NEWEST)
