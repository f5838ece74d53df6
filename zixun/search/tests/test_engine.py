"""The engine on the database in use (FTS5 on SQLite, full text on PostgreSQL): recall, folding,
filters, order, pagination, freshness after every state change, and bad input."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from zixun.accounts.tests.factories import EditorFactory
from zixun.articles.models import Article
from zixun.articles.services.checks import ArticleInput
from zixun.articles.services.drafts import article_revise
from zixun.articles.services.publishing import article_delete, article_restore, article_unpublish
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.core.search import SearchQuery, search_backend
from zixun.creators.tests.factories import CreatorFactory
from zixun.search.engine import (
    BUCKET_BITS,
    CURSOR_BAD,
    CURSOR_FOREIGN,
    KEY_SHIFT,
    SearchInputError,
    article_of,
    bucket_cover,
    bucket_lexemes,
    index_accounts,
    index_articles,
    search_memo_forget,
    store,
)
from zixun.search.models import SearchDocument
from zixun.search.selectors import account_matches
from zixun.search.services import search_reindex, search_word_add

pytestmark = pytest.mark.django_db


def story(title, body="", **kwargs):
    article = ArticleFactory(title=title, body_text=body, summary="", **kwargs)
    index_articles([article.pk])
    return article


def found(text, **kwargs):
    return [hit.article_id for hit in search_backend().query(SearchQuery(text=text, **kwargs)).hits]


@pytest.fixture
def corpus():
    return {
        "aid": story(
            "广东援疆干部扎根喀什", "对口援疆工作取得新进展，广东省援疆干部人才队伍壮大。"
        ),
        "reverse": story("疆援两字颠倒的标题", "新疆的援助项目。"),
        "bank": story("中国农业发展银行发放贷款", "中国农业发展银行支持春耕。"),
        "todo": story("待处理事项清单", "社区把待处理的问题列成清单。"),
        "trad": story("香港舉行國際會議", "會議討論經濟發展。"),
        "sport": story("主队逆转取胜", "足球比赛", channel=channel("sports")),
    }


def test_words_sub_words_and_phrases_are_found(corpus):
    assert found("援疆") == [corpus["aid"].pk]  # never 疆援
    assert found("农业") == [corpus["bank"].pk]  # a sub-word of 中国农业发展银行
    assert found("处理") == [corpus["todo"].pk]  # a sub-word of 待处理
    assert found("中国农业发展银行") == [corpus["bank"].pk]


def test_traditional_finds_simplified_and_the_reverse(corpus):
    assert found("農業發展銀行") == [corpus["bank"].pk]
    assert found("国际会议") == [corpus["trad"].pk]
    hit = search_backend().query(SearchQuery(text="国际会议")).hits[0]
    assert hit.title == "香港舉行<mark>國際會議</mark>"  # the original characters, marked


def test_body_text_never_matches_by_pinyin(corpus):
    assert found("yuanjiang") == []
    assert found("yj") == []


def test_accounts_match_by_name_pinyin_and_initials():
    account = CreatorFactory(name="金台资讯")
    CreatorFactory(name="晨江晚报")
    index_accounts([account.pk, *[c.pk for c in account.__class__.objects.exclude(pk=account.pk)]])
    for text in ("jtzx", "jintai", "金台", "金臺資訊", "台资"):
        assert [m.id for m in account_matches(text)] == [account.pk], text
    assert account_matches("zixunjintai") == []


def test_filters_by_channel_account_and_time(corpus):
    sports = corpus["sport"]
    assert found("取胜", channel_id=sports.channel_id) == [sports.pk]
    assert found("援疆", channel_id=sports.channel_id) == []
    assert found("援疆", creator_id=corpus["aid"].creator_id) == [corpus["aid"].pk]
    assert found("援疆", creator_id=sports.creator_id) == []
    late = story("援疆医生返乡", published_at=timezone.now() - timedelta(hours=2))
    assert found("援疆", since=timezone.now() - timedelta(days=1)) == [late.pk]
    assert set(found("援疆", until=timezone.now() - timedelta(days=1))) == {corpus["aid"].pk}


def test_newest_and_relevance_orders_page_with_cursors():
    base = datetime(2025, 1, 1, tzinfo=UTC)
    ids = [
        story(f"援疆报道第{i}篇", "援疆" * (i + 1), published_at=base + timedelta(days=i)).pk
        for i in range(7)
    ]
    newest = search_backend().query(SearchQuery(text="援疆", order="newest", size=3))
    assert [h.article_id for h in newest.hits] == ids[::-1][:3]
    second = search_backend().query(
        SearchQuery(text="援疆", order="newest", size=3, after=newest.next_cursor)
    )
    assert [h.article_id for h in second.hits] == ids[::-1][3:6]
    seen, after = [], ""
    while True:
        page = search_backend().query(SearchQuery(text="援疆", size=3, after=after))
        seen += [h.article_id for h in page.hits]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))


def test_title_weighs_more_than_body():
    in_body = story("一篇普通报道", "文中提到了嫦娥六号。")
    in_title = story("嫦娥六号返回地球", "今天的新闻。")
    assert found("嫦娥六号") == [in_title.pk, in_body.pk]


def test_popularity_orders_articles_otherwise_alike():
    at = timezone.now() - timedelta(days=1)
    popular = story("嫦娥六号返回地球", "今天的新闻。", published_at=at)
    plain = story("嫦娥六号返回地球", "今天的新闻。", published_at=at)
    assert found("嫦娥六号") == [plain.pk, popular.pk]  # alike: the newer key first
    Article.objects.filter(pk=popular.pk).update(view_count=900, like_count=20)
    assert found("嫦娥六号") == [popular.pk, plain.pk]
    Article.objects.filter(pk=plain.pk).update(view_count=100, share_count=200)
    assert found("嫦娥六号") == [plain.pk, popular.pk]  # 1,100 against 1,000


def test_a_cursor_from_another_query_or_tampered_is_refused(corpus):
    for i in range(12):
        story(f"援疆第{i}批", "援疆")
    page = search_backend().query(SearchQuery(text="援疆"))
    with pytest.raises(SearchInputError) as foreign:
        search_backend().query(SearchQuery(text="农业", after=page.next_cursor))
    assert str(foreign.value) == str(CURSOR_FOREIGN)
    for bad in ("xyz", "eyJ9", "%%%", "eyJxIjoxLCJzIjoiYSIsImsiOjF9"):
        with pytest.raises(SearchInputError) as error:
            search_backend().query(SearchQuery(text="援疆", after=bad))
        assert str(error.value) == str(CURSOR_BAD)


@pytest.mark.parametrize(
    "text",
    ['"援疆', "援疆)", "(((", "NEAR(援疆 新疆)", "援疆 OR 1=1", "援疆*", "^援疆", "title:援疆",
     "😀援疆😀", "援疆" * 5000, "", "   ", "\x00援疆", "' OR '1'='1", "援疆 -- ;", "\\\\"],
)  # fmt: skip
@pytest.mark.parametrize("candidates", [300, 1])  # 1: the title candidates are searched too
def test_bad_input_never_breaks_the_engine(corpus, text, candidates, settings):
    settings.ZIXUN_SEARCH_CANDIDATES = candidates
    results = search_backend().query(SearchQuery(text=text))
    assert all(hit.article_id in {a.pk for a in corpus.values()} for hit in results.hits)


def test_index_follows_every_state_change(django_capture_on_commit_callbacks, corpus):
    editor = EditorFactory()
    article = corpus["aid"]
    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(article=article, by=editor, reason="核实中")
    assert found("援疆") == []
    assert not SearchDocument.objects.filter(article_id=article.pk).exists()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)  # as if lifted
    index_articles([article.pk])
    assert found("援疆") == [article.pk]
    with django_capture_on_commit_callbacks(execute=True):
        article_delete(article=article, by=article.creator.members.first() or editor)
    assert found("援疆") == []
    with django_capture_on_commit_callbacks(execute=True):
        article_restore(article=Article.objects.get(pk=article.pk), by=editor)
    assert found("援疆") == [article.pk]


def test_an_edit_is_searchable_at_once(django_capture_on_commit_callbacks, writer, creator):
    article = ArticleFactory(creator=creator, title="旧标题", body_text="旧的正文")
    data = ArticleInput(
        title="嫦娥七号发射成功", body_source="探月工程新进展。", channel_id=article.channel_id
    )
    with django_capture_on_commit_callbacks(execute=True):
        article_revise(article=article, by=writer, data=data)
    article.refresh_from_db()
    if article.status == Article.Status.PUBLISHED:
        assert found("嫦娥七号") == [article.pk]
        assert found("旧标题") == []
    else:  # the revision waits for review: the published text is unchanged until then
        assert found("嫦娥七号") == []


def test_dirty_marks_are_repaired_by_reindex(django_capture_on_commit_callbacks, corpus):
    # given articles changed behind the index's back (a crash after the commit)
    lost = ArticleFactory(title="漏掉的援疆报道")
    Article.objects.filter(pk=corpus["bank"].pk).update(status=Article.Status.UNPUBLISHED)
    search_backend().mark_dirty(article_ids=[corpus["todo"].pk])
    assert SearchDocument.objects.filter(dirty=True).count() == 1
    # when the repair runs
    checked, indexed = search_reindex(dirty_only=True)
    # then only what drifted was touched
    assert indexed == 2
    assert checked == len(corpus) + 1
    assert set(found("援疆")) == {corpus["aid"].pk, lost.pk}
    assert found("农业") == []
    assert not SearchDocument.objects.filter(dirty=True).exists()
    assert search_reindex(dirty_only=True)[1] == 0


def test_full_reindex_resumes(corpus):
    search_reindex(restart=True)
    assert SearchDocument.objects.count() == len(corpus)
    assert set(found("援疆")) == {corpus["aid"].pk}


def test_an_added_word_reindexes_only_the_articles_holding_it():
    aid = story("援疆干部返乡", "援疆工作")
    other = story("疆援", "无关")
    before = SearchDocument.objects.get(article_id=other.pk).indexed_at
    added, reindexed = search_word_add(words=["援疆"])
    assert (added, reindexed) == (1, 1)
    assert SearchDocument.objects.get(article_id=other.pk).indexed_at == before
    assert found("援疆") == [aid.pk]


@override_settings(ZIXUN_SEARCH_CANDIDATES=3)
def test_candidates_are_bounded_and_title_matches_join_them_where_the_store_offers_them():
    old_title = story("援疆标题文章", "正文", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    for i in range(5):
        story(f"新闻{i}", "援疆", published_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=i))
    ids = found("援疆")
    if store().TITLE_CANDIDATES:  # SQLite: the newest 3 and the title match
        assert old_title.pk in ids
        assert len(ids) == 4
    else:  # PostgreSQL: the newest 3 only (see PostgresStore.TITLE_CANDIDATES)
        assert old_title.pk not in ids
        assert len(ids) == 3


def _fts_rows(table):
    """Every word of the titles and facets indexed in an FTS5 table, as (word, rowid, column,
    position): read from the index itself (the title table is contentless)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.words_{table} USING fts5vocab(main, {table}, instance)"
        )
        cursor.execute(f"SELECT term, doc, col, offset FROM temp.words_{table} "  # noqa: S608
                       "WHERE col IN ('title', 'facets') ORDER BY 1, 2, 3, 4")  # fmt: skip
        return cursor.fetchall()


