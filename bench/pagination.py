"""Step 2b: a million-article account, and how fast its first, middle and last pages open.

The design claim: an account with 1,076,115 articles (金台资讯 on the reference
site) pages to its last page as fast as to its first, because every page is one
index range scan of ``size + 1`` rows (zixun/core/pagination.py), never OFFSET.

``zixun demo-scale`` tops the reference account up to that many published articles
in the bench database (synthetic ones, added to the demo's), then a ``manage.py shell`` snippet times, in one process and without
the page cache, ``article_list_for_creator`` (the selector) and the whole account
page through Django's test client (middleware, view, template) for the first
page, the page after the article in the middle of the account, and the last page.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.database import run_snippet, run_step
from bench.errors import BenchError
from zixun.demo.reference import REFERENCE_ACCOUNT

DEFAULT_SCALE = 1076115  # 金台资讯's article count on the reference site
PAGE_SIZE = 20
SELECTOR_REPEAT = 200  # timed calls per page, after the warm-up
PAGE_REPEAT = 50  # timed renders per page (a render costs more than a selector call)
WARMUP = 20
GOAL_RATIO = 1.5  # "as fast": the middle and last pages within 1.5 × the first
KINDS = ("first", "middle", "last")
_TAG = "pagination-json"

# Runs in `manage.py shell -c` with PARAMS prepended; prints one `pagination-json {...}` line.
_SNIPPET = """\
import json, statistics, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from zixun.articles.models import Article
from zixun.articles.selectors import article_list_for_creator
from zixun.core.pagination import Cursor, PageRequest
from zixun.creators.models import Creator

creator = Creator.objects.get(name=PARAMS["account"])
size = PARAMS["size"]
published = Article.objects.filter(creator=creator, status="published").order_by(
    "-published_at", "-id"
)
total = published.count()
if total < 3 * size:
    raise SystemExit(f"{creator.name} has only {total} published articles")
