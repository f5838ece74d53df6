"""The follow feed (关注): the newest articles of the accounts a reader follows.

Pull on read (docs/adr/0010-follow-feed-pull-on-read.md): publishing writes
nothing per follower, so an article of an account with 198,203 followers is in
every follower's feed the moment it is published, and the feed is assembled
when it is read.

A page is the merge of one small index range scan per followed account, each
on ``article_by_creator`` (creator, status, -published_at, -id) and bounded by
the page cursor and ``size + 1`` rows. Its cost grows with the number of
followed accounts, never with how many articles they have. The other plan,
``creator_id IN (…) ORDER BY published_at``, either walks the site-wide
``article_latest`` index past everyone else's articles or sorts every article
of the followed accounts.

- PostgreSQL: one statement, ``unnest(ids) CROSS JOIN LATERAL (…)``.
- SQLite (no LATERAL): one bounded query per account, merged with ``heapq``;
  each costs tens of microseconds in-process.

Both end by handing the ``size + 1`` candidate ids to ``keyset_page``, which
loads them with their creator and channel and builds the Page and its cursors
exactly as every other list does.
"""

from __future__ import annotations

import heapq
import itertools
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.core.pagination import Page, PageRequest, keyset_page
from zixun.creators.models import Follow

# (published_at, id), the feed's order; published_at is never None once published.
Key = tuple[datetime | None, int]


def _published() -> QuerySet[Article]:
    return Article.objects.filter(status=Article.Status.PUBLISHED, deleted_at__isnull=True)


def _window(page: PageRequest) -> tuple[Q, tuple[str, str], bool]:
    """The cursor bound, the scan order and whether it runs newest first.

    The same bound as ``keyset_page``: the first term bounds the index range
    scan, the second only drops the ties at the cursor.
    """
    if page.after:
        c = page.after
        bound = Q(published_at__lte=c.published_at) & (
            Q(published_at__lt=c.published_at) | Q(pk__lt=c.pk)
        )
        return bound, ("-published_at", "-id"), True
    if page.before:
        c = page.before
        bound = Q(published_at__gte=c.published_at) & (
            Q(published_at__gt=c.published_at) | Q(pk__gt=c.pk)
        )
        return bound, ("published_at", "id"), False
    if page.last:
        return Q(), ("published_at", "id"), False
    return Q(), ("-published_at", "-id"), True


def followed_creator_ids(*, user: User) -> list[int]:
    """The accounts the user follows, suspended ones left out."""
    return list(
        Follow.objects.filter(user=user, creator__is_suspended=False)
        .order_by("creator_id")
        .values_list("creator_id", flat=True)
    )


def follow_exists_for_user(*, user: User) -> bool:
    """Whether the user follows any account (the feed's empty state differs)."""
    return Follow.objects.filter(user=user).exists()


def _inner(page: PageRequest, limit: int, creator: RawSQL | int) -> QuerySet[Article, Key]:
    """One account's bounded scan: at most ``limit`` (published_at, id) in scan order."""
    bound, order, _ = _window(page)
    return (
        _published()
        .filter(bound & Q(creator_id=creator))
        .order_by(*order)
        .values_list("published_at", "id")[:limit]
    )


def _candidates_lateral(creator_ids: list[int], page: PageRequest, limit: int) -> list[int]:
    """PostgreSQL: the first ``limit`` ids over all accounts in one statement.

    The inner query is built by the ORM with the account left open (``f.id``),
    so it carries the same filters and bound as everywhere else; every value is
    a bound parameter.
    """
    inner = _inner(page, limit, RawSQL("f.id", ()))
    inner_sql, inner_params = inner.query.sql_with_params()
    _, _, newest_first = _window(page)
    direction = "DESC" if newest_first else "ASC"
    sql = (
        "SELECT a.id FROM unnest(%s::bigint[]) AS f(id) "  # noqa: S608  only %s placeholders
        f"CROSS JOIN LATERAL ({inner_sql}) AS a "
        f"ORDER BY a.published_at {direction}, a.id {direction} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [creator_ids, *inner_params, limit])
        return [row[0] for row in cursor.fetchall()]


def _candidates_merged(creator_ids: list[int], page: PageRequest, limit: int) -> list[int]:
    """SQLite: one bounded scan per account, merged; the first ``limit`` ids."""
    _, _, newest_first = _window(page)
    runs = [list(_inner(page, limit, creator_id)) for creator_id in creator_ids]
    merged = heapq.merge(*runs, reverse=newest_first)
    return [pk for _, pk in itertools.islice(merged, limit)]


def feed_list_for_user(*, user: User, page: PageRequest, size: int | None = None) -> Page[Article]:
    """关注: the followed accounts' published articles, newest first, keyset-paginated.

    Queries: PostgreSQL 3 (follows, the lateral scan, the articles); SQLite
    one per followed account plus 2.
    """
    size = size or settings.ZIXUN_PAGE_SIZE
    creator_ids = followed_creator_ids(user=user)
    if not creator_ids:
        return Page(items=[], older=None, newer=None)
    if connection.vendor == "postgresql":
        candidates = _candidates_lateral(creator_ids, page, size + 1)
    else:
        candidates = _candidates_merged(creator_ids, page, size + 1)
    if not candidates:
        return Page(items=[], older=None, newer=None)
    # At most size + 1 rows, found by primary key: keyset_page orders them,
    # tells whether a further page exists and writes the cursors.
    queryset = Article.objects.filter(pk__in=candidates).select_related("creator", "channel")
    return keyset_page(queryset, page, size)
