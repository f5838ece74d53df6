"""The search part's worker: run as ``python -m bench.search_site`` with Django settings pointing
at a search bench database (SQLite file or PostgreSQL), it

1. builds, once, a site of ``--docs`` articles resampled from the real CCTV corpus (titles and
   bodies made of sentences of real articles, each sentence segmented once with the site's own
   code), indexed through the engine's own store (kept between runs: a marker table records
   how many are there);
2. times indexing: ``--fresh`` real articles (never resampled into the site) published and
   indexed in batches of 500 (``index_pipelined``: two processes segment the next batch while this one is written), articles/s,
   in a cold pass and then a warm one with other articles, and an edit's re-index of one; then
   removes them;
3. times queries through ``DatabaseSearch.query`` (the site's code: candidates, ranking,
   popularity, snippets): 200 queries of words drawn from real titles, common and rare, one and
   two words, in relevance and in newest order; p50/p95 per order, for a first (cold) pass, a
   second (warm: the words' counts and the pages read are cached) pass, and a pass of other
   queries whose words were never searched, after ``search_prewarm`` read the site into memory
   (fresh: the site in memory, the counts not known).

Prints one JSON line. Resumable: an interrupted build goes on from the last batch.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BATCH = 2000
# As the migrations make them (zixun/search/migrations/0003_pg_plans.py).
PG_INDEXES = ("CREATE INDEX IF NOT EXISTS search_pg_words ON search_pg USING gin (tsv)",)
Pool = dict[str, list[tuple[str, str]]]
SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")
QUERIES = 200


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--fresh", type=int, default=3000)
    parser.add_argument("--corpus", type=Path, required=True)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    out: dict[str, Any] = {"database": _vendor()}
    pool = _sentences(args.corpus)
    built_s = _build(args.docs, pool)
    out["docs"] = _count()
    out["build_s"] = built_s
    out.update(_index_rate(args.corpus, args.fresh))
    out.update(_queries(pool))
    print("search-json " + json.dumps(out))


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _count() -> int:
    from zixun.search.models import SearchDocument

    return SearchDocument.objects.count()


def _sentences(corpus: Path) -> Pool:
    """Titles and sentences of the first 6,000 CCTV articles, each segmented once."""
    from zixun.search.engine import current_segmenter
    from zixun.search.text import document_terms

    seg = current_segmenter()
    titles, sentences = [], []
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= 6000:
                break
            record = json.loads(line)
            title = record["title"][:100]
            titles.append((title, document_terms(title, seg)))
            for sentence in SENTENCE.findall(record.get("body") or "")[:12]:
                if len(sentence) >= 8:
                    sentences.append((sentence, document_terms(sentence, seg)))
    return {"titles": titles, "sentences": sentences}


def _build(target: int, pool: Pool) -> float:
    """Articles and index rows up to ``target`` (resampled text), in batches; returns seconds."""
    from datetime import UTC, datetime, timedelta

    from django.db import connection, transaction
    from django.db.models import Max

    from zixun.articles.models import Article
    from zixun.channels.models import Channel
    from zixun.creators.models import Creator
    from zixun.demo.rows import PreparedInsert
    from zixun.search.engine import Doc, facet_channel, facet_creator, rowkey_of, store
    from zixun.search.models import SearchDocument

    have = SearchDocument.objects.count()
    if have >= target:
        _pg_indexes(analyze=False)  # a build stopped after its load and before its indexes
        _pg_buckets()
        return 0.0
    started = time.perf_counter()
    channels = [Channel.objects.get_or_create(slug=f"bench{i}", defaults={"name": f"频道{i}", "name_en": f"C{i}"})[0]
                for i in range(8)]  # fmt: skip
    creators = [Creator.objects.get_or_create(name=f"搜索测试号{i}")[0] for i in range(50)]
    template = Article(creator=creators[0], channel=channels[0], title="", body_text="", body_html="",
                       summary="", status=Article.Status.PUBLISHED, published_at=datetime.now(UTC), tags=[])  # fmt: skip
    article_rows = PreparedInsert(Article, template, pk=True)
    doc_template = SearchDocument(article_id=0, rowkey=0, creator_id=0, channel_id=0,
                                  published_at=template.published_at, source_updated_at=template.published_at,
                                  indexed_at=template.published_at)  # fmt: skip
    doc_rows = PreparedInsert(SearchDocument, doc_template, pk=True)
    rng = random.Random(have + 1)
    titles, sentences = pool["titles"], pool["sentences"]
    base = datetime(2016, 1, 1, tzinfo=UTC)
    span = (datetime(2026, 11, 1, tzinfo=UTC) - base).total_seconds()
    engine = store()
    next_id = (Article.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    if connection.vendor == "postgresql":  # a bulk load: the GIN indexes are built after it
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_pg_words")
    while have < target:
        size = min(BATCH, target - have)
        articles, docs, doc_values = [], [], []
        for _ in range(size):
            title, title_words = rng.choice(titles)
            chosen = [rng.choice(sentences) for _ in range(rng.randint(3, 9))]
            body = "".join(s for s, _ in chosen)
            creator, channel = rng.choice(creators).pk, rng.choice(channels).pk
            published = base + timedelta(seconds=int(rng.random() * span))
            articles.append(article_rows.row(
                next_id, creator=creator, channel=channel, title=title, body_text=body, summary=body[:80],
                published_at=published, view_count=int(rng.paretovariate(1.2)) * 10,
            ))  # fmt: skip
            key = rowkey_of(published, next_id)
            docs.append(Doc(key, title_words, " ".join(w for _, w in chosen), "",
                            f"{facet_channel(channel)} {facet_creator(creator)}"))  # fmt: skip
            doc_values.append(doc_rows.row(next_id, rowkey=key, creator_id=creator, channel_id=channel,
                                           published_at=published))  # fmt: skip
            next_id += 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(article_rows.sql, articles)
            cursor.executemany(doc_rows.sql, doc_values)
            engine.write(docs)
        have += size
        print(f"[bench] search site: {have:,} / {target:,} articles", file=sys.stderr, flush=True)
    if connection.vendor == "postgresql":  # the sequence past the ids written
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [Article._meta.db_table, next_id],
            )
    _pg_indexes(analyze=True)
    _pg_buckets()
    return time.perf_counter() - started


def _pg_buckets() -> None:
    """A PostgreSQL site built before the vectors held time buckets (2026-12) gets them once,
    the way a bulk load would (index dropped, rows updated and compacted, index rebuilt: about
    8 minutes at a million rows); a site gets them otherwise from ``zixun search-reindex``, at about 1,000
    rows a second, with the older plans serving until it is done."""
    from django.db import connection

    from zixun.search.engine import PostgresStore, bucket_sql

    if connection.vendor != "postgresql":
        return
    if PostgresStore().after_reindex():  # every row holds them (a site built since)
        return
    print("[bench] search site: adding the time buckets …", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS search_pg_words")
        cursor.execute(f"UPDATE search_pg SET tsv = tsv || {bucket_sql()}")  # noqa: S608
        cursor.execute("VACUUM FULL search_pg")  # compact again, as a fresh build would be
    _pg_indexes(analyze=True)
    if not PostgresStore().after_reindex():
        raise SystemExit("the search site's rows still lack their time buckets")


def _pg_indexes(*, analyze: bool) -> None:
    """On PostgreSQL, the GIN indexes (built in bulk, after the load) and fresh statistics."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'search_pg' "
            "AND indexname = 'search_pg_words'"
        )
        missing = cursor.fetchone()[0] < len(PG_INDEXES)
        if missing:
            print("[bench] search site: building the GIN indexes …", file=sys.stderr, flush=True)
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for statement in PG_INDEXES:
                cursor.execute(statement)
        if missing or analyze:
            cursor.execute("ANALYZE search_pg")  # the plan's estimates need fresh statistics


