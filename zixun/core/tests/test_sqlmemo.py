"""Queries compiled once (zixun/core/sqlmemo.py): the same rows and instances as the QuerySet
they stand for, one statement of one text per shape, and a plain QuerySet for what cannot be
memorised."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.db.models import Exists, IntegerField, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.channels.services import channel_defaults_ensure
from zixun.core import sqlmemo
from zixun.core.sqlmemo import memo_objects, memo_rows

pytestmark = pytest.mark.django_db

FIELDS = ("id", "title", "published_at", "creator__name", "cover_renditions", "deleted_at")


def _rows_by_creator(creator_id: int, other: int, limit: int):
    queryset = Article.objects.filter(creator_id=creator_id).exclude(pk=other)
    return queryset.order_by("-published_at", "-id").values_list(*FIELDS)[:limit]


def _rows_by_ids(ids: tuple[int, ...]):
    return Article.objects.filter(pk__in=ids).order_by("id").values_list(*FIELDS)


def _article(article_id: int):
    return Article.objects.select_related("creator", "channel").filter(pk=article_id).order_by()[:1]


def _limited(creator_id: int, limit: int):
    """A number that ends up in the SQL's text, not among its parameters."""
    return Article.objects.filter(creator_id=creator_id).order_by("id").values_list("id")[:limit]


@pytest.fixture
def articles():
    channel_defaults_ensure()  # a transactional test starts from an empty database
    first = ArticleFactory(title="第一篇", cover_renditions={"webp": [320]})
    now = timezone.now()
    rest = [
        ArticleFactory(
            creator=first.creator, title=f"第{n}篇", published_at=now - timedelta(hours=n)
        )
        for n in range(2, 6)
    ]
    return [first, *rest]


def test_rows_are_the_querysets_rows_for_each_argument(articles):
    creator = articles[0].creator_id
    for other in (articles[0].pk, articles[2].pk):
        for limit in (2, 3):
            expected = list(_rows_by_creator(creator, other, limit))
            assert memo_rows(_rows_by_creator, creator, other, fixed=(limit,)) == expected
            assert len(expected) == limit
    renditions = memo_rows(_rows_by_ids, (articles[0].pk,))[0][4]
    assert renditions == {"webp": [320]}  # through the compiler's converters (JSON)
    assert memo_rows(_rows_by_ids, (articles[0].pk,))[0][2] == articles[0].published_at


def test_a_list_compiles_once_per_length_and_keeps_the_order_of_its_query(articles):
    ids = [a.pk for a in articles]
    for length in (1, 2, 3, 5):
        chosen = tuple(reversed(ids[:length]))
        assert memo_rows(_rows_by_ids, chosen) == list(_rows_by_ids(chosen))
    assert memo_rows(_rows_by_ids, (ids[4], ids[1])) == list(_rows_by_ids((ids[1], ids[4])))


def test_instances_are_the_querysets_with_their_related_objects(articles):
    article = articles[1]
    found = memo_objects(_article, article.pk)
    expected = list(_article(article.pk))
    assert len(found) == len(expected) == 1
    fields = [f.attname for f in Article._meta.concrete_fields]
    assert [getattr(found[0], f) for f in fields] == [getattr(expected[0], f) for f in fields]
    with CaptureQueriesContext(connection) as queries:
        assert found[0].creator.name == article.creator.name  # no query: select_related
        assert found[0].channel == article.channel
    assert len(queries) == 0
    assert not found[0]._state.adding
    assert memo_objects(_article, 10**9) == []


def _with_counts(creator_id: int, article_id: int):
    """Annotations, one of them a RawSQL with an argument of its own."""
    count = RawSQL(
        "SELECT COUNT(*) FROM articles_article WHERE creator_id = %s", (creator_id,), IntegerField()
    )
    newer = Exists(Article.objects.filter(pk__gt=article_id, creator_id=OuterRef("creator_id")))
    return Article.objects.filter(pk=article_id).annotate(by_creator=count, has_newer=newer)


def test_annotations_are_set_on_each_instance_as_the_querysets(articles):
    creator = articles[0].creator_id
    for article in (articles[0], articles[-1]):
        found = memo_objects(_with_counts, creator, article.pk)
        expected = list(_with_counts(creator, article.pk))
        assert [(a.pk, a.by_creator, a.has_newer) for a in found] == [
            (a.pk, a.by_creator, a.has_newer) for a in expected
        ]
    assert found[0].by_creator == 5
    assert {type(a.has_newer) for a in found} == {bool}
    assert len(sqlmemo_of_connection()) >= 1  # memorised, not the plain QuerySet


