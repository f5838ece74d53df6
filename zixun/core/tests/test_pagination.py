import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.pagination import (
    BY_PUBLISHED,
    INVALID_CURSOR,
    MAX_CURSOR_LENGTH,
    Cursor,
    InvalidCursorError,
    Keyset,
    Page,
    PageRequest,
    keyset_page,
)
from zixun.core.testing import page_walk
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
NEWEST_ID = Keyset()
OLDEST_ID = Keyset(descending=False)
MOST_VIEWED = Keyset(("view_count", "published_at"), (int, datetime))
LEAST_VIEWED = Keyset(("view_count", "published_at"), (int, datetime), descending=False)
BY_TITLE = Keyset(("title",), (str,), descending=False)


def raw(array) -> str:
    """A cursor written by hand: base64url of the JSON text, unpadded."""
    text = array if isinstance(array, str) else json.dumps(array)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def walk(queryset, size, keyset=BY_PUBLISHED, *, backwards=False):
    """Follow the links from the first (or last) page to the other end."""
    return page_walk(
        lambda request: keyset_page(queryset, request, size, keyset), backwards=backwards
    )


def in_order(rows, keyset):
    def key(row):
        return (*(getattr(row, name) for name in keyset.fields), row.pk)

    return [row.pk for row in sorted(rows, key=key, reverse=keyset.descending)]


# The cursor format -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cursor",
    [
        Cursor((T0,), 42),
        Cursor((T0.replace(microsecond=123456),), 7),
        Cursor((3,), 42),
        Cursor((0,), 1),
        Cursor((-5,), 1),
        Cursor(("标题|带竖线",), 9),
        Cursor((), 2**63 - 1),
        Cursor((12, T0), 5),
    ],
    ids=["datetime", "microseconds", "int", "zero", "negative", "str", "pk-only", "two-values"],
)
def test_cursor_round_trips_for_every_key_type(cursor):
    encoded = cursor.encode()
    assert Cursor.decode(encoded) == cursor
    assert set(encoded) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_cursor_is_base64url_of_a_compact_json_array_with_tagged_datetimes():
    encoded = Cursor((T0,), 42).encode()
    text = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    assert text == '[{"t":"2025-05-01T08:00:00+00:00"},42]'


def test_cursor_datetimes_are_written_in_utc():
    beijing = T0.astimezone(timezone(timedelta(hours=8)))
    encoded = Cursor((beijing,), 1).encode()
    assert encoded == Cursor((T0,), 1).encode()
    assert Cursor.decode(encoded).key[0].utcoffset() == timedelta(0)


def test_cursor_of_reads_the_keyset_fields():
    article = ArticleFactory(published_at=T0, view_count=12)
    assert Cursor.of(article) == Cursor((T0,), article.pk)
    assert Cursor.of(article, MOST_VIEWED) == Cursor((12, T0), article.pk)
    assert Cursor.of(article, NEWEST_ID) == Cursor((), article.pk)


def test_published_at_keyword_builds_the_article_key():
    assert Cursor(published_at=T0, pk=3) == Cursor((T0,), 3) == Cursor(T0, 3)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "zzz",
        "!!!!",
        "WzQyXQ==",  # padding is never written
        "WzQy XQ",
        "MjAyNS0wNS0wMQ",  # "2025-05-01": not JSON
        Cursor((T0,), 1).encode()[:-3],  # truncated
        raw("2025-05-01T08:00:00+00:00|42"),  # the old "value|pk" format
        raw("[]"),
        raw("{}"),
        raw("42"),
        raw("null"),
        raw("[0]"),
        raw("[-1]"),
        raw("[true]"),
        raw('["42"]'),
        raw("[4.2]"),
        raw("[NaN]"),
        raw([2**63]),
        raw([2**63, 1]),
        raw([1.5, 1]),
        raw([None, 1]),
        raw([True, 1]),
        raw([[1], 1]),
        raw(["a\x00b", 1]),
        raw([{"t": "2025-05-01T08:00:00"}, 1]),  # naive
        raw([{"t": "2025-05-01"}, 1]),
        raw([{"t": "yesterday"}, 1]),
        raw([{"t": 1746086400}, 1]),
        raw([{"t": "2025-05-01T08:00:00+00:00", "x": 1}, 1]),
        raw([{"d": "2025-05-01T08:00:00+00:00"}, 1]),
        raw([{"t": "0001-01-01T00:00:00+05:00"}, 1]),  # before year 1 in UTC
        raw([1, 2, 3, 4, 5, 6]),  # more key values than any keyset has
        raw([1]) + "A" * MAX_CURSOR_LENGTH,
        "\u4e2d\u6587",
    ],
)
def test_malformed_cursor_is_a_clear_error(value):
    with pytest.raises(InvalidCursorError) as error:
        Cursor.decode(value)
    assert str(error.value) == str(INVALID_CURSOR)


def test_unknown_page_word_is_rejected():
    with pytest.raises(InvalidCursorError) as error:
        PageRequest.from_query(QueryDict("page=7"))
    assert str(error.value) == str(INVALID_CURSOR)


def test_page_request_reads_after_before_and_last():
    cursor = Cursor((T0,), 5)
    assert PageRequest.from_query(QueryDict(f"after={cursor.encode()}")) == PageRequest(
        after=cursor
    )
    assert PageRequest.from_query(QueryDict(f"before={cursor.encode()}")) == PageRequest(
        before=cursor
    )
    assert PageRequest.from_query(QueryDict("page=last")) == PageRequest(last=True)
    assert PageRequest.from_query(QueryDict("page=first")) == PageRequest()


