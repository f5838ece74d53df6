import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.core.pagination import Cursor, PageRequest
from zixun.core.testing import page_walk
from zixun.creators.models import Creator, Follow
from zixun.creators.tests.factories import CreatorFactory
from zixun.feeds.selectors import feed_list_for_user

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no LATERAL; its correlated-subquery form is planned in the SQLite test",
)
SQLITE = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the correlated-subquery form runs on SQLite only; PostgreSQL has its LATERAL test",
)


def follow(user, *creators):
    Follow.objects.bulk_create([Follow(user=user, creator=c) for c in creators])


def reference(user):
    """The feed by the naive query: every followed, visible article, newest first."""
    return list(
        Article.objects.filter(
            creator__follows__user=user,
            creator__is_suspended=False,
            status=Article.Status.PUBLISHED,
            deleted_at__isnull=True,
        )
        .order_by("-published_at", "-id")
        .values_list("id", flat=True)
    )


def walk(user, size, *, backwards=False):
    """Follow the pager from the first (or last) page to the other end."""
    return page_walk(
        lambda request: feed_list_for_user(user=user, page=request, size=size),
        backwards=backwards,
    )


def ids(pages):
    return [a.pk for page in pages for a in page.items]


@pytest.fixture
def random_feed():
    """Five followed accounts with interleaved and equal timestamps, plus noise."""
    rng = random.Random(20250501)
    reader = UserFactory()
    followed = [CreatorFactory() for _ in range(5)]
    suspended = CreatorFactory(is_suspended=True)
    stranger = CreatorFactory()
    follow(reader, *followed, suspended)
    # Few distinct minutes: many ties within and across accounts.
    stamps = [T0 + timedelta(minutes=rng.randrange(12)) for _ in range(60)]
    statuses = [Article.Status.PUBLISHED] * 8 + [Article.Status.DRAFT, Article.Status.UNPUBLISHED]
    for i, stamp in enumerate(stamps):
        ArticleFactory(
            creator=rng.choice([*followed, *followed, suspended, stranger]),
            published_at=stamp,
            status=rng.choice(statuses),
            deleted_at=T0 if i % 13 == 0 else None,
        )
    return reader


@pytest.mark.parametrize("size", [1, 2, 3, 7, 50])
def test_walks_match_the_naive_query_both_ways(random_feed, size):
    """Forward from the first page and back from the last: every article once, in order."""
    expected = reference(random_feed)
    assert 20 < len(expected) < 60
    forward = walk(random_feed, size)
    backward = walk(random_feed, size, backwards=True)
    assert ids(forward) == expected
    assert ids(reversed(backward)) == expected
    assert all(0 < len(p.items) <= size for p in forward + backward)
    assert not forward[0].has_previous
    assert not forward[-1].has_next
    assert not backward[0].has_next
    assert not backward[-1].has_previous


def test_pages_carry_creator_and_channel_without_more_queries(random_feed):
    page = feed_list_for_user(user=random_feed, page=PageRequest(), size=5)
    with CaptureQueriesContext(connection) as queries:
        names = [(a.creator.name, a.channel.slug) for a in page.items]
    assert len(names) == 5
    assert len(queries) == 0