def sqlmemo_of_connection():
    memo = getattr(connection, sqlmemo._ATTRIBUTE, {})
    return [
        compiled for (build, *_), compiled in memo.items() if build is _with_counts and compiled
    ]


def test_each_run_is_one_statement_of_the_same_text(articles):
    creator = articles[0].creator_id
    memo_rows(_rows_by_creator, creator, articles[0].pk, fixed=(3,))
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, list(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        memo_rows(_rows_by_creator, creator, articles[1].pk, fixed=(3,))
        memo_rows(_rows_by_creator, creator, articles[2].pk, fixed=(3,))
    assert len(statements) == 2
    assert statements[0][0] == statements[1][0]
    assert [str(p) for p in statements[0][1]] == [str(creator), str(articles[1].pk)]
    assert [str(p) for p in statements[1][1]] == [str(creator), str(articles[2].pk)]


def test_the_queryset_is_built_once_per_shape(articles):
    built = []

    def build(ids: tuple[int, ...]):
        built.append(ids)
        return _rows_by_ids(ids)

    ids = [a.pk for a in articles]
    for _ in range(3):
        memo_rows(build, (ids[0], ids[1]))
        memo_rows(build, (ids[2], ids[3]))
    memo_rows(build, (ids[0],))
    assert len(built) == 2  # once for two ids, once for one: with sentinels, not real ids
    assert all(i >= sqlmemo.SENTINEL_BASE for shape in built for i in shape)


def test_a_number_in_the_sql_text_is_never_memorised(articles):
    """A sentinel that does not come back as a parameter (a LIMIT) falls back to the QuerySet
    every time, with the right rows."""
    creator = articles[0].creator_id
    assert memo_rows(_limited, creator, 2) == list(_limited(creator, 2))
    assert memo_rows(_limited, creator, 4) == list(_limited(creator, 4))
    assert len(memo_rows(_limited, creator, 4)) == 4


def _twice(article_id: int):
    """One argument in two places of the SQL."""
    return (
        Article.objects.filter(Q(pk=article_id) | Q(duplicate_of_id=article_id))
        .order_by("id")
        .values_list("id", "title")
    )


def test_an_argument_used_twice_is_filled_in_at_both_places(articles):
    original, copy = articles[0], articles[1]
    copy.duplicate_of = original
    copy.save(update_fields=["duplicate_of"])
    memo_rows(_twice, articles[4].pk)  # compiled with sentinels, run for another article
    assert memo_rows(_twice, original.pk) == list(_twice(original.pk))
    assert [row[0] for row in memo_rows(_twice, original.pk)] == [original.pk, copy.pk]
    assert memo_rows(_twice, copy.pk) == [(copy.pk, copy.title)]


def test_arguments_must_be_numbers():
    with pytest.raises(TypeError):
        memo_rows(_rows_by_ids, ("1",))
    with pytest.raises(TypeError):
        memo_rows(_article, True)


@pytest.mark.django_db(transaction=True)
def test_each_connection_keeps_its_own_memo(articles):
    """A thread's connection compiles for itself: no compiler is shared across threads."""
    memo_rows(_rows_by_ids, (articles[0].pk,))
    seen = {}

    def other_thread() -> None:
        try:
            seen["rows"] = memo_rows(_rows_by_ids, (articles[1].pk,))
            seen["memo"] = getattr(connections["default"], sqlmemo._ATTRIBUTE)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen["rows"] == list(_rows_by_ids((articles[1].pk,)))
    assert seen["memo"] is not getattr(connections["default"], sqlmemo._ATTRIBUTE)


def test_turned_off_every_run_builds_the_queryset(articles, settings):
    settings.ZIXUN_SQL_MEMO = False
    built = []

    def build(article_id: int):
        built.append(article_id)
        return _article(article_id)

    for article in articles[:3]:
        assert memo_objects(build, article.pk) == [article]
    assert built == [a.pk for a in articles[:3]]


def test_the_cards_of_ids_from_anywhere_in_their_order(articles):
    """article_cards through the memo: ids as numpy or Python ints, offline ones left out."""
    import numpy as np

    from zixun.articles.selectors import article_cards

    articles[2].status = Article.Status.UNPUBLISHED
    articles[2].save(update_fields=["status"])
    ids = [articles[3].pk, articles[2].pk, articles[0].pk]
    expected = [articles[3].pk, articles[0].pk]
    assert [c.id for c in article_cards(ids=ids)] == expected
    assert [c.id for c in article_cards(ids=list(np.array(ids, dtype=np.int64)))] == expected
    assert article_cards(ids=[]) == []
