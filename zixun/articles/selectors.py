"""Reads of articles: the article page, its blocks and every paginated list.

The site-wide blocks (hot list, channel highlights, 态度原创) are small lists of
``ArticleCard`` kept in the cache, so that a page render costs a few indexed
queries however large the site is. They are keyed by the site version
(``zixun.core.sitecache``), so a publish or an import replaces them all at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import get_language

from zixun.accounts.models import User
from zixun.articles.covers import Cover, cover_of
from zixun.articles.models import Article, Image, Revision
from zixun.channels.models import Channel
from zixun.core.pagination import Keyset, Page, PageRequest, keyset_page
from zixun.core.sitecache import block_get
from zixun.core.sqlmemo import memo_objects, memo_rows
from zixun.creators.models import Creator


class _Story(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def story_id(self) -> int: ...


T = TypeVar("T", bound=_Story)

CARD_FIELDS = (
    "id", "title", "published_at", "creator__name", "creator_id",
    "cover_image", "cover_width", "cover_height", "cover_renditions", "label", "duplicate_of_id",
)  # fmt: skip


@dataclass(frozen=True)
class ArticleCard:
    """What a list item shows: title, account and time; links resolved once, when built."""

    id: int
    title: str
    creator_name: str
    creator_id: int
    published_at: datetime
    url: str
    creator_url: str
    cover: Cover | None = None
    label: str = ""  # Article.Label: 辟谣, 不实信息, 有争议
    story_id: int = 0  # near-duplicates share their original's id

    @property
    def label_name(self) -> str:
        return str(Article.Label(self.label).label) if self.label else ""


@dataclass(frozen=True)
class ChannelBlock:
    channel_name: str
    channel_name_en: str
    channel_slug: str
    cards: list[ArticleCard]

    @property
    def display_name(self) -> str:
        return self.channel_name_en if get_language() == "en" else self.channel_name


def _published() -> QuerySet[Article]:
    return Article.objects.filter(status=Article.Status.PUBLISHED, deleted_at__isnull=True)


def _cards(queryset: QuerySet[Article], limit: int) -> list[ArticleCard]:
    return _cards_of(queryset.values_list(*CARD_FIELDS)[:limit])


def _cards_of(rows: Iterable[tuple[Any, ...]]) -> list[ArticleCard]:
    """Cards from rows of CARD_FIELDS."""
    # Every card has the same two URL shapes: reverse each once, then fill in ids.
    article_url = reverse("web:article", kwargs={"article_id": 1}).replace("/1/", "/{}/")
    creator_url = reverse("web:account", kwargs={"creator_id": 1}).replace("/1/", "/{}/")
    return [
        ArticleCard(
            id=i,
            title=t,
            published_at=p,
            creator_name=n,
            creator_id=c,
            url=article_url.format(i),
            creator_url=creator_url.format(c),
            # A list thumbnail is decorative: the title beside it says what it is.
            cover=cover_of(name=ci, width=cw, height=ch, renditions=cr, alt=""),
            label=lb,
            story_id=dup or i,
        )
        for i, t, p, n, c, ci, cw, ch, cr, lb, dup in rows
    ]


def stories_once(items: Iterable[T]) -> list[T]:
    """The items with one of each story, at the place of the story's first item: the original
    if it is among them (the copy that came first gives it its place), else the first copy.
    Items have ``id`` and ``story_id`` (cards, articles)."""
    listed = list(items)
    chosen: dict[int, T] = {}
    for item in listed:
        story = item.story_id
        if story not in chosen or item.id == story:
            chosen[story] = item
    kept, seen = [], set()
    for item in listed:
        if item.story_id not in seen:
            seen.add(item.story_id)
            kept.append(chosen[item.story_id])
    return kept


def article_clickbait(*, ids: Iterable[int]) -> dict[int, float]:
    """The stored 标题党 score of each of ``ids`` that has one above 0 (by primary key)."""
    rows = Article.objects.filter(pk__in=list(ids), clickbait__gt=0).values_list("pk", "clickbait")
    return dict(rows)


def article_channels(*, ids: Iterable[int]) -> dict[int, int | None]:
    """The channel of each published article among ``ids`` (offline ones are left out).
    Looked up by primary key, the state checked here: with it in the WHERE clause SQLite
    prefers the article_latest index and walks every published article (300 ms at a
    million) instead of fetching the few rows."""
    rows = Article.objects.filter(pk__in=list(ids)).values_list(
        "pk", "channel_id", "status", "deleted_at"
    )
    return {pk: channel for pk, channel, status, deleted in rows
            if status == Article.Status.PUBLISHED and not deleted}  # fmt: skip


def article_published_ids(*, ids: Iterable[int]) -> set[int]:
    """The published articles among ``ids`` (by primary key, see article_channels)."""
    return set(article_channels(ids=ids))


def _cards_by_id(ids: tuple[int, ...]) -> QuerySet[Article]:
    # By primary key, the state checked by the caller (see article_channels), and no ORDER BY
    # (the order is ids'): Article's default one makes SQLite walk article_latest to avoid a
    # sort of a handful of rows.
    return (
        Article.objects.filter(pk__in=ids)
        .order_by()
        .values_list(*CARD_FIELDS, "status", "deleted_at")
    )


def article_cards(*, ids: list[int]) -> list[ArticleCard]:
    """The cards of the published articles among ``ids``, in the order of ``ids``: one query,
    compiled once per number of ids (zixun/core/sqlmemo.py)."""
    if not ids:
        return []
    rows = memo_rows(_cards_by_id, tuple(map(int, ids)))  # ints from any source (numpy, JSON)
    live = [row[:-2] for row in rows if row[-2] == Article.Status.PUBLISHED and not row[-1]]
    cards = {card.id: card for card in _cards_of(live)}
    return stories_once(cards[i] for i in ids if i in cards)


def article_list_newest_cards(
    *, limit: int, channel_id: int | None = None, since: datetime | None = None
) -> list[ArticleCard]:
    """The newest published articles as cards (a list's cold start), optionally of one channel."""
    queryset = _published()
    if channel_id is not None:
        queryset = queryset.filter(channel_id=channel_id)
    if since is not None:
        queryset = queryset.filter(published_at__gte=since)
    return _cards(queryset.order_by("-published_at", "-id"), limit)


def _published_one(article_id: int) -> QuerySet[Article]:
    return _published().select_related("creator", "channel").filter(pk=article_id).order_by()[:1]


def article_get_published(*, article_id: int) -> Article | None:
    """The published article with its account and channel (the article page's first query,
    compiled once: zixun/core/sqlmemo.py)."""
    found = memo_objects(_published_one, article_id)
    return found[0] if found else None


def page_stories_once(page: Page[Article]) -> Page[Article]:
    """The page with one article of each story (a page may then hold fewer than its size)."""
    return replace(page, items=stories_once(page.items))


def article_is_taken_down(*, article_id: int) -> bool:
    """已下架 (and not deleted): readers get a notice in its place, not a missing page."""
    return Article.objects.filter(
        pk=article_id, status=Article.Status.TAKEN_DOWN, deleted_at__isnull=True
    ).exists()


def article_list_latest(*, page: PageRequest, size: int | None = None) -> Page[Article]:
    queryset = _published().select_related("creator", "channel")
    return page_stories_once(keyset_page(queryset, page, size or settings.ZIXUN_PAGE_SIZE))


def article_list_for_channel(
    *, channel: Channel, page: PageRequest, size: int | None = None
) -> Page[Article]:
    queryset = _published().filter(channel=channel).select_related("creator")
    return page_stories_once(keyset_page(queryset, page, size or settings.ZIXUN_PAGE_SIZE))


def article_list_for_creator(
    *, creator: Creator, page: PageRequest, size: int | None = None
) -> Page[Article]:
    queryset = _published().filter(creator=creator).select_related("channel")
    return keyset_page(queryset, page, size or settings.ZIXUN_PAGE_SIZE)


def article_list_pinned(*, limit: int = 5) -> list[ArticleCard]:
    """置顶: the headlines editors pinned, most recently pinned first. Read through the partial
    index article_pinned (only pinned rows), the state checked here: with it in the WHERE
    clause SQLite walks every published article instead (see article_published_ids)."""
    rows = (
        Article.objects.filter(pinned_at__isnull=False)
        .order_by("-pinned_at", "-id")
        .values_list("pk", "status", "deleted_at")[: limit * 4]
    )
    ids = [pk for pk, status, deleted in rows if status == Article.Status.PUBLISHED and not deleted]
    return article_cards(ids=ids[:limit])


def article_list_related(*, article: Article, limit: int = 8) -> list[ArticleCard]:
    """The newest articles of the same channel: 相关推荐 until the article's similar ones are
    computed (zixun/ranking/related.py)."""
    queryset = (
        _published()
        .filter(channel_id=article.channel_id)
        .exclude(pk=article.pk)
        .order_by("-published_at", "-id")
    )
    return _cards(queryset, limit)


def _past(creator_id: int, article_id: int, limit: int) -> QuerySet[Article]:
    queryset = _published().filter(creator_id=creator_id).exclude(pk=article_id)
    return queryset.order_by("-published_at", "-id").values_list(*CARD_FIELDS)[:limit]


def article_list_past(*, article: Article, limit: int = 5) -> list[ArticleCard]:
    """往期回顾: the account's other articles, newest first (compiled once: sqlmemo)."""
    return _cards_of(memo_rows(_past, article.creator_id, article.pk, fixed=(limit,)))


def _channel_blocks(channels: QuerySet[Channel], *, original: bool, per: int) -> list[ChannelBlock]:
    blocks = []
    for channel in channels:
        queryset = _published().filter(channel=channel)
        if original:
            queryset = queryset.filter(is_original=True)
        cards = _cards(queryset.order_by("-published_at", "-id"), per)
        blocks.append(
            ChannelBlock(
                channel_name=channel.name,
                channel_name_en=channel.name_en or channel.name,
                channel_slug=channel.slug,
                cards=cards,
            )
        )
    return blocks


def channel_highlights_get(*, per: int = 1) -> list[ChannelBlock]:
    """头条要闻, 体育要闻 …: the top story of each highlighted channel."""
    channels = Channel.objects.filter(is_active=True, is_highlighted=True)
    return block_get(
        f"highlights:{per}", lambda: _channel_blocks(channels, original=False, per=per)
    )


def originals_get(*, per: int = 1) -> list[ChannelBlock]:
    """态度原创: the newest original (原创) article of each original-content category."""
    channels = Channel.objects.filter(is_active=True, is_original_category=True)
    return block_get(f"originals:{per}", lambda: _channel_blocks(channels, original=True, per=per))


# The studio and the review queues -----------------------------------------------------------

STUDIO_PAGE = 30
# The studio and the queues are keyset-paginated on id (zixun/core/pagination.py).
NEWEST_ID = Keyset()
OLDEST_ID = Keyset(descending=False)


def article_get_for_edit(*, user: User, article_id: int) -> Article:
    """An article the user may edit: a member of its account, or an editor.

    Raises Article.DoesNotExist otherwise, so that the view answers 404 and does
    not reveal that someone else's draft exists.
    """
    queryset = Article.objects.select_related("creator", "channel")
    if not user.is_editor:
        queryset = queryset.filter(creator__members=user, deleted_at__isnull=True)
    return queryset.get(pk=article_id)


def article_list_for_studio(
    *, user: User, page: PageRequest | None = None, creator_id: int | None = None,
    size: int = STUDIO_PAGE,
) -> Page[Article]:  # fmt: skip
    """The articles of every account the user is a member of (or of ``creator_id`` among
    them: an account token's list), newest first (keyset on id)."""
    queryset = Article.objects.filter(creator__members=user, deleted_at__isnull=True)
    if creator_id is not None:
        queryset = queryset.filter(creator_id=creator_id)
    return keyset_page(
        queryset.select_related("creator", "channel"), page or PageRequest(), size, NEWEST_ID
    )


def article_list_pending(*, page: PageRequest | None = None) -> Page[Article]:
    """The review queue, oldest first: the article that has waited longest is on top."""
    queryset = Article.objects.filter(status=Article.Status.PENDING, deleted_at__isnull=True)
    return keyset_page(
        queryset.select_related("creator", "channel"), page or PageRequest(), STUDIO_PAGE, OLDEST_ID
    )


def article_list_deleted(*, page: PageRequest | None = None) -> Page[Article]:
    """Deleted articles an editor may restore, most recently created first (keyset on id)."""
    queryset = Article.objects.filter(deleted_at__isnull=False)
    return keyset_page(
        queryset.select_related("creator", "channel"), page or PageRequest(), STUDIO_PAGE, NEWEST_ID
    )


def revision_list(*, article: Article) -> QuerySet[Revision]:
    """Every revision, for the account's members and editors (taken-down ones marked)."""
    return article.revisions.select_related("author").order_by("-number")


def revision_list_public(*, article: Article) -> QuerySet[Revision]:
    """The public history (更新记录): only of a published article, and never the revisions
    an editor's takedown hid (``taken_down_at``), even after the article is live again."""
    if article.status != Article.Status.PUBLISHED or article.deleted_at:
        return Revision.objects.none()
    return revision_list(article=article).filter(taken_down_at__isnull=True)


def image_list_for_creator(*, creator_id: int, limit: int = 60) -> list[Image]:
    return list(Image.objects.filter(creator_id=creator_id)[:limit])


def _empty_draft() -> Q:
    """A draft nobody has written in yet: what 写文章 opened and the creator left."""
    return Q(
        status=Article.Status.DRAFT, deleted_at__isnull=True, title="", body_source="",
        summary="", tags=[], cover_image="",
    )  # fmt: skip


def article_list_for_studio_written(
    *, user: User, page: PageRequest | None = None
) -> Page[Article]:
    """The studio's list without the empty drafts that 写文章 opened and the creator left."""
    queryset = Article.objects.filter(creator__members=user, deleted_at__isnull=True).exclude(
        _empty_draft()
    )
    return keyset_page(
        queryset.select_related("creator", "channel"), page or PageRequest(), STUDIO_PAGE, NEWEST_ID
    )


def article_get_empty_draft(*, creator_id: int) -> Article | None:
    """The account's oldest empty draft, which 写文章 opens again rather than adding another."""
    return Article.objects.filter(_empty_draft(), creator_id=creator_id).order_by("id").first()


@dataclass(frozen=True)
class StudioTotals:
    articles: int
    views: int
    likes: int
    comments: int
    shares: int


def article_totals_for_studio(*, user: User) -> dict[int, StudioTotals]:
    """Each of the user's accounts: its articles and their reads, likes, comments and shares."""
    rows = (
        Article.objects.filter(creator__members=user, deleted_at__isnull=True)
        .exclude(_empty_draft())
        .values("creator_id")
        .annotate(
            n=Count("id"),
            n_views=Sum("view_count"),
            n_likes=Sum("like_count"),
            n_comments=Sum("comment_count"),
            n_shares=Sum("share_count"),
        )
        .order_by()
    )
    return {
        row["creator_id"]: StudioTotals(
            row["n"],
            row["n_views"] or 0,
            row["n_likes"] or 0,
            row["n_comments"] or 0,
            row["n_shares"] or 0,
        )
        for row in rows
    }
