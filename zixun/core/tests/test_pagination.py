from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.pagination import (
    INVALID_CURSOR,
    Cursor,
    InvalidCursorError,
    PageRequest,
    keyset_page,
)
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def walk(queryset, size, *, backwards=False):
    """Follow the links from the first (or last) page to the other end."""
    request = PageRequest(last=True) if backwards else PageRequest()
    pages = []
    while True:
        page = keyset_page(queryset, request, size)
        pages.append(page)
        cursor = page.newer if backwards else page.older
        if cursor is None:
            return pages
        request = (
            PageRequest(before=Cursor.decode(cursor))
            if backwards
            else PageRequest(after=Cursor.decode(cursor))
        )


def test_cursor_round_trips():
    cursor = Cursor(published_at=T0, pk=42)
    assert Cursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize(
    "value", ["", "zzz", "!!!!", "MjAyNS0wNS0wMQ", Cursor(T0, 1).encode()[:-3]]
)
def test_bad_cursor_is_a_clear_error(value):
    with pytest.raises(InvalidCursorError, match="分页参数无效"):
        Cursor.decode(value)


def test_unknown_page_word_is_rejected():
    with pytest.raises(InvalidCursorError) as error:
        PageRequest.from_query(QueryDict("page=7"))
    assert str(error.value) == str(INVALID_CURSOR)


@pytest.mark.parametrize(("count", "size"), [(0, 3), (1, 3), (3, 3), (4, 3), (10, 3), (9, 3)])
def test_forward_walk_visits_every_article_once_newest_first(count, size):
    creator = CreatorFactory()
    # Ties in published_at are broken by id, so pairs share a timestamp.
    made = [
        ArticleFactory(creator=creator, published_at=T0 + timedelta(minutes=i // 2))
        for i in range(count)
    ]
    queryset = Article.objects.filter(creator=creator)
    pages = walk(queryset, size)
    seen = [a.pk for page in pages for a in page.items]
    expected = [a.pk for a in sorted(made, key=lambda a: (a.published_at, a.pk), reverse=True)]
    assert seen == expected
    assert pages[0].is_first
    assert pages[-1].is_last
    assert all(len(page.items) == size for page in pages[:-1])


@pytest.mark.parametrize(("count", "size"), [(1, 3), (3, 3), (7, 3), (9, 3)])
def test_backward_walk_from_last_page_visits_every_article(count, size):
    creator = CreatorFactory()
    made = [
        ArticleFactory(creator=creator, published_at=T0 + timedelta(minutes=i // 3))
        for i in range(count)
    ]
    pages = walk(Article.objects.filter(creator=creator), size, backwards=True)
    seen = [a.pk for page in reversed(pages) for a in page.items]
    assert seen == [a.pk for a in sorted(made, key=lambda a: (a.published_at, a.pk), reverse=True)]
    assert pages[0].is_last
    assert pages[-1].is_first


def test_last_page_holds_the_oldest_articles():
    creator = CreatorFactory()
    made = [ArticleFactory(creator=creator, published_at=T0 + timedelta(days=i)) for i in range(7)]
    page = keyset_page(Article.objects.filter(creator=creator), PageRequest(last=True), 3)
    assert [a.pk for a in page.items] == [made[2].pk, made[1].pk, made[0].pk]
    assert page.older is None
    assert page.newer is not None


def test_prev_link_returns_to_the_same_page():
    creator = CreatorFactory()
    for i in range(9):
        ArticleFactory(creator=creator, published_at=T0 + timedelta(days=i))
    queryset = Article.objects.filter(creator=creator)
    first = keyset_page(queryset, PageRequest(), 3)
    second = keyset_page(queryset, PageRequest(after=Cursor.decode(first.older)), 3)
    back = keyset_page(queryset, PageRequest(before=Cursor.decode(second.newer)), 3)
    assert [a.pk for a in back.items] == [a.pk for a in first.items]
    assert back.is_first


def test_cursor_past_the_end_gives_an_empty_page():
    creator = CreatorFactory()
    ArticleFactory(creator=creator, published_at=T0)
    page = keyset_page(
        Article.objects.filter(creator=creator),
        PageRequest(after=Cursor(published_at=T0 - timedelta(days=1), pk=1)),
        3,
    )
    assert page.items == []
    assert page.older is None
    assert page.newer is None


@pytest.mark.parametrize(
    "request_", [PageRequest(), PageRequest(last=True), PageRequest(after=Cursor(T0, 10**9))]
)
def test_every_page_is_one_query_without_offset(request_):
    creator = CreatorFactory()
    for i in range(5):
        ArticleFactory(creator=creator, published_at=T0 + timedelta(days=i))
    with CaptureQueriesContext(connection) as queries:
        keyset_page(Article.objects.filter(creator=creator), request_, 2)
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert "OFFSET" not in sql
    assert "LIMIT 3" in sql
