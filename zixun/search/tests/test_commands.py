"""The operators' commands: search-reindex, search-words and search-prune."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from zixun.articles.tests.factories import ArticleFactory
from zixun.core.search import SearchQuery, search_backend
from zixun.search.models import QueryCount, SearchDocument, SearchWord

pytestmark = pytest.mark.django_db


def found(text):
    return [hit.article_id for hit in search_backend().query(SearchQuery(text=text)).hits]


def test_reindex_dirty_and_reset_from_the_command_line():
    article = ArticleFactory(title="援疆干部返乡", body_text="对口援疆")
    out = StringIO()
    call_command("search_reindex", "--dirty", "--no-progress", "--workers", "2", stdout=out)
    assert "索引 1 篇" in out.getvalue()
    assert found("援疆") == [article.pk]
    call_command("search_reindex", "--reset", "--no-progress", "--workers", "1", stdout=StringIO())
    assert SearchDocument.objects.count() == 1
    assert found("援疆") == [article.pk]


def test_words_are_added_listed_removed_and_refused_when_bad():
    ArticleFactory(title="援疆干部返乡")
    call_command("search_reindex", "--no-progress", "--workers", "1", stdout=StringIO())
    out = StringIO()
    call_command("search_words", "add", "援疆", "--no-progress", stdout=out)
    assert "重新索引 1 篇" in out.getvalue()
    listed = StringIO()
    call_command("search_words", "list", stdout=listed)
    assert listed.getvalue().split() == ["援疆"]
    with pytest.raises(CommandError):
        call_command("search_words", "add", "😀", "--no-progress")
    with pytest.raises(CommandError):
        call_command("search_words", "add", "--no-progress")
    call_command("search_words", "remove", "援疆", stdout=StringIO())
    assert not SearchWord.objects.exists()


def test_prune_forgets_old_counts():
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    QueryCount.objects.create(query="旧词", hour=hour - timedelta(days=40), count=3)
    QueryCount.objects.create(query="新词", hour=hour, count=1)
    call_command("search_prune", stdout=StringIO())
    assert list(QueryCount.objects.values_list("query", flat=True)) == ["新词"]


def _stored() -> list[tuple[int, str]]:
    from django.db import connection

    sql = {
        "postgresql": "SELECT rowkey, tsv::text || title::text FROM search_pg ORDER BY 1",
        "sqlite": "SELECT rowid, title || body || tags || facets FROM search_fts ORDER BY 1",
    }[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def test_the_segmenting_processes_build_what_the_writer_would():
    # given articles with a channel and an account (facets), indexed by the writer alone
    articles = [ArticleFactory(title=f"援疆干部返乡 第{n}批", body_text="对口援疆 " * 40, tags=["援疆"])
                for n in range(3)]  # fmt: skip
    call_command("search_reindex", "--reset", "--no-progress", "--workers", "1", stdout=StringIO())
    alone = _stored()
    # when they are indexed again with two segmenting processes preparing the vectors
    call_command("search_reindex", "--reset", "--no-progress", "--workers", "2", stdout=StringIO())
    # then the stored rows are the same, and the facet filters still find them
    assert _stored() == alone
    article = articles[0]
    query = SearchQuery(text="援疆", creator_id=article.creator_id, channel_id=article.channel_id)
    assert article.pk in [hit.article_id for hit in search_backend().query(query).hits]