def _fts_docs(table):
    return {doc for _, doc, _, _ in _fts_rows(table)}


@override_settings(ZIXUN_SEARCH_CANDIDATES=1)
def test_the_sqlite_title_table_follows_the_index_through_every_change(
    django_capture_on_commit_callbacks,
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL keeps the title vector in the same row")

    def in_step():
        with connection.cursor() as cursor:  # FTS5's own check of the index (raises if corrupt)
            cursor.execute(
                "INSERT INTO search_fts_title(search_fts_title) VALUES ('integrity-check')"
            )
        return _fts_rows("search_fts_title") == _fts_rows("search_fts")

    # given an old article titled with the word and a newer one holding it in its body
    news, sports = channel("news"), channel("sports")
    old = story("援疆标题文章", "正文", published_at=datetime(2020, 1, 1, tzinfo=UTC), channel=news)
    newer = story("新闻", "援疆", published_at=datetime(2025, 1, 1, tzinfo=UTC), channel=news)
    elsewhere = story("援疆球队", "", published_at=datetime(2019, 1, 1, tzinfo=UTC), channel=sports)
    assert in_step()
    assert len(_fts_docs("search_fts_title")) == 3
    # then the newest match and the title matches are candidates, within a channel too
    assert set(found("援疆")) == {old.pk, newer.pk, elsewhere.pk}
    assert set(found("援疆", channel_id=news.pk)) == {old.pk, newer.pk}
    Article.objects.filter(pk=elsewhere.pk).update(status=Article.Status.UNPUBLISHED)
    index_articles([elsewhere.pk])
    # when the old one is retitled, the newer taken offline, and everything reindexed afresh
    Article.objects.filter(pk=old.pk).update(title="改过的标题")
    index_articles([old.pk])
    assert in_step()
    assert found("援疆") == [newer.pk]
    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(article=newer, by=EditorFactory(), reason="核实中")
    assert in_step()
    assert len(_fts_docs("search_fts_title")) == 1
    search_reindex(restart=True)
    assert in_step()
    assert len(_fts_docs("search_fts_title")) == 1


def test_the_title_migration_fills_the_title_table_from_the_index():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    from importlib import import_module

    class Editor:  # what the migration uses of a schema editor (SQLite's refuses to open here)
        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    Editor.connection = connection
    migration = import_module("zixun.search.migrations.0005_fts_titles")
    story("援疆干部返乡", "正文")
    Editor().execute("DROP TABLE search_fts_title")  # as before the migration
    migration.forwards(None, Editor())
    assert _fts_rows("search_fts_title") == _fts_rows("search_fts") != []
    migration.forwards(None, Editor())  # run again: nothing doubled
    assert _fts_rows("search_fts_title") == _fts_rows("search_fts")


PLANS = ["walk", "bitmap", "window", "window too small", "buckets", "buckets too small"]


@pytest.mark.parametrize("plan", PLANS)
def test_every_postgres_plan_finds_the_same_newest_matches(monkeypatch, plan):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans only (set DATABASE_URL)")
    # given 40 articles, every third about 援疆, in publication order, four days apart (each in
    # a time bucket of its own at the finest level, about three days)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    articles = [
        ArticleFactory(title=f"{'援疆干部' if i % 3 == 0 else '春耕生产'}第{i}篇", body_text="",
                       summary="", published_at=base + timedelta(days=4 * i))
        for i in range(40)
    ]  # fmt: skip
    index_articles([a.pk for a in articles])
    expected = [a.pk for a in reversed(articles) if "援疆" in a.title][:5]
    engine = store()
    # when the store is told to take one plan (its thresholds, estimate and windows set for it):
    # the window from the 17th newest holds 6 of them, the one from the 11th newest only 4
    cls = type(engine)
    monkeypatch.setattr(cls, "WALK_US", 0.0 if plan == "walk" else 1e9)
    monkeypatch.setattr(cls, "BITMAP_US", 0.0 if plan == "bitmap" else 1e9)
    monkeypatch.setattr(cls, "WINDOW_KEY_US", 0.0 if plan.startswith("window") else 1e9)
    monkeypatch.setattr(cls, "BUCKET_BASE_US", 0.0 if plan.startswith("buckets") else 1e9)
    window = 10 if plan.endswith("too small") else 16
    # (a site told it is large, or every plan is skipped for the bitmap, and that all of its
    # rows match: a window must then hold 2 × 5 rows, the ladder's step past 8)
    ladder = [(8, _key_at(8)), (window, _key_at(window))]
    monkeypatch.setattr(cls, "_ladder", lambda self: (40_000, ladder))
    monkeypatch.setattr(cls, "_estimate", lambda self, column, query: 40_000.0)
    query = engine._tsquery(search_backend().parse("援疆").clauses)
    rows = engine._newest("tsv", query, None, None, 5, ranks=[query])
    # then each finds the five newest (a window with too few asks again without it), each with
    # its rank for the query
    assert [article_of(row[0]) for row in rows] == expected
    assert all(len(row) == 2 and row[1] > 0 for row in rows)


