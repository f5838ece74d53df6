"""Reads for readers: comment threads, what a reader has done, their own lists."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import Model, Prefetch, Q, QuerySet

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.core.pagination import INVALID_CURSOR, InvalidCursorError
from zixun.creators.models import Follow
from zixun.engagement.models import Comment, Favorite, Like, Reading

SORTS = {"hot": ("reply_count", "-reply_count"), "new": ("created_at", "-created_at")}
REPLIES_SHOWN = 5
T = TypeVar("T", bound=Model)


@dataclass(frozen=True)
class CommentPage:
    items: Sequence[Comment]
    older: str | None  # cursor of the next page, None on the last


def _encode(value: object, pk: int) -> str:
    raw = f"{value}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        value, pk = raw.rsplit("|", 1)
        return value, int(pk)
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise InvalidCursorError(INVALID_CURSOR) from error


def _visible_or_thread() -> Q:
    # A deleted comment that still has replies keeps its place as "该跟贴已删除".
    return Q(status=Comment.Status.VISIBLE) | Q(status=Comment.Status.DELETED, reply_count__gt=0)


def comment_list_for_article(
    *, article: Article, sort: str = "hot", after: str | None = None, size: int = 10
) -> CommentPage:
    """Top-level 跟贴, keyset-paginated by (reply count or time, id), each with its newest replies."""
    field, order = SORTS.get(sort, SORTS["hot"])
    replies = Comment.objects.filter(status=Comment.Status.VISIBLE).select_related("user")
    queryset = (
        Comment.objects.filter(_visible_or_thread(), article=article, parent__isnull=True)
        .select_related("user")
        # The first replies of each thread only (a window query): a thread with
        # thousands of replies costs the page no more; the rest are on its thread page.
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=replies.order_by("created_at", "id")[:REPLIES_SHOWN],
                to_attr="shown_replies",
            )
        )
        .order_by(order, "-id")
    )
    if after:
        value, pk = _decode(after)
        if field == "reply_count":
            if not value.isdigit():
                raise InvalidCursorError(INVALID_CURSOR)
            bound: object = int(value)
        else:
            from datetime import datetime

            try:
                bound = datetime.fromisoformat(value)
            except ValueError as error:
                raise InvalidCursorError(INVALID_CURSOR) from error
        queryset = queryset.filter(Q(**{f"{field}__lt": bound}) | Q(**{field: bound, "pk__lt": pk}))
    rows = list(queryset[: size + 1])
    items = rows[:size]
    older = None
    if len(rows) > size:
        last = items[-1]
        key = str(last.reply_count) if field == "reply_count" else last.created_at.isoformat()
        older = _encode(key, last.pk)
    return CommentPage(items=items, older=older)


def comment_list_pending(*, limit: int = 50) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(status=Comment.Status.PENDING)
        .select_related("user", "article")
        .order_by("created_at", "id")[:limit]
    )


@dataclass(frozen=True)
class ReaderState:
    liked: bool = False
    favorited: bool = False
    following: bool = False
    # The counters as this reader sees them now (None: not asked for).
    like_count: int | None = None
    favorite_count: int | None = None
    follower_count: int | None = None


def reader_state(*, user: User, article: Article) -> ReaderState:
    """What the signed-in reader has done to this article and its account (one query)."""
    return reader_state_for(user=user, article_id=article.pk, creator_id=article.creator_id)


def reader_state_for(
    *, user: User, article_id: int | None = None, creator_id: int | None = None
) -> ReaderState:
    """What the reader has done to the article and the account given by id, and their
    counters now (one query)."""
    from django.db.models import Subquery

    from zixun.creators.models import Creator, Follow

    none = User.objects.none().values("pk")
    article = Article.objects.filter(pk=article_id or 0)
    creator = Creator.objects.filter(pk=creator_id or 0)
    liked = Like.objects.filter(user=user, article_id=article_id or 0).values("pk")
    favorited = Favorite.objects.filter(user=user, article_id=article_id or 0).values("pk")
    following = Follow.objects.filter(user=user, creator_id=creator_id or 0).values("pk")
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            liked=_exists(liked if article_id else none),
            favorited=_exists(favorited if article_id else none),
            following=_exists(following if creator_id else none),
            like_count=Subquery(article.values("like_count")[:1]),
            favorite_count=Subquery(article.values("favorite_count")[:1]),
            follower_count=Subquery(creator.values("follower_count")[:1]),
        )
        .values("liked", "favorited", "following", "like_count", "favorite_count", "follower_count")
        .first()
    )
    return ReaderState(**row) if row else ReaderState()


def _exists(queryset: QuerySet[Any]) -> object:
    from django.db.models import Exists

    return Exists(queryset)


@dataclass(frozen=True)
class MinePage(Generic[T]):
    """One page of a reader's own list, newest first; ``older`` is the next page's cursor."""

    items: list[T]
    older: str | None


def _mine(queryset: QuerySet[T], *, field: str, after: str | None, size: int) -> MinePage[T]:
    """Keyset over (field, id), newest first: one index range scan per page, never OFFSET."""
    queryset = queryset.order_by(f"-{field}", "-pk")
    if after:
        stamp, pk = _decode(after)
        try:
            bound = datetime.fromisoformat(stamp)
        except ValueError as error:
            raise InvalidCursorError(INVALID_CURSOR) from error
        if bound.tzinfo is None or not 0 < pk < 2**63:
            raise InvalidCursorError(INVALID_CURSOR)
        # The first term bounds the range scan; the second only drops the ties.
        queryset = queryset.filter(
            Q(**{f"{field}__lte": bound}) & (Q(**{f"{field}__lt": bound}) | Q(pk__lt=pk))
        )
    rows = list(queryset[: size + 1])
    items = rows[:size]
    older = None
    if len(rows) > size:
        last = items[-1]
        older = _encode(getattr(last, field).isoformat(), last.pk)
    return MinePage(items=items, older=older)


def favorite_list(
    *, user: User, after: str | None = None, size: int | None = None
) -> MinePage[Favorite]:
    """The reader's 收藏, newest first."""
    queryset = Favorite.objects.filter(user=user).select_related("article__creator")
    return _mine(queryset, field="created_at", after=after, size=size or settings.ZIXUN_PAGE_SIZE)