def test_only_published_visible_articles_of_followed_active_accounts():
    reader = UserFactory()
    liked, suspended, stranger = CreatorFactory(), CreatorFactory(), CreatorFactory()
    follow(reader, liked, suspended)
    visible = ArticleFactory(creator=liked, title="看得到")
    ArticleFactory(creator=liked, status=Article.Status.UNPUBLISHED)
    ArticleFactory(creator=liked, status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(creator=liked, deleted_at=timezone.now())
    ArticleFactory(creator=suspended)
    ArticleFactory(creator=stranger)
    Creator.objects.filter(pk=suspended.pk).update(is_suspended=True)
    page = feed_list_for_user(user=reader, page=PageRequest())
    assert [a.pk for a in page.items] == [visible.pk]
    assert not page.has_previous
    assert not page.has_next


def test_following_nobody_is_an_empty_page(django_assert_num_queries):
    ArticleFactory()
    reader = UserFactory()
    with django_assert_num_queries(1):
        page = feed_list_for_user(user=reader, page=PageRequest(last=True))
    assert page.items == []
    assert page.next is None
    assert page.previous is None


def test_cursor_at_a_tie_across_accounts_splits_it_exactly():
    reader = UserFactory()
    a, b = CreatorFactory(), CreatorFactory()
    follow(reader, a, b)
    tied = [ArticleFactory(creator=c, published_at=T0) for c in (a, b, a, b)]
    first = feed_list_for_user(user=reader, page=PageRequest(), size=2)
    after = PageRequest(after=Cursor.decode(first.next))
    second = feed_list_for_user(user=reader, page=after, size=2)
    expected = sorted((t.pk for t in tied), reverse=True)
    assert [x.pk for x in first.items + second.items] == expected
    back = feed_list_for_user(
        user=reader, page=PageRequest(before=Cursor.decode(second.previous)), size=2
    )
    assert [x.pk for x in back.items] == expected[:2]


@pytest.fixture
def five_hundred():
    """A reader following 500 accounts, 2 articles each, spread over 500 days."""
    reader = UserFactory()
    creators = Creator.objects.bulk_create([Creator(name=f"关注号{i}") for i in range(500)])
    follow(reader, *creators)
    news = channel()
    Article.objects.bulk_create(
        [
            Article(
                creator=c,
                channel=news,
                title=f"{c.name}的文章{j}",
                status=Article.Status.PUBLISHED,
                published_at=T0 - timedelta(days=i, hours=12 * j),
            )
            for i, c in enumerate(creators)
            for j in range(2)
        ]
    )
    return reader


def test_a_reader_following_500_accounts(five_hundred):
    expected = reference(five_hundred)
    assert len(expected) == 1000
    first = feed_list_for_user(user=five_hundred, page=PageRequest(), size=20)
    assert [a.pk for a in first.items] == expected[:20]
    second = feed_list_for_user(
        user=five_hundred, page=PageRequest(after=Cursor.decode(first.next)), size=20
    )
    assert [a.pk for a in second.items] == expected[20:40]
    last = feed_list_for_user(user=five_hundred, page=PageRequest(last=True), size=20)
    assert [a.pk for a in last.items] == expected[-20:]
    assert not last.has_next
    assert last.has_previous


@pytest.mark.parametrize("kind", ["first", "after", "before", "last"])
def test_query_budget(five_hundred, kind, django_assert_max_num_queries):
    """Three queries on either engine, however many accounts are followed."""
    middle = Article.objects.order_by("-published_at", "-id")[500]
    request = {
        "first": PageRequest(),
        "after": PageRequest(after=Cursor.of(middle)),
        "before": PageRequest(before=Cursor.of(middle)),
        "last": PageRequest(last=True),
    }[kind]
    with django_assert_max_num_queries(3):
        page = feed_list_for_user(user=five_hundred, page=request, size=20)
        [(a.creator.name, a.channel.name) for a in page.items]
    assert len(page.items) == 20


def explain(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")  # tiny test tables would tempt it
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def captured_feed_queries(user, request):
    """The SQL and parameters of each query the feed runs (the test cursor records both)."""
    seen = []

    def record(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        feed_list_for_user(user=user, page=request, size=20)
    return seen


REQUESTS = [
    PageRequest(),
    PageRequest(last=True),
    PageRequest(after=Cursor(T0 + timedelta(days=1), 10)),
    PageRequest(before=Cursor(T0 - timedelta(days=999), 10)),
]
REQUEST_IDS = ["first", "last", "after", "before"]


@pytest.fixture
def reader():
    """A reader following three accounts of five articles each (for the plan tests)."""
    reader = UserFactory()
    creators = [CreatorFactory() for _ in range(3)]
    follow(reader, *creators)
    for c in creators:
        for _ in range(5):
            ArticleFactory(creator=c)
    return reader


@POSTGRES
@pytest.mark.parametrize("request_", REQUESTS, ids=REQUEST_IDS)
def test_postgres_inner_scans_are_article_by_creator_range_scans(request_, reader):
    """One statement; each account's scan reads article_by_creator in order, no sort inside."""
    with connection.cursor() as cursor:
        # Planned as on tables never analysed (rolled back with the test): statistics an earlier
        # test in this database left (an ANALYZE's row count survives its rollback) would change
        # the plan of these few rows.
        tables = "'articles_article'::regclass, 'creators_follow'::regclass"
        cursor.execute(f"DELETE FROM pg_statistic WHERE starelid IN ({tables})")  # noqa: S608
        cursor.execute(f"UPDATE pg_class SET reltuples = -1 WHERE oid IN ({tables})")  # noqa: S608
    (lateral,) = [q for q in captured_feed_queries(reader, request_) if "LATERAL" in q[0]]
    text = explain(*lateral)
    assert "Function Scan on unnest" in text, text
    assert "article_by_creator" in text, text
    # The only sort is the outer merge of ≤ follows × (size + 1) rows.
    assert len(re.findall(r"Sort  \(cost", text)) == 1, text
    assert text.index("Sort") < text.index("Nested Loop"), text
    assert "Seq Scan on articles_article" not in text, text
    if request_.after or request_.before:
        # The cursor bounds each index range itself: no scan from the start.
        assert any("published_at" in line for line in text.splitlines() if "Index Cond" in line), (
            text
        )


@SQLITE
@pytest.mark.parametrize("request_", REQUESTS, ids=REQUEST_IDS)
def test_sqlite_inner_scans_are_article_by_creator_range_scans(request_, reader):
    """One statement; each account's correlated scan reads article_by_creator in order."""
    (statement,) = [q for q in captured_feed_queries(reader, request_) if "json_each" in q[0]]
    text = explain(*statement)
    assert "CORRELATED LIST SUBQUERY" in text, text
    scans = [line for line in text.splitlines() if "articles_article" in line]
    bound = " AND published_at<?" if request_.after else ""
    bound += " AND published_at>?" if request_.before else ""
    index = f"article_by_creator (creator_id=? AND status=?{bound})"
    # The cursor bounds each index range itself: no scan from the start.
    assert scans == [f"SEARCH articles_article USING INDEX {index}"], text
    # The articles are read by rowid; the only sort is the outer merge.
    assert "SEARCH a USING INTEGER PRIMARY KEY" in text, text
    assert text.count("TEMP B-TREE") == 1, text