def test_a_prepared_postgres_match_is_planned_afresh_for_each_plan():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements only (set DATABASE_URL)")
    threshold = connection.settings_dict["OPTIONS"].get("prepare_threshold")
    if not threshold:
        pytest.skip("statements are not prepared (ZIXUN_DB_PREPARE_THRESHOLD=0)")
    # given a few articles, and a connection that prepares a statement run often (ADR 0020)
    articles = [
        ArticleFactory(title=f"援疆干部第{i}篇", body_text="", summary="") for i in range(6)
    ]
    index_articles([a.pk for a in articles])
    engine = store()
    query = engine._tsquery(search_backend().parse("援疆").clauses)
    # when the same statement runs many times, as a walk and as a bitmap in turn
    for run in range(3 * threshold):
        engine._match("tsv", query, None, None, 5, walk=run % 2 == 0)
    # then the connection prepared it, and PostgreSQL planned every run for its own settings
    # (a plan kept from an earlier run would be a walk's or a bitmap's, whatever the settings)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE 'SELECT rowkey FROM search_pg WHERE tsv @@ %%'"
        )
        found = cursor.fetchall()
    assert len(found) == 1
    generic, custom = found[0]
    assert generic == 0
    assert custom >= 2 * threshold


def _key_at(n):
    """The row key ``n`` rows from the newest."""
    return SearchDocument.objects.order_by("-rowkey").values_list("rowkey", flat=True)[n]