def reading_list(
    *, user: User, after: str | None = None, size: int | None = None
) -> MinePage[Reading]:
    """The reader's history, last read first."""
    queryset = Reading.objects.filter(user=user).select_related("article__creator")
    return _mine(queryset, field="read_at", after=after, size=size or settings.ZIXUN_PAGE_SIZE)


def comment_list_for_user(
    *, user: User, after: str | None = None, size: int | None = None
) -> MinePage[Comment]:
    """The reader's own 跟贴 (any status but deleted), newest first."""
    queryset = Comment.objects.filter(user=user).exclude(status=Comment.Status.DELETED)
    queryset = queryset.select_related("article")
    return _mine(queryset, field="created_at", after=after, size=size or settings.ZIXUN_PAGE_SIZE)


def follow_list(
    *, user: User, after: str | None = None, size: int | None = None
) -> MinePage[Follow]:
    """The accounts the reader follows, most recently followed first."""
    queryset = Follow.objects.filter(user=user).select_related("creator")
    return _mine(queryset, field="created_at", after=after, size=size or settings.ZIXUN_PAGE_SIZE)


def comment_thread(
    *, comment_id: int, after: int | None = None, size: int = 30
) -> tuple[Comment, list[Comment], int | None]:
    """A visible top-level comment and a page of its replies, oldest first (keyset on id).

    Raises Comment.DoesNotExist for a reply, a hidden comment or an offline article.
    """
    parent = (
        Comment.objects.filter(
            _visible_or_thread(),
            pk=comment_id,
            parent__isnull=True,
            article__status=Article.Status.PUBLISHED,
            article__deleted_at__isnull=True,
        )
        .select_related("user", "article")
        .get()
    )
    replies = Comment.objects.filter(parent=parent, status=Comment.Status.VISIBLE)
    if after is not None:
        replies = replies.filter(pk__gt=after)
    rows = list(replies.select_related("user").order_by("id")[: size + 1])
    more = rows[size - 1].pk if len(rows) > size else None
    return parent, rows[:size], more
