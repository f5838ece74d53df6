"""Step 5: the table on stdout and bench/results.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.feed import FeedResult, print_feed
from bench.goals import GOAL_ANONYMOUS_OVER_BARE, print_goals, scale_goals
from bench.loadgen import Measurement, Tool
from bench.pagination import PaginationResult, print_pagination
from bench.ranking import RankingResult, print_ranking
from bench.related import RelatedResult, print_related
from bench.scale import ScaleResult, print_scale
from bench.search import SearchResult, print_search
from bench.uploads import GOAL_MB, UploadResult, uploads_as_dict

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"
GOAL_RATIO_THROUGHPUT = GOAL_ANONYMOUS_OVER_BARE
GOAL_RATIO_SIGNED_IN_WAGTAIL = 10.0  # the signed-in article page ≥ 10 × Wagtail's req/s


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


@dataclass(frozen=True)
class ZixunPages:
    """The ``article`` part: Zixun's article page, anonymous and signed in, and its anchors."""

    article_id: int
    article_kind: str
    body_bytes: int
    article: Measurement  # anonymous: the page cache serves it
    bare: Measurement
    # The article page rendered on every request (the page cache bypassed).
    render: Measurement
    # A signed-in reader's article page (session cookie: no page cache, rendered per reader).
    signed_in: Measurement
    signed_in_body_bytes: int
    reader: str

    @property
    def ratio_throughput(self) -> float:
        return _ratio(self.article.rps, self.bare.rps)

    @property
    def ratio_render_throughput(self) -> float:
        return _ratio(self.render.rps, self.bare.rps)

    @property
    def ratio_p50_latency(self) -> float:
        return _ratio(self.article.p50_ms, self.bare.p50_ms)

    @property
    def ratio_signed_in_throughput(self) -> float:
        return _ratio(self.signed_in.rps, self.bare.rps)

    @property
    def ratio_signed_in_p50_latency(self) -> float:
        return _ratio(self.signed_in.p50_ms, self.bare.p50_ms)


@dataclass(frozen=True)
class WagtailPage:
    """The ``wagtail`` part: a minimal Wagtail site's article page, served alike."""

    measurement: Measurement
    body_bytes: int
    path: str
    pages: int
    related: int
    source: str
    database: str  # "sqlite" or "postgresql"
    versions: dict[str, str]
    setup_s: float