middle_at, middle_pk = published.values_list("published_at", "id")[total // 2]
middle = Cursor(published_at=middle_at, pk=middle_pk)
requests = {
    "first": PageRequest(),
    "middle": PageRequest(after=middle),
    "last": PageRequest(last=True),
}
base = creator.get_absolute_url()
urls = {"first": base, "middle": f"{base}?after={middle.encode()}", "last": f"{base}?page=last"}

# What each page must hold: first, the newest; middle, the rows after position total // 2;
# last, the oldest.
expected = {
    "first": list(published.values_list("id", flat=True)[:size]),
    "middle": list(published.values_list("id", flat=True)[total // 2 + 1 : total // 2 + 1 + size]),
    "last": list(published.values_list("id", flat=True)[total - size :]),
}
explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
plans, queries = {}, {}
for kind, request in requests.items():
    with CaptureQueriesContext(connection) as captured:
        page = article_list_for_creator(creator=creator, page=request, size=size)
    ids = [a.pk for a in page.items]
    if ids != expected[kind]:
        raise SystemExit(f"the {kind} page holds the wrong articles: {ids[:3]} …")
    sql = captured.captured_queries[-1]["sql"]
    try:
        with connection.cursor() as cursor:
            cursor.execute(explain + sql)
            plans[kind] = " | ".join(str(row[-1]) for row in cursor.fetchall())
    except Exception as error:  # the plan is informative only
        plans[kind] = f"unavailable: {error}"

client = Client(SERVER_NAME="127.0.0.1")
for url in urls.values():  # once first, so that one-time work (caches) is not counted
    client.get(url)
for kind, url in urls.items():
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: {response.status_code}")
    queries[kind] = len(captured.captured_queries)


def selector(kind):
    article_list_for_creator(creator=creator, page=requests[kind], size=size)


def render(kind):
    response = client.get(urls[kind])
    if response.status_code != 200:
        raise SystemExit(f"GET {urls[kind]}: {response.status_code}")


def medians(call, repeat):
    # Warm up, then take the kinds in turn, so that drift weighs on each alike.
    for kind in requests:
        for _ in range(PARAMS["warmup"]):
            call(kind)
    times = {kind: [] for kind in requests}
    for _ in range(repeat):
        for kind in requests:
            started = time.perf_counter()
            call(kind)
            times[kind].append((time.perf_counter() - started) * 1000)
    return {kind: statistics.median(values) for kind, values in times.items()}


result = {
    "creator_id": creator.pk,
    "published": total,
    "article_count": creator.article_count,
    "selector_ms": medians(selector, PARAMS["selector_repeat"]),
    "page_ms": medians(render, PARAMS["page_repeat"]),
    "queries": queries,
    "plans": plans,
    "database": connection.vendor,
}
print("pagination-json", json.dumps(result))
"""


@dataclass(frozen=True)
class PaginationResult:
    account: str
    creator_id: int
    published: int  # the account's published articles once scaled (the demo's and the added)
    scale_count: int  # the published articles asked for (--scale)
    scale_added: int  # the synthetic articles `zixun demo-scale` added
    scale_s: float  # seconds `zixun demo-scale` took
    page_size: int
    selector_repeat: int
    page_repeat: int
    selector_ms: dict[str, float]  # median per kind (first, middle, last)
    page_ms: dict[str, float]
    queries: dict[str, int]  # queries one account page costs once warm, per kind
    plans: dict[str, str]  # the selector query's plan, per kind
    database: str

    @staticmethod
    def _ratios(ms: dict[str, float]) -> dict[str, float]:
        first = ms["first"]
        if not first:
            return {"last/first": 0.0, "middle/first": 0.0}
        return {"last/first": ms["last"] / first, "middle/first": ms["middle"] / first}

    @property
    def selector_ratios(self) -> dict[str, float]:
        return self._ratios(self.selector_ms)

    @property
    def page_ratios(self) -> dict[str, float]:
        return self._ratios(self.page_ms)

    @property
    def claim_holds(self) -> bool:
        ratios = [*self.selector_ratios.values(), *self.page_ratios.values()]
        return all(0 < r <= GOAL_RATIO for r in ratios)

    @property
    def plan_warnings(self) -> list[str]:
        """Plans that sort or scan instead of reading one index range (SQLite wording)."""
        return [
            f"{kind}: {plan}"
            for kind, plan in self.plans.items()
            if "TEMP B-TREE" in plan or "SCAN " in plan or "Sort" in plan
        ]

    def as_dict(self) -> dict[str, Any]:
        def rounded(values: dict[str, float]) -> dict[str, float]:
            return {key: round(value, 4) for key, value in values.items()}

        return {
            "account": self.account,
            "creator_id": self.creator_id,
            "published": self.published,
            "scale_count": self.scale_count,
            "scale_added": self.scale_added,
            "scale_s": round(self.scale_s, 1),
            "page_size": self.page_size,
            "selector_repeat": self.selector_repeat,
            "page_repeat": self.page_repeat,
            "selector_ms": rounded(self.selector_ms),
            "page_ms": rounded(self.page_ms),
            "selector_ratios": rounded(self.selector_ratios),
            "page_ratios": rounded(self.page_ratios),
            "goal_ratio": GOAL_RATIO,
            "claim_holds": self.claim_holds,
            "queries": self.queries,
            "plans": self.plans,
            "database": self.database,
        }


def scale_account(*, root: Path, env: dict[str, str], count: int) -> tuple[int, float]:
    """``zixun demo-scale``: the reference account ends with ``count`` published articles.

    Returns how many it added and the seconds it took.
    """
    zixun = root / ".venv" / "bin" / "zixun"
    argv = [
        str(zixun),
        "demo-scale",
        "--account",
        REFERENCE_ACCOUNT,
        "--count",
        str(count),
        "--no-progress",
    ]
    started = time.monotonic()
    label = f"topping {REFERENCE_ACCOUNT} up to {count:,} articles (zixun demo-scale)"
    out = run_step(label, argv, env=env, cwd=root)
    elapsed = time.monotonic() - started
    for line in out.splitlines():
        print(f"[bench]   {line}", flush=True)
    # "新增 N 篇，账号现有 M 篇文章" (or its translation): the first number is the added count.
    if not (match := re.search(r"(\d+)\D+\d+", out)):
        raise BenchError(f"zixun demo-scale printed no counts:\n{out}")
    return int(match.group(1)), elapsed


def time_pages(*, root: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run the timing snippet with the page cache off; returns what it printed."""
    params = {
        "account": REFERENCE_ACCOUNT,
        "size": PAGE_SIZE,
        "selector_repeat": SELECTOR_REPEAT,
        "page_repeat": PAGE_REPEAT,
        "warmup": WARMUP,
    }
    print(
        f"[bench] timing the first, middle and last account pages "
        f"({SELECTOR_REPEAT} selector calls, {PAGE_REPEAT} renders each) …",
        flush=True,
    )
    return run_snippet(
        root=root, env=env, snippet=_SNIPPET, params=params, tag=_TAG,
        label="timing the account pages",
    )  # fmt: skip


def measure_pagination(
    *, root: Path, env: dict[str, str], count: int, scale_added: int, scale_s: float
) -> PaginationResult:
    """Time the pages of the reference account, once ``scale_account`` topped it up to
    ``count`` articles (adding ``scale_added`` in ``scale_s`` seconds)."""
    data = time_pages(root=root, env=env)
    return PaginationResult(
        account=REFERENCE_ACCOUNT,
        creator_id=int(data["creator_id"]),
        published=int(data["published"]),
        scale_count=count,
        scale_added=scale_added,
        scale_s=scale_s,
        page_size=PAGE_SIZE,
        selector_repeat=SELECTOR_REPEAT,
        page_repeat=PAGE_REPEAT,
        selector_ms={k: float(data["selector_ms"][k]) for k in KINDS},
        page_ms={k: float(data["page_ms"][k]) for k in KINDS},
        queries={k: int(data["queries"][k]) for k in KINDS},
        plans={k: str(data["plans"][k]) for k in KINDS},
        database=str(data["database"]),
    )


def print_pagination(result: PaginationResult) -> None:
    print()
    print(
        f"pagination: {result.account}, {result.published:,} published articles "
        f"({result.scale_added:,} generated in {result.scale_s:.1f} s), "
        f"{result.page_size} per page, page cache off, median of "
        f"{result.selector_repeat} selector calls / {result.page_repeat} renders"
    )
    header = (
        f"{'':<12} {'first':>8} {'middle':>8} {'last':>8} {'last/first':>11} {'middle/first':>13}"
    )
    print(header)
    rows = (
        ("selector ms", result.selector_ms, result.selector_ratios),
        ("page ms", result.page_ms, result.page_ratios),
    )
    for name, ms, ratios in rows:
        print(
            f"{name:<12} {ms['first']:>8.3f} {ms['middle']:>8.3f} {ms['last']:>8.3f} "
            f"{ratios['last/first']:>11.3f} {ratios['middle/first']:>13.3f}"
        )
    print(
        "queries per account page: " + ", ".join(f"{kind} {result.queries[kind]}" for kind in KINDS)
    )
    verdict = "holds" if result.claim_holds else "DOES NOT HOLD"
    print(
        f'claim "the last page opens as fast as the first" (every ratio ≤ {GOAL_RATIO}): {verdict}'
    )
    for warning in result.plan_warnings:
        print(f"[bench] warning: the query plan does not read one index range: {warning}")
