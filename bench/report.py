"""Step 5: the table on stdout and bench/results.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.feed import FeedResult, print_feed
from bench.loadgen import Measurement, Tool
from bench.pagination import PaginationResult, print_pagination

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"
GOAL_RATIO_THROUGHPUT = 0.7


@dataclass(frozen=True)
class Report:
    tool: Tool
    duration_s: int
    connections: int
    workers: int
    rounds: int
    corpus_limit: int | None
    article_id: int
    article_kind: str
    body_bytes: int
    article: Measurement
    bare: Measurement
    # The article page rendered on every request (the page cache bypassed).
    render: Measurement
    # The reference account scaled up, its first/middle/last pages timed (None: --scale 0).
    pagination: PaginationResult | None = None
    # The follow feed: publish for 198,203 followers vs 1, a 500-follow reader's pages.
    feed: FeedResult | None = None

    @property
    def ratio_throughput(self) -> float:
        return self.article.rps / self.bare.rps if self.bare.rps else 0.0

    @property
    def ratio_render_throughput(self) -> float:
        return self.render.rps / self.bare.rps if self.bare.rps else 0.0

    @property
    def ratio_p50_latency(self) -> float:
        return self.article.p50_ms / self.bare.p50_ms if self.bare.p50_ms else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "tool": self.tool,
            "duration_s": self.duration_s,
            "connections": self.connections,
            "workers": self.workers,
            "rounds": self.rounds,
            "article_id": self.article_id,
            "article_kind": self.article_kind,
            "body_bytes": self.body_bytes,
            "article": _rounded(self.article),
            "bare": _rounded(self.bare),
            "render": _rounded(self.render),
            "ratio_throughput": round(self.ratio_throughput, 3),
            "ratio_p50_latency": round(self.ratio_p50_latency, 3),
            "ratio_render_throughput": round(self.ratio_render_throughput, 3),
            "goal_ratio_throughput": GOAL_RATIO_THROUGHPUT,
            "corpus_limit": self.corpus_limit,
            "pagination": self.pagination.as_dict() if self.pagination else None,
            "feed": self.feed.as_dict() if self.feed else None,
        }


def _rounded(measurement: Measurement) -> dict[str, float | int]:
    return {
        key: round(value, 3) if isinstance(value, float) else value
        for key, value in measurement.as_dict().items()
    }


def print_table(report: Report) -> None:
    print()
    print(
        f"{report.tool}, {report.workers} granian workers, {report.connections} connections, "
        f"{report.rounds} × {report.duration_s} s per page, body {report.body_bytes} bytes"
    )
    print(f"{'page':<8} {'req/s':>10} {'p50 ms':>9} {'p90 ms':>9} {'p99 ms':>9} {'errors':>7}")
    for name, m in (("article", report.article), ("render", report.render), ("bare", report.bare)):
        print(
            f"{name:<8} {m.rps:>10.1f} {m.p50_ms:>9.2f} {m.p90_ms:>9.2f} {m.p99_ms:>9.2f} "
            f"{m.errors:>7}"
        )
    verdict = "meets" if report.ratio_throughput >= GOAL_RATIO_THROUGHPUT else "BELOW"
    print(
        f"throughput ratio article/bare: {report.ratio_throughput:.3f} "
        f"({verdict} the goal ≥ {GOAL_RATIO_THROUGHPUT})"
    )
    print(f"p50 latency ratio article/bare: {report.ratio_p50_latency:.3f}")
    print(f"throughput ratio render/bare (a page-cache miss): {report.ratio_render_throughput:.3f}")
    if report.pagination:
        print_pagination(report.pagination)
    if report.feed:
        print_feed(report.feed)


def write_results(report: Report, path: Path = RESULTS_PATH) -> None:
    path.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")
    print(f"[bench] wrote {path}")