@pytest.mark.parametrize(
    ("matches", "words", "bucketed", "plan"),
    [
        # measured at a million rows (docs/search.md), warm; with the time buckets:
        (5_447, [], True, "buckets"),  # 坠毁: buckets 4–7 ms, bitmap 18, window 14–24
        (27_093, [], True, "buckets"),  # 纪委: buckets 8–11 ms, window 11–16, walk 107
        (140_221, [], True, "buckets"),  # 国政: buckets 6–8 ms, walk 19, window 20–24
        (7_898, ["(a)", "(b)"], True, "buckets"),  # 首脑 习近平: buckets 12–19, bitmap 41
        (571_523, [], True, "walk"),  # 联播: walk 5 ms, buckets 9
        (1_000, [], True, "bitmap"),  # a rare word: every match is among the newest needed
        # and on rows written before the buckets existed (before a full reindex):
        (5_447, [], False, "bitmap"),  # 坠毁: bitmap 12 ms, window 27 ms
        (27_093, [], False, "window"),  # 纪委: window 16 ms, walk 171 ms, bitmap 150 ms
        (140_221, [], False, "walk"),  # 国政: walk 21 ms, window 55 ms
        (7_898, ["(a)", "(b)"], False, "bitmap"),  # 首脑 习近平: bitmap 25 ms, window 50 ms
    ],
)
def test_the_postgres_plan_is_the_cheapest_by_the_fitted_costs(
    monkeypatch, matches, words, bucketed, plan
):
    # given a million rows published evenly over ten years, a ladder of windows and the
    # planner's estimate of the matches (the single words of a pair are more common than it)
    from zixun.search.engine import PostgresStore, key_floor

    total, now = 1_000_000, timezone.now()
    years = timedelta(days=3653)
    ladder = [(n, key_floor(now - years * (n / total))) for n in (512 * 2**i for i in range(11))]
    monkeypatch.setattr(PostgresStore, "_ladder", lambda self: (total, ladder))
    monkeypatch.setattr(PostgresStore, "_top_key", lambda self: key_floor(now) + (1 << 58))
    monkeypatch.setattr(PostgresStore, "_bucketed", lambda self: bucketed)
    monkeypatch.setattr(
        PostgresStore, "_estimate", lambda self, column, query: matches * (1 if query == "q" else 2)
    )
    chosen = []

    def fake_match(column, query, low, high, limit, *, walk=False, ranks=()):
        buckets = "zxt" in query
        chosen.append("walk" if walk else "window" if low is not None else
                      "buckets" if buckets else "bitmap")  # fmt: skip
        return list(range(limit))

    monkeypatch.setattr(PostgresStore, "_match", staticmethod(fake_match))
    # when the newest 300 are asked for, then the cheapest plan runs, once
    PostgresStore()._newest("tsv", "q", None, None, 300, words=words)
    assert chosen == [plan]


