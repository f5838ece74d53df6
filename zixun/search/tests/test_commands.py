"""The operators' commands: search-reindex, search-words and search-prune."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from zixun.articles.tests.factories import ArticleFactory
from zixun.core.search import SearchQuery, search_backend
from zixun.search.models import QueryCount, SearchDocument, SearchWord
from zixun.search.services import search_prewarm, search_prewarm_size

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


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's prewarm reads its file")
def test_prewarm_reads_the_whole_sqlite_file_and_nothing_in_memory(tmp_path, monkeypatch):
    # an in-memory database (the tests') has no file to read
    out = StringIO()
    call_command("search_prewarm", "--no-progress", stdout=out)
    assert out.getvalue().strip() == "已读入 0 MB"
    # a site's file is read to its end, in steps
    site = tmp_path / "zixun.sqlite3"
    site.write_bytes(bytes(range(256)) * (40 * 4096 + 3))  # 40 MiB and 768 bytes: 6 steps
    monkeypatch.setitem(connection.settings_dict, "NAME", str(site))
    steps = []
    assert search_prewarm_size() == site.stat().st_size
    assert search_prewarm(progress=steps.append) == site.stat().st_size
    assert len(steps) == 6
    assert sum(steps) == site.stat().st_size


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_prewarm is PostgreSQL's")
def test_prewarm_reads_the_search_tables_with_pg_prewarm_or_says_what_is_missing():
    for n in range(3):
        ArticleFactory(title=f"援疆干部返乡 第{n}批", body_text="对口援疆 " * 400, tags=["援疆"])
    with connection.cursor() as cursor:
        cursor.execute("DROP EXTENSION IF EXISTS pg_prewarm")
        # a role that may not create the extension gets the reason and what to do
        cursor.execute("CREATE ROLE zixun_test_no_ext NOLOGIN")
        cursor.execute("SET ROLE zixun_test_no_ext")
        with pytest.raises(CommandError, match="CREATE EXTENSION pg_prewarm"):
            call_command("search_prewarm", "--no-progress", stdout=StringIO())
        cursor.execute("RESET ROLE")
    # the database's superuser creates it, and every block of the relations is read
    steps = []
    size = search_prewarm_size()
    assert size > 0
    assert search_prewarm(progress=steps.append) == size
    assert sum(steps) == size
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm'")
        assert cursor.fetchone()
    out = StringIO()
    call_command("search_prewarm", "--no-progress", stdout=out)
    assert out.getvalue().startswith("已读入")
