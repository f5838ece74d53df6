"""The search part: Chinese full-text search at scale, on SQLite (FTS5) and on PostgreSQL.

For each database, ``bench.search_site`` runs in a subprocess on a search bench site of
``--search-docs`` articles (default 1,000,000) resampled from the real CCTV corpus. The site is
built once and kept (var/bench-search/: the SQLite file; the ``zixun_bench_search`` PostgreSQL
database), so later runs only measure. Figures: indexing articles/s (re-indexing real-text
articles through the site's code, two processes segmenting; goal ≥ 1,000), and query p50/p95
in relevance and in newest order (goal p95 ≤ 30 ms), each on both databases. A database that
cannot be reached is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.database import bench_env

GOALS = {"index_per_s": 1000.0, "query_p95_ms": 30.0}
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test"
PG_NAME = "zixun_bench_search"
REDIS_URL = "redis://127.0.0.1:6379/14"  # the search part's own db, emptied at its start
TIMEOUT_S = 4 * 3600


@dataclass(frozen=True)
class SearchResult:
    backends: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"goals": GOALS, "backends": self.backends, "skipped": self.skipped}


def _postgres_ready() -> str:
    """'' when the bench database exists (created if missing), else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            if not conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]
            ).fetchone():
                conn.execute(f'CREATE DATABASE "{PG_NAME}"')
    except psycopg.Error as error:
        return f"PostgreSQL at 127.0.0.1:5432 is not reachable ({error.__class__.__name__})"
    return ""


def _redis_emptied(url: str) -> str:
    """'' when the search part's own Redis db was emptied (the words' counts and estimates of an
    earlier run, kept an hour, are not this run's), else why not."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).flushdb()
    except redis.RedisError as error:
        return f"Redis at {url} is not usable ({error.__class__.__name__})"
    return ""


def measure_search(*, root: Path, shared: Path, docs: int) -> SearchResult:
    corpus = shared / "data" / "cn_news_cctv_xwlb" / "articles.jsonl.gz"
    if not corpus.is_file():
        reason = f"the CCTV corpus is not at {corpus}: search part skipped"
        print(f"[bench] {reason}")
        return SearchResult(skipped={"all": reason})
    cache = root / "var" / "bench-search"
    result = SearchResult()
    for backend in ("sqlite", "postgresql"):
        env = bench_env(cache / backend)
        (cache / backend).mkdir(parents=True, exist_ok=True)
        if backend == "postgresql":
            redis_url = os.environ.get("ZIXUN_BENCH_REDIS_URL", REDIS_URL)
            if reason := _postgres_ready() or _redis_emptied(redis_url):
                print(f"[bench] search on PostgreSQL skipped: {reason}")
                result.skipped[backend] = reason
                continue
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"
            env["REDIS_URL"] = redis_url
        else:  # the SQLite site's shared cache, emptied likewise
            shutil.rmtree(cache / backend / "shared-cache", ignore_errors=True)
        print(
            f"[bench] search on {backend}: {docs:,} articles (built once, kept in {cache}) …",
            flush=True,
        )
        run = subprocess.run(
            [sys.executable, "-m", "bench.search_site", "--docs", str(docs), "--corpus", str(corpus)],
            cwd=root, env=env, stdout=subprocess.PIPE, text=True, timeout=TIMEOUT_S, check=False,
        )  # fmt: skip
        line = next((x for x in run.stdout.splitlines() if x.startswith("search-json ")), "")
        if run.returncode != 0 or not line:
            result.skipped[backend] = f"the search bench failed (exit {run.returncode})"
            print(f"[bench] {result.skipped[backend]}")
            continue
        result.backends[backend] = json.loads(line.removeprefix("search-json "))
    return result


def print_search(result: SearchResult) -> None:
    print()
    for backend, reason in result.skipped.items():
        print(f"search ({backend}): {reason}")
    for backend, figures in result.backends.items():
        rate = figures["index_per_s"]
        print(f"search on {backend}, {figures['docs']:,} articles:")
        verdict = "meets" if rate >= GOALS["index_per_s"] else "MISSES"
        cold = figures.get("index_cold_per_s")
        print(f"  indexing {rate:,.0f} articles/s ({verdict} ≥ {GOALS['index_per_s']:,.0f})"
              + (f", {cold:,.0f} /s in the first pass (index pages read from disk)" if cold else "")
              + f"; an edit re-indexes one in {figures['index_one_ms']:.1f} ms")  # fmt: skip
        if "prewarm_s" in figures:
            print(f"  search-prewarm read {figures['prewarm_mb']:,.0f} MB in {figures['prewarm_s']:.1f} s"
                  " before the fresh passes")  # fmt: skip
        for order in (
            "relevance",
            "relevance_fresh",
            "newest",
            "newest_fresh",
            "relevance_cold",
            "newest_cold",
        ):
            if order not in figures:
                continue  # a site measured before the fresh pass existed
            f = figures[order]
            verdict = "meets" if f["p95_ms"] <= GOALS["query_p95_ms"] else "MISSES"
            print(f"  {order}: p50 {f['p50_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms ({verdict} ≤ "
                  f"{GOALS['query_p95_ms']:.0f}), max {f['max_ms']:.1f} ms over {figures['queries']} queries")  # fmt: skip