def _index_rate(corpus: Path, fresh: int) -> dict[str, float]:
    """Publish ``fresh`` real CCTV articles (the corpus from line 6,000 on: never resampled into
    the site) and index them through ``index_articles`` in batches, two processes segmenting, as
    an import does: articles/s. Twice, with other articles each time, like the queries' cold
    and warm passes: the first pass reads the index pages the writes land on from the disk when
    the site sat idle (a PostgreSQL site evicted from the page cache indexed 250 /s, warm 1,300),
    the second measures an import under way (``index_per_s``). Then re-index 100 of them one
    at a time, as an edit does (the old entry deleted first): the median ms. The articles are
    removed afterwards."""
    records = []
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= 6000 + 2 * fresh:
                break
            if number >= 6000:
                record = json.loads(line)
                records.append((record["title"][:100], record.get("body") or ""))
    cold = _index_pass(records[:fresh], edits=0)
    warm = _index_pass(records[fresh:], edits=100)
    if not cold or not warm:
        return {}
    return {
        "index_cold_per_s": cold["per_s"],
        "index_per_s": warm["per_s"],
        "index_one_ms": warm["one_ms"],
        "indexed": len(records[fresh:]),
    }


def _index_pass(records: list[tuple[str, str]], *, edits: int) -> dict[str, float]:
    """Index these articles (published now, newest first) in batches of 500: articles/s, and
    the median ms of re-indexing the first ``edits`` of them one by one."""
    from datetime import UTC, datetime, timedelta

    from django.db import connection, transaction
    from django.db.models import Max

    from zixun.articles.models import Article
    from zixun.demo.rows import PreparedInsert
    from zixun.search.engine import current_segmenter, index_articles
    from zixun.search.services import index_pipelined, segmenting_pool

    template = Article.objects.filter(title__startswith="").order_by("pk").first()
    if template is None or not records:
        return {}
    rows = PreparedInsert(Article, template, pk=True)
    first = (Article.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    now = datetime.now(UTC)
    values = [rows.row(first + n, title=title, body_text=body, summary=body[:80],
                       published_at=now - timedelta(seconds=n))
              for n, (title, body) in enumerate(records)]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(rows.sql, values)
    ids = list(range(first, first + len(records)))
    seg = current_segmenter()
    try:
        with segmenting_pool(2, seg) as pool:
            if pool is not None:
                pool.map(len, [[]] * 4)  # the workers are up
            started = time.perf_counter()
            batches = [ids[start : start + 500] for start in range(0, len(ids), 500)]
            sum(index_pipelined(batches, seg=seg, pool=pool))
            batch_rate = len(ids) / (time.perf_counter() - started)
        single = []
        for article_id in ids[:edits]:
            started = time.perf_counter()
            index_articles([article_id], seg=seg)
            single.append((time.perf_counter() - started) * 1000)
    finally:
        Article.objects.filter(pk__in=ids).update(status=Article.Status.UNPUBLISHED)
        for start in range(0, len(ids), 500):
            index_articles(ids[start : start + 500], seg=seg)  # drops them from the index
        Article.objects.filter(pk__in=ids).delete()
    return {"per_s": batch_rate, "one_ms": statistics.median(single) if single else 0.0}


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _query_set(pool: Pool, seed: int, *, avoid: frozenset[str] = frozenset()) -> list[str]:
    """QUERIES queries: a quarter of the 40 commonest title words, half of any title word, a
    quarter of two words; none of the words in ``avoid``."""
    rng = random.Random(seed)
    words = [
        w for _, terms in pool["titles"] for w in terms.split() if len(w) >= 2 and w not in avoid
    ]
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    common = sorted(counts, key=lambda w: -counts[w])[:40]
    queries = [rng.choice(common) for _ in range(QUERIES // 4)]
    queries += [rng.choice(words) for _ in range(QUERIES // 2)]
    queries += [f"{rng.choice(words)} {rng.choice(words)}" for _ in range(QUERIES // 4)]
    return queries


def _queries(pool: Pool) -> dict[str, object]:
    """Both orders in three passes: cold (the site as it was left: its pages may have to be read
    from the disk, the words' counts not yet known), warm (the same queries again: pages and
    counts cached), then fresh: other queries, none of whose words was searched before, after
    ``zixun search-prewarm`` read the site into memory: what a site whose memory holds its
    index answers for words nobody searched in the last hour."""
    from zixun.core.search import SearchQuery
    from zixun.search.engine import DatabaseSearch
    from zixun.search.services import search_prewarm

    queries = _query_set(pool, 20261201)
    used = frozenset(w for text in queries for w in text.split())
    fresh = {order: _query_set(pool, seed, avoid=used)
             for order, seed in (("relevance", 20261203), ("newest", 20261204))}  # fmt: skip
    engine = DatabaseSearch()
    out: dict[str, object] = {"queries": len(queries)}
    for phase in ("cold", "warm", "fresh"):
        if phase == "fresh":
            started = time.perf_counter()
            out["prewarm_mb"] = search_prewarm() / 2**20
            out["prewarm_s"] = time.perf_counter() - started
        for order in ("relevance", "newest"):
            times, empty = [], 0
            for text in fresh[order] if phase == "fresh" else queries:
                started = time.perf_counter()
                results = engine.query(SearchQuery(text=text, order=order))
                times.append((time.perf_counter() - started) * 1000)
                empty += not results.hits
            figures = {
                "p50_ms": _pct(times, 0.5),
                "p95_ms": _pct(times, 0.95),
                "max_ms": max(times),
                "empty": empty,
            }
            out[order if phase == "warm" else f"{order}_{phase}"] = figures
    return out


if __name__ == "__main__":
    main()
