from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zixun.articles import selectors
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.core.pagination import Cursor, PageRequest
from zixun.core.sitecache import site_version_bump
from zixun.core.testing import page_walk
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db


def plan(sql):
    """The query plan of an executed statement (as the test database recorded it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Plan with statistics of the rows the test made, not of whatever the table held
            # when autovacuum last looked. On a few hundred rows a scan and a sort are the
            # cheapest plan; turning both off asks whether an index can give the page its
            # order at all, which is what a million rows need.
            cursor.execute("ANALYZE articles_article")
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize(
    "request_",
    [
        PageRequest(),
        PageRequest(last=True),
        PageRequest(after=Cursor(timezone.now(), 10)),
        PageRequest(before=Cursor(timezone.now() - timedelta(days=999), 10)),
    ],
    ids=["first", "last", "after", "before"],
)
def test_account_pages_are_index_range_scans_without_sorting(request_):
    """The last page of a 1,076,115-article account costs what its first does."""
    creator = CreatorFactory()
    for _ in range(30):
        ArticleFactory(creator=creator)
    others = CreatorFactory()  # the site has other accounts: the account's filter is selective
    Article.objects.bulk_create(ArticleFactory.build_batch(300, creator=others))
    with CaptureQueriesContext(connection) as queries:
        selectors.article_list_for_creator(creator=creator, page=request_, size=20)
    (query,) = queries
    assert "OFFSET" not in query["sql"].upper()
    text = plan(query["sql"])
    assert "article_by_creator" in text, text
    assert "TEMP B-TREE" not in text, text  # SQLite sorts in a temp b-tree
    assert "Sort" not in text, text  # PostgreSQL shows a Sort node
    if request_.after or request_.before:
        # The cursor bounds the index range itself: no scan from the start.
        bound = [
            line
            for line in text.splitlines()
            if "article_by_creator" in line or "Index Cond" in line
        ]
        assert any("published_at" in line for line in bound), text


def test_related_is_same_channel_newest_first_without_the_article():
    sports = channel("sports")
    article = ArticleFactory(channel=sports)
    older = ArticleFactory(channel=sports, published_at=article.published_at - timedelta(days=1))
    newer = ArticleFactory(channel=sports, published_at=article.published_at + timedelta(days=1))
    ArticleFactory(channel=channel("ent"))
    ArticleFactory(channel=sports, status=Article.Status.UNPUBLISHED)
    cards = selectors.article_list_related(article=article)
    assert [c.id for c in cards] == [newer.id, older.id]
    assert cards[0].creator_name == newer.creator.name


def test_blocks_are_cached_until_the_site_version_changes(django_assert_num_queries):
    ArticleFactory(title="第一篇", channel=channel("sports"))
    selectors.channel_highlights_get()
    with django_assert_num_queries(0):
        blocks = selectors.channel_highlights_get()
    assert [c.title for b in blocks if b.channel_slug == "sports" for c in b.cards] == ["第一篇"]
    ArticleFactory(title="第二篇", channel=channel("sports"))
    site_version_bump()  # what every publish, edit and import does
    blocks = selectors.channel_highlights_get()
    assert [c.title for b in blocks if b.channel_slug == "sports" for c in b.cards] == ["第二篇"]


def test_originals_show_only_original_articles():
    ArticleFactory(title="转载", channel=channel("health"), is_original=False)
    original = ArticleFactory(
        title="原创", channel=channel("health"), is_original=True,
        published_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    blocks = {b.channel_slug: b for b in selectors.originals_get()}
    assert [c.id for c in blocks["health"].cards] == [original.id]
    assert set(blocks) == {"health", "mobile", "digi", "fashion", "art"}


# The studio and the review queues: keyset on id -----------------------------------------------


def walk(list_, **kwargs):
    """Every page of a studio or queue selector, following ``next`` from the first page."""
    return page_walk(lambda request: list_(**kwargs, page=request))


def test_studio_pages_the_members_articles_newest_first(writer, creator, settings):
    # given: 31 of the writer's articles (one deleted) and someone else's
    made = ArticleFactory.create_batch(selectors.STUDIO_PAGE + 1, creator=creator)
    Article.objects.filter(pk=made[5].pk).update(deleted_at=timezone.now())
    ArticleFactory()
    # when
    pages = walk(selectors.article_list_for_studio, user=writer)
    # then
    assert [len(p.items) for p in pages] == [selectors.STUDIO_PAGE]
    assert [a.pk for p in pages for a in p.items] == sorted(
        (a.pk for a in made if a != made[5]), reverse=True
    )
    ArticleFactory(creator=creator)
    pages = walk(selectors.article_list_for_studio, user=writer)
    assert [len(p.items) for p in pages] == [selectors.STUDIO_PAGE, 1]
    assert pages[1].has_previous


def test_review_queue_pages_oldest_first_and_deleted_newest_first():
    pending = ArticleFactory.create_batch(
        selectors.STUDIO_PAGE + 2, status=Article.Status.PENDING, published_at=None
    )
    deleted = ArticleFactory.create_batch(3, deleted_at=timezone.now())
    queue = walk(selectors.article_list_pending)
    assert [len(p.items) for p in queue] == [selectors.STUDIO_PAGE, 2]
    assert [a.pk for p in queue for a in p.items] == [a.pk for a in pending]
    assert [a.pk for a in selectors.article_list_deleted().items] == [
        a.pk for a in reversed(deleted)
    ]


@pytest.mark.parametrize("list_", [selectors.article_list_pending, selectors.article_list_deleted])
def test_queue_pages_are_one_query_and_refuse_other_lists_cursors(list_):
    from zixun.core.pagination import InvalidCursorError

    ArticleFactory.create_batch(3, status=Article.Status.PENDING, published_at=None)
    with CaptureQueriesContext(connection) as queries:
        list_(page=PageRequest(after=Cursor((), 10**6)))
    assert len(queries) == 1
    assert "OFFSET" not in queries[0]["sql"].upper()
    with pytest.raises(InvalidCursorError):
        list_(page=PageRequest(after=Cursor((timezone.now(),), 10)))