def test_the_time_buckets_cover_exactly_the_newest_rows():
    # given a floor key and a top key years apart (keys hold seconds since 2000 above bit 32)
    floor_s, top_s = 700_000_123, 700_000_123 + 3 * 2**26
    cover = set(bucket_cover(floor_s << KEY_SHIFT | 7, top_s << KEY_SHIFT))
    # then every second from the start of the floor's finest period to the top is in the cover
    # by exactly one of its lexemes, and nothing before that start is
    start = floor_s >> BUCKET_BITS[0] << BUCKET_BITS[0]
    for seconds in [start, floor_s, floor_s + 2**18, floor_s + 2**22 + 5, floor_s + 2**26, top_s,
                    *range(start, top_s, 2**16)]:  # fmt: skip
        assert len(set(bucket_lexemes(seconds << KEY_SHIFT)) & cover) == 1, seconds
    for seconds in (start - 1, start - 2**22, 0):
        assert not set(bucket_lexemes(seconds << KEY_SHIFT)) & cover
    # and with few lexemes: finest periods up to a boundary of the next level, then coarser ones
    assert len(cover) <= 2 * 15 + 4


def test_the_buckets_plan_waits_until_every_row_holds_its_buckets(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans only (set DATABASE_URL)")
    from django.core.cache import caches

    # given a site whose oldest row was written before the vectors held time buckets
    base = datetime(2026, 1, 1, tzinfo=UTC)
    articles = [
        story(f"援疆干部第{i}篇", published_at=base + timedelta(days=4 * i)) for i in range(6)
    ]
    oldest = SearchDocument.objects.get(article_id=articles[0].pk).rowkey
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE search_pg SET tsv = ts_delete(tsv, tsvector_to_array(%s)) WHERE rowkey = %s",
            [" ".join(bucket_lexemes(oldest)), oldest],
        )
        cursor.execute("COMMENT ON TABLE search_pg IS NULL")  # as after the upgrade's migration
    caches["shared"].delete("search:pg:bucketed")
    search_memo_forget()
    engine = store()
    # then the store knows, a check finds the row, and the buckets plan is not taken, however
    # cheap it looks
    assert engine._bucketed() is False
    assert engine.after_reindex() is False
    assert engine._bucketed() is False
    monkeypatch.setattr(type(engine), "_ladder", lambda self: (40_000, [(16, _key_at(5))]))
    monkeypatch.setattr(type(engine), "_estimate", lambda self, column, query: 40_000.0)
    for name in ("WALK_US", "BITMAP_US", "WINDOW_KEY_US"):
        monkeypatch.setattr(type(engine), name, 1e9)
    monkeypatch.setattr(type(engine), "BUCKET_BASE_US", 0.0)
    taken = []
    real_match = type(engine)._match
    monkeypatch.setattr(type(engine), "_match", staticmethod(
        lambda column, query, *args, **kwargs: taken.append(query) or real_match(column, query, *args, **kwargs)))  # fmt: skip
    query = engine._tsquery(search_backend().parse("援疆").clauses)
    assert len(engine._newest("tsv", query, None, None, 5)) == 5
    assert not any("zxt" in q for q in taken)
    # and once a full reindex wrote every row again, with its buckets, it is
    search_reindex(restart=True)
    assert engine._bucketed() is True


