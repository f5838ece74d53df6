"""Reads for the RSS and Atom feeds and the sitemaps (zixun/web/syndication.py, sitemaps.py).

The feeds take the first page of the lists the site already shows (home, channel, account,
热榜), so a feed holds what its page holds. The sitemaps walk the articles and accounts in
id ranges: each shard is one primary-key range scan of at most ``size`` rows, whatever the
size of the site, and a published article is in exactly one shard (the one of its id).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from zixun.articles import selectors as articles
from zixun.articles.models import Article
from zixun.channels.models import Channel
from zixun.core.pagination import PageRequest
from zixun.creators.models import Creator
from zixun.ranking.selectors import hot_list


def syndication_latest(*, limit: int) -> list[Article]:
    """The newest published articles (the home page's list), with account and channel."""
    return articles.article_list_latest(page=PageRequest(), size=limit).items


def syndication_for_channel(*, channel: Channel, limit: int) -> list[Article]:
    """The channel's newest published articles, with their account."""
    items = articles.article_list_for_channel(channel=channel, page=PageRequest(), size=limit)
    for article in items.items:
        article.channel = channel  # the one channel of them all: no query per item
    return items.items


def syndication_for_creator(*, creator: Creator, limit: int) -> list[Article]:
    """The account's newest published articles, with their channel."""
    items = articles.article_list_for_creator(creator=creator, page=PageRequest(), size=limit)
    for article in items.items:
        article.creator = creator
    return items.items


def _published_by_ids(ids: list[int]) -> list[Article]:
    """The published articles among ``ids``, in the order of ``ids``. Fetched by primary
    key and checked here (see articles.selectors.article_channels for why)."""
    rows = Article.objects.filter(pk__in=ids).select_related("creator", "channel").order_by()
    live = {a.pk: a for a in rows if a.status == Article.Status.PUBLISHED and not a.deleted_at}
    return [live[i] for i in ids if i in live]


def syndication_hot(*, limit: int) -> list[Article]:
    """The hot list (热榜) in its order, as the hot page shows it."""
    return _published_by_ids([item.card.id for item in hot_list(limit=limit)])


# Sitemaps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SitemapRow:
    id: int
    lastmod: datetime | None


def _bounds(queryset: QuerySet[Any]) -> tuple[int, int] | None:
    """The lowest and the highest id of ``queryset`` (None when it is empty): two queries
    that each read one end of an index on id (one query with MIN and MAX reads every row
    on SQLite)."""
    low = queryset.order_by("pk").values_list("pk", flat=True).first()
    high = queryset.order_by("-pk").values_list("pk", flat=True).first()
    return None if low is None or high is None else (low, high)


def sitemap_article_bounds() -> tuple[int, int] | None:
    """The lowest and the highest id of a published article, on the (status, id) index
    article_review_queue."""
    return _bounds(Article.objects.filter(status=Article.Status.PUBLISHED))


def sitemap_article_rows(*, id_from: int, id_to: int) -> list[SitemapRow]:
    """The published articles with ids in [id_from, id_to), by id, with the time they last
    changed for readers (a revision, else the publication). One primary-key range scan;
    the state is checked here, not in SQL, so that no database walks another index."""
    rows = (
        Article.objects.filter(pk__gte=id_from, pk__lt=id_to)
        .order_by("pk")
        .values_list("pk", "status", "deleted_at", "published_at", "revised_at")
    )
    return [SitemapRow(pk, revised or published) for pk, status, deleted, published, revised in rows
            if status == Article.Status.PUBLISHED and deleted is None]  # fmt: skip


@dataclass(frozen=True)
class NewsRow:
    id: int
    title: str
    published_at: datetime


def sitemap_news_rows(*, since: datetime, limit: int) -> list[NewsRow]:
    """The articles published since ``since``, newest first (article_latest index)."""
    rows = (
        Article.objects.filter(
            status=Article.Status.PUBLISHED, deleted_at__isnull=True, published_at__gte=since
        )
        .order_by("-published_at", "-id")
        .values_list("pk", "title", "published_at")[:limit]
    )
    return [NewsRow(pk, title, at) for pk, title, at in rows if at is not None]


def sitemap_creator_bounds() -> tuple[int, int] | None:
    """The lowest and the highest account id."""
    return _bounds(Creator.objects.all())


def sitemap_creator_rows(*, id_from: int, id_to: int) -> list[SitemapRow]:
    """The accounts with ids in [id_from, id_to) that have published articles, by id."""
    rows = (
        Creator.objects.filter(pk__gte=id_from, pk__lt=id_to)
        .order_by("pk")
        .values_list("pk", "article_count")
    )
    return [SitemapRow(pk, None) for pk, count in rows if count > 0]


def sitemap_shards(bounds: tuple[int, int] | None, size: int) -> Iterable[int]:
    """The shard numbers that cover ids from the lowest to the highest: shard k holds the
    ids in [k * size, (k + 1) * size)."""
    if bounds is None:
        return range(0)
    return range(bounds[0] // size, bounds[1] // size + 1)
