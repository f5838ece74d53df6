"""Issue #15's goals, each figure of the run beside its goal, in one table.

The figures come from the parts that ran (a part that did not run leaves its goals "not
measured"); nothing here measures. Ratios are between pages measured in the same run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.dedup import GOALS as DEDUP_GOALS
from bench.ranking import GOALS as RANKING_GOALS

if TYPE_CHECKING:
    from bench.report import Report

GOAL_ANONYMOUS_OVER_BARE = 0.8
GOAL_SIGNED_IN_OVER_WAGTAIL = 10.0
RELATED_PUBLISH_MS = RANKING_GOALS["related_publish_ms"]
DEDUP_PUBLISH_MS = DEDUP_GOALS["ms_per_article"]


@dataclass(frozen=True)
class Goal:
    name: str
    what: str
    goal: float
    at_least: bool  # True: value ≥ goal; False: value ≤ goal
    unit: str
    value: float | None  # None: not measured in this run

    @property
    def meets(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.goal if self.at_least else self.value <= self.goal

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "value": None if self.value is None else round(self.value, 3),
            "goal": self.goal,
            "op": ">=" if self.at_least else "<=",
            "unit": self.unit,
            "meets": self.meets,
        }


def _search_p95(report: Report) -> float | None:
    if not report.search or not report.search.backends:
        return None
    return max(
        float(figures[order]["p95_ms"])
        for figures in report.search.backends.values()
        for order in ("relevance", "newest", "relevance_fresh", "newest_fresh")
        if order in figures
    )


def _dedup_million_p95(report: Report) -> float | None:
    dedup = report.safety.get("dedup")
    if dedup is None or dedup[0].skipped:
        return None
    return float(dedup[0].figures["million"]["value"])


def scale_goals(report: Report) -> list[Goal]:
    z, feed = report.zixun, report.feed
    hot = report.ranking.data["hot"]["ingest_per_s"] if report.ranking else None
    related = report.ranking.data["related"]["publish_ms"] if report.ranking else None
    imported = report.scale["articles_per_s"] if report.scale else None
    return [
        Goal("anonymous_over_bare", "anonymous article page req/s ÷ the bare view's",
             GOAL_ANONYMOUS_OVER_BARE, True, "×", z.ratio_throughput if z else None),
        Goal("signed_in_over_wagtail", "signed-in article page req/s ÷ Wagtail's article page",
             GOAL_SIGNED_IN_OVER_WAGTAIL, True, "×", report.ratio_signed_in_wagtail),
        Goal("cache_miss_p95_ms", "article page on a page-cache miss, one connection, p95",
             10.0, False, "ms", report.cache_miss["p95_ms"] if report.cache_miss else None),
        Goal("feed_p95_ms", "follow feed of a reader following 500 accounts, worst page p95",
             30.0, False, "ms", max(feed.feed_p95_ms.values()) if feed else None),
        Goal("feed_visible_ms", "new article of the 198,203-follower account in a feed (max)",
             1000.0, False, "ms", feed.visible_ms["max"] if feed else None),
        Goal("search_p95_ms", "search top 10, worst p95 over engines and orders",
             30.0, False, "ms", _search_p95(report)),
        Goal("hot_ingest_per_s", "hot-list event ingestion", 20000.0, True, "events/s", hot),
        Goal("related_publish_ms", "相关推荐 at publish, median (issue #10's goal)",
             RELATED_PUBLISH_MS, False, "ms", related),
        Goal("dedup_publish_ms", "near-duplicate check at publish at 1,000,000, p95 (ADR 0014)",
             DEDUP_PUBLISH_MS, False, "ms", _dedup_million_p95(report)),
        Goal("import_per_s", "large-site generation (zixun gen-scale)", 2000.0, True,
             "articles/s", imported),
        Goal("worker_rss_mb", "resident memory per web worker (the largest)", 250.0, False, "MB",
             report.memory["max_mb"] if report.memory else None),
    ]  # fmt: skip


def print_goals(goals: list[Goal]) -> None:
    print()
    print("issue #15 goals, this run:")
    for goal in goals:
        op = "≥" if goal.at_least else "≤"
        if goal.value is None:
            value, verdict = "not measured", ""
        else:
            value = f"{goal.value:,.3f}".rstrip("0").rstrip(".")
            verdict = "meets" if goal.meets else "MISSES"
        print(f"  {goal.what:<72} {value:>14} {goal.unit:<10} {verdict:<6} {op} {goal.goal:g}")
