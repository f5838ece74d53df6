"""The related part: how well 相关推荐's similarity finds same-topic articles, from text alone.

On the labelled headline sets in ../shared/data/cn_news_titles (no bodies, no times), every
title is indexed with the site's own code (``zixun.ranking.text.terms``, the in-memory
``MemoryIndex`` of ``zixun.ranking.similar``, the site's default parameters, term vectors
learned by ``zixun.ranking.semantic.learn`` from the indexed titles themselves), then each
title's 8 nearest other titles are found with ``nearest`` and the figure is the mean
share of them in the same category (the labels are read only to score). THUCNews: all
19,976 titles; TNEWS: the first 20,000. Also the time per query. Two processes share the
queries; the data sets' absence skips the part with a message.
"""

from __future__ import annotations

import gzip
import json
import signal
import statistics
import time
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path
from typing import Any

K = 8
SETS = {"thucnews": ("thucnews_titles.jsonl.gz", None, 0.75), "tnews": ("tnews_titles.jsonl.gz", 20_000, 0.40)}  # fmt: skip
_STATE: dict[str, Any] = {}


def _load(path: Path, limit: int | None) -> list[tuple[str, str]]:
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            rows.append((record["title"], record["category"]))
            if limit and len(rows) >= limit:
                break
    return rows


def _worker_init() -> None:
    """Workers die quietly when the pool ends (the parent's SIGTERM handler raises)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _work(span: tuple[int, int]) -> tuple[float, list[float]]:
    from zixun.ranking.similar import nearest

    index, vectors, labels = _STATE["index"], _STATE["vectors"], _STATE["labels"]
    agree, times = 0.0, []
    for i in range(*span):
        started = time.perf_counter()
        found = nearest(vectors[i], index, k=K, exclude={i})
        times.append((time.perf_counter() - started) * 1000)
        agree += sum(labels[j] == labels[i] for j, _ in found) / K
    return agree, times


@dataclass(frozen=True)
class RelatedResult:
    figures: dict[str, dict[str, Any]]
    skipped: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"skipped": self.skipped} if self.skipped else {"figures": self.figures}


def measure_related(*, shared: Path) -> RelatedResult:
    from zixun.ranking.semantic import learn
    from zixun.ranking.similar import MemoryIndex, stored_weights
    from zixun.ranking.text import terms

    folder = shared / "data" / "cn_news_titles"
    if not folder.is_dir():
        message = f"the title sets are not at {folder}: related part skipped"
        print(f"[bench] {message}")
        return RelatedResult(figures={}, skipped=message)
    figures: dict[str, dict[str, Any]] = {}
    for name, (file, limit, goal) in SETS.items():
        rows = _load(folder / file, limit)
        started = time.perf_counter()
        vectors = [terms(title) for title, _ in rows]
        model = learn(stored_weights(vector) for vector in vectors)
        learn_s = time.perf_counter() - started
        index = MemoryIndex(model=model)
        for i, vector in enumerate(vectors):
            index.add(i, vector)
        build_s = time.perf_counter() - started - learn_s
        _STATE.update(index=index, vectors=vectors, labels=[c for _, c in rows])
        spans = [(lo, min(lo + 1000, len(rows))) for lo in range(0, len(rows), 1000)]
        print(f"[bench] related: {name}, {len(rows):,} titles, {K} nearest each …", flush=True)
        with Pool(2, initializer=_worker_init) as pool:  # forked: the index is shared, not copied
            parts = pool.map(_work, spans)
        agree = sum(a for a, _ in parts) / len(rows)
        times = sorted(t for _, ts in parts for t in ts)
        figures[f"agreement_{name}"] = {
            "value": round(agree, 4), "goal": goal, "titles": len(rows),
            "query_ms_mean": round(statistics.fmean(times), 3),
            "query_ms_median": round(statistics.median(times), 3),
            "query_ms_p95": round(times[int(0.95 * (len(times) - 1))], 3),
            "learn_s": round(learn_s, 1), "index_build_s": round(build_s, 1),
        }  # fmt: skip
    return RelatedResult(figures=figures)


def print_related(result: RelatedResult) -> None:
    print()
    if result.skipped:
        print(f"related: {result.skipped}")
        return
    print(f"related (相关推荐 similarity, text alone): category agreement of the {K} nearest")
    for name, figure in result.figures.items():
        verdict = "meets" if figure["value"] >= figure["goal"] else "MISSES"
        print(
            f"  {name}: {figure['value']:.3f} over {figure['titles']:,} titles ({verdict} the goal "
            f"≥ {figure['goal']}); query mean {figure['query_ms_mean']:.2f} ms, "
            f"median {figure['query_ms_median']:.2f} ms, "
            f"p95 {figure['query_ms_p95']:.2f} ms"
        )