# A cursor fits one kind of list only -----------------------------------------------------------


@pytest.mark.parametrize(
    ("cursor", "keyset"),
    [
        (Cursor((3,), 42), BY_PUBLISHED),  # a 最热 comment cursor on a newest-first list
        (Cursor((T0,), 42), Keyset(("reply_count",), (int,))),  # and the other way round
        (Cursor((), 42), BY_PUBLISHED),  # a studio (id) cursor on an article list
        (Cursor((T0,), 42), NEWEST_ID),  # an article-list cursor on the review queue
        (Cursor((T0.isoformat(),), 42), BY_PUBLISHED),  # the datetime's tag removed
        (Cursor((T0, 3), 42), MOST_VIEWED),  # the values swapped
        (Cursor((3,), 42), MOST_VIEWED),  # a value missing
        (Cursor((3, T0, 4), 42), MOST_VIEWED),  # a value too many
        (Cursor((True,), 42), Keyset(("reply_count",), (int,))),
    ],
)
def test_a_cursor_of_another_key_type_is_refused(cursor, keyset):
    with pytest.raises(InvalidCursorError):
        keyset.check(cursor)
    for request in (PageRequest(after=cursor), PageRequest(before=cursor)):
        with pytest.raises(InvalidCursorError) as error:
            keyset_page(Article.objects.all(), request, 3, keyset)
        assert str(error.value) == str(INVALID_CURSOR)


def test_a_tampered_value_type_is_refused_after_decoding():
    # given: a newest-first cursor whose datetime lost its tag (now a string)
    tampered = raw(["2025-05-01T08:00:00+00:00", 42])
    # when it decodes (a string is a valid value) then the list refuses it
    cursor = Cursor.decode(tampered)
    with pytest.raises(InvalidCursorError):
        keyset_page(Article.objects.all(), PageRequest(after=cursor), 3)


def test_a_keyset_needs_a_type_per_field():
    with pytest.raises(ValueError, match="one type per field"):
        Keyset(("published_at",), ())


# Walking lists ---------------------------------------------------------------------------------


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
    assert seen == in_order(made, BY_PUBLISHED)
    assert not pages[0].has_previous
    assert not pages[-1].has_next
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
    assert seen == in_order(made, BY_PUBLISHED)
    assert not pages[0].has_next
    assert not pages[-1].has_previous


@pytest.mark.parametrize("keyset", [NEWEST_ID, OLDEST_ID, MOST_VIEWED, LEAST_VIEWED, BY_TITLE])
@pytest.mark.parametrize("backwards", [False, True], ids=["forward", "backward"])
def test_every_keyset_walks_the_whole_list_in_its_order(keyset, backwards):
    creator = CreatorFactory()
    # Many ties on every key column but the last, so each level of the bound is used.
    made = [
        ArticleFactory(
            creator=creator,
            view_count=i % 3,
            published_at=T0 + timedelta(minutes=i % 2),
            title=f"标题{i % 4}",
        )
        for i in range(11)
    ]
    pages = walk(Article.objects.filter(creator=creator), 3, keyset, backwards=backwards)
    ordered = reversed(pages) if backwards else pages
    seen = [a.pk for page in ordered for a in page.items]
    assert seen == in_order(made, keyset)


def test_last_page_holds_the_oldest_articles():
    creator = CreatorFactory()
    made = [ArticleFactory(creator=creator, published_at=T0 + timedelta(days=i)) for i in range(7)]
    page = keyset_page(Article.objects.filter(creator=creator), PageRequest(last=True), 3)
    assert [a.pk for a in page.items] == [made[2].pk, made[1].pk, made[0].pk]
    assert page.next is None
    assert page.previous is not None


def test_prev_link_returns_to_the_same_page():
    creator = CreatorFactory()
    for i in range(9):
        ArticleFactory(creator=creator, published_at=T0 + timedelta(days=i))
    queryset = Article.objects.filter(creator=creator)
    first = keyset_page(queryset, PageRequest(), 3)
    second = keyset_page(queryset, PageRequest(after=Cursor.decode(first.next)), 3)
    back = keyset_page(queryset, PageRequest(before=Cursor.decode(second.previous)), 3)
    assert [a.pk for a in back.items] == [a.pk for a in first.items]
    assert not back.has_previous


def test_cursor_past_the_end_gives_an_empty_page():
    creator = CreatorFactory()
    ArticleFactory(creator=creator, published_at=T0)
    page = keyset_page(
        Article.objects.filter(creator=creator),
        PageRequest(after=Cursor(published_at=T0 - timedelta(days=1), pk=1)),
        3,
    )
    assert page == Page.empty()
    assert not page.has_next
    assert not page.has_previous


@pytest.mark.parametrize("keyset", [BY_PUBLISHED, NEWEST_ID, OLDEST_ID, MOST_VIEWED])
@pytest.mark.parametrize("where", ["first", "last", "after", "before"])
def test_every_page_is_one_query_without_offset(keyset, where):
    creator = CreatorFactory()
    made = [ArticleFactory(creator=creator, published_at=T0 + timedelta(days=i)) for i in range(5)]
    middle = Cursor.of(made[2], keyset)
    request = {
        "first": PageRequest(),
        "last": PageRequest(last=True),
        "after": PageRequest(after=middle),
        "before": PageRequest(before=middle),
    }[where]
    with CaptureQueriesContext(connection) as queries:
        keyset_page(Article.objects.filter(creator=creator), request, 2, keyset)
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert "OFFSET" not in sql
    assert "LIMIT 3" in sql