def test_the_rows_of_a_window_are_read_off_the_ladder():
    from zixun.search.engine import _rows_newer

    # given a ladder: the key 512 rows from the newest is 10,000, 1,024 rows is 8,000
    ladder = [(512, 10_000), (1_024, 8_000), (2_048, 4_000)]
    # then a key between two steps has rows in proportion, a key newer than the first step
    # counts as the first step, and one older than the last as every row
    assert _rows_newer(9_000, 50_000, ladder) == 768
    assert _rows_newer(6_000, 50_000, ladder) == 1_536
    assert _rows_newer(8_000, 50_000, ladder) == 1_024
    assert _rows_newer(12_000, 50_000, ladder) == 512
    assert _rows_newer(1_000, 50_000, ladder) == 50_000


@pytest.mark.parametrize(("most", "finest"), [(1_000, True), (5_000_000, False)])
def test_the_cover_trades_lexemes_for_rows(monkeypatch, most, finest):
    from zixun.search.engine import PostgresStore, key_floor

    # given a window starting five days back, in a site of rows published evenly over ten years
    total, now = 1_000_000, timezone.now()
    years = timedelta(days=3653)
    ladder = [(n, key_floor(now - years * (n / total))) for n in (512 * 2**i for i in range(11))]
    monkeypatch.setattr(PostgresStore, "_top_key", lambda self: key_floor(now) + (1 << 58))
    floor = key_floor(now - timedelta(days=5))
    cost, lexemes = PostgresStore()._cover(floor, most, 0.01, total, ladder)
    finest_cover = bucket_cover(floor, key_floor(now) + (1 << 58))
    # then a rare word takes the finest cover (fewest rows to visit), and a word whose postings
    # GIN must check against every lexeme a coarser one with fewer lexemes
    if finest:
        assert lexemes == finest_cover
    else:
        assert len(lexemes) < len(finest_cover)
        assert all(not lexeme.startswith(f"zxt{BUCKET_BITS[0]}p") for lexeme in lexemes)
    assert cost > 0