@dataclass(frozen=True)
class Report:
    tool: Tool
    duration_s: int
    connections: int
    workers: int
    rounds: int
    corpus_limit: int | None
    parts: tuple[str, ...]
    # Where the Zixun parts ran: "sqlite" (the embedded default) or "postgresql" (+ Redis).
    database: str = "sqlite"
    zixun: ZixunPages | None = None
    wagtail: WagtailPage | None = None
    # The reference account scaled up, its first/middle/last pages timed.
    pagination: PaginationResult | None = None
    # The follow feed: publish for 198,203 followers vs 1, a 500-follow reader's pages.
    feed: FeedResult | None = None
    # Ranking: the hot list's ingestion, 为你推荐's render, 相关推荐 at publish.
    ranking: RankingResult | None = None
    # 相关推荐's similarity: category agreement on the labelled title sets.
    related: RelatedResult | None = None
    search: SearchResult | None = None
    # Trust and safety: part name -> (its result, its print function).
    safety: dict[str, tuple[Any, Callable[[Any], None]]] = field(default_factory=dict)
    # Peak memory and time of one upload per file, each in a fresh process.
    uploads: list[UploadResult] | None = None
    # The article page on a page-cache miss at one connection; granian workers' memory.
    cache_miss: dict[str, Any] | None = None
    memory: dict[str, Any] | None = None
    # The large-site generator's rates (the ``scale`` part).
    scale: dict[str, Any] | None = None

    @property
    def ratio_anonymous_wagtail(self) -> float | None:
        if self.zixun is None or self.wagtail is None:
            return None
        return _ratio(self.zixun.article.rps, self.wagtail.measurement.rps)

    @property
    def ratio_signed_in_wagtail(self) -> float | None:
        if self.zixun is None or self.wagtail is None:
            return None
        return _ratio(self.zixun.signed_in.rps, self.wagtail.measurement.rps)

    def as_dict(self) -> dict[str, Any]:
        """The run's figures; the keys of a part that did not run are absent."""
        data: dict[str, Any] = {
            "date": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "parts": list(self.parts),
            "database": self.database,
            "tool": self.tool,
            "duration_s": self.duration_s,
            "connections": self.connections,
            "workers": self.workers,
            "rounds": self.rounds,
        }
        if z := self.zixun:
            data |= {
                "article_id": z.article_id,
                "article_kind": z.article_kind,
                "body_bytes": z.body_bytes,
                "signed_in_body_bytes": z.signed_in_body_bytes,
                "reader": z.reader,
                "article": _rounded(z.article),
                "signed_in": _rounded(z.signed_in),
                "bare": _rounded(z.bare),
                "render": _rounded(z.render),
                "ratio_throughput": round(z.ratio_throughput, 3),
                "ratio_p50_latency": round(z.ratio_p50_latency, 3),
                "ratio_render_throughput": round(z.ratio_render_throughput, 3),
                "goal_ratio_throughput": GOAL_RATIO_THROUGHPUT,
                "ratio_signed_in_throughput": round(z.ratio_signed_in_throughput, 3),
                "ratio_signed_in_p50_latency": round(z.ratio_signed_in_p50_latency, 3),
            }
        if w := self.wagtail:
            data["wagtail"] = {
                **_rounded(w.measurement),
                "body_bytes": w.body_bytes,
                "path": w.path,
                "pages": w.pages,
                "related": w.related,
                "source": w.source,
                "database": w.database,
                "versions": w.versions,
                "setup_s": round(w.setup_s, 1),
            }
        if (anonymous := self.ratio_anonymous_wagtail) is not None:
            data["ratio_anonymous_wagtail"] = round(anonymous, 3)
        if (signed_in := self.ratio_signed_in_wagtail) is not None:
            data["ratio_signed_in_wagtail"] = round(signed_in, 3)
            data["goal_ratio_signed_in_wagtail"] = GOAL_RATIO_SIGNED_IN_WAGTAIL
        if self.zixun or self.pagination or self.feed:
            data["corpus_limit"] = self.corpus_limit
        if "pagination" in self.parts:
            data["pagination"] = self.pagination.as_dict() if self.pagination else None
        if self.feed:
            data["feed"] = self.feed.as_dict()
        if self.ranking:
            data["ranking"] = self.ranking.as_dict()
        if self.related:
            data["related"] = self.related.as_dict()
        if self.search:
            data["search"] = self.search.as_dict()
        for name, (result, _printer) in self.safety.items():
            data[name] = result.as_dict()
        if self.uploads is not None:
            data["uploads"] = uploads_as_dict(self.uploads)
        if self.cache_miss:
            data["cache_miss"] = self.cache_miss
        if self.memory:
            data["memory"] = self.memory
        if self.scale:
            data["scale"] = self.scale
        data["scale_goals"] = {goal.name: goal.as_dict() for goal in scale_goals(self)}
        return data


def _rounded(measurement: Measurement) -> dict[str, float | int]:
    return {
        key: round(value, 3) if isinstance(value, float) else value
        for key, value in measurement.as_dict().items()
    }


def _verdict(ratio: float, goal: float) -> str:
    return f"{'meets' if ratio >= goal else 'BELOW'} the goal ≥ {goal:g}"


def print_table(report: Report) -> None:
    print()
    print(
        f"{report.tool}, {report.workers} granian workers, {report.connections} connections, "
        f"{report.rounds} × {report.duration_s} s per page (parts: {', '.join(report.parts)}; "
        f"Zixun on {report.database})"
    )
    rows: list[tuple[str, Measurement, int]] = []
    if z := report.zixun:
        rows += [
            ("article", z.article, z.body_bytes),
            ("signed-in", z.signed_in, z.signed_in_body_bytes),
            ("render", z.render, z.body_bytes),
            ("bare", z.bare, z.body_bytes),
        ]
    if w := report.wagtail:
        rows.append(("wagtail", w.measurement, w.body_bytes))
    if rows:
        print(
            f"{'page':<10} {'req/s':>10} {'p50 ms':>9} {'p90 ms':>9} {'p99 ms':>9} "
            f"{'errors':>7} {'bytes':>8}"
        )
        for name, m, size in rows:
            print(
                f"{name:<10} {m.rps:>10.1f} {m.p50_ms:>9.2f} {m.p90_ms:>9.2f} {m.p99_ms:>9.2f} "
                f"{m.errors:>7} {size:>8}"
            )
    if z:
        print(
            f"throughput ratio article/bare: {z.ratio_throughput:.3f} "
            f"({_verdict(z.ratio_throughput, GOAL_RATIO_THROUGHPUT)})"
        )
        print(f"p50 latency ratio article/bare: {z.ratio_p50_latency:.3f}")
        print(f"throughput ratio render/bare (a page-cache miss): {z.ratio_render_throughput:.3f}")
        print(
            f"throughput ratio signed-in/bare: {z.ratio_signed_in_throughput:.3f}; "
            f"p50 latency ratio signed-in/bare: {z.ratio_signed_in_p50_latency:.3f}"
        )
    if w:
        print(
            f"wagtail: {w.versions.get('wagtail')} (Django {w.versions.get('django')}, granian "
            f"{w.versions.get('granian')}) on {w.database}, {w.path}, {w.pages} article pages from"
            f" {w.source}"
        )
    if (anonymous := report.ratio_anonymous_wagtail) is not None:
        print(f"throughput ratio article (anonymous)/wagtail: {anonymous:.3f}")
    if (signed_in := report.ratio_signed_in_wagtail) is not None:
        print(
            f"throughput ratio signed-in/wagtail: {signed_in:.3f} "
            f"({_verdict(signed_in, GOAL_RATIO_SIGNED_IN_WAGTAIL)})"
        )
    if report.pagination:
        print_pagination(report.pagination)
    if report.feed:
        print_feed(report.feed)
    if report.ranking:
        print_ranking(report.ranking)
    if report.related:
        print_related(report.related)
    if report.search:
        print_search(report.search)
    for result, printer in report.safety.values():
        printer(result)
    if report.uploads is not None:
        summary = uploads_as_dict(report.uploads)
        verdict = "meets" if summary["meets_goal"] else "MISSES"
        print(
            f"uploads: worst peak {summary['worst_peak_mb']} MB above a worker's baseline "
            f"({verdict} the goal of ≤ {GOAL_MB:g} MB)"
        )
        for upload in report.uploads:
            print(
                f"  {upload.name:<18} {upload.peak_mb:>6.1f} MB {upload.seconds:>7.3f} s  "
                f"{upload.outcome}"
            )
    if miss := report.cache_miss:
        print(
            f"page-cache miss at one connection ({miss['path']}, {miss['requests']} requests): "
            f"p50 {miss['p50_ms']:.2f} ms, p95 {miss['p95_ms']:.2f} ms, p99 {miss['p99_ms']:.2f} ms"
        )
    if memory := report.memory:
        print(
            f"granian workers' resident memory: {', '.join(f'{mb:g}' for mb in memory['rss_mb'])} "
            f"MB (supervisor {memory['supervisor_mb']:g} MB)"
        )
    if report.scale:
        print_scale(ScaleResult(data=report.scale))
    print_goals(scale_goals(report))


def write_results(report: Report, path: Path = RESULTS_PATH) -> None:
    path.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")
    print(f"[bench] wrote {path}")
