"""The clickbait part: how well the 标题党 score (``zixun.moderation.clickbait``) agrees with
titles labelled by hand.

The labelled set, bench/data/clickbait_labels.tsv, holds references only (file, 1-based line
in the .jsonl.gz, label, split, how the title was picked), because the titles may not be
redistributed; the titles are read from ../shared/data/cn_news_titles at run time. How the
set was picked and labelled: docs/clickbait-labelling.md. The scorer was tuned on ``dev``;
``test`` is the figure that counts. A title is predicted 标题党 when ``is_clickbait``
(score ≥ THRESHOLD). Reported per split: accuracy, precision, recall and F1 of the
clickbait class, beside a majority-class baseline (always "not 标题党", the larger class of
``dev``), and on ``test`` again for the titles picked at random alone (the unbiased part of
the set). Also the time per title. No bodies in the data, so title–body consistency is not
measured here. The data set's absence skips the part with a message.
"""

from __future__ import annotations

import csv
import gzip
import json
import statistics
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LABELS = Path(__file__).resolve().parent / "data" / "clickbait_labels.tsv"
GOALS = {"accuracy": 0.80, "f1": 0.70}  # accuracy: a title-only neural model reaches 0.83
TIME_GOAL_MS = 1.0  # per title, mean
REPEATS = 20  # timing passes over the set


@dataclass(frozen=True)
class Labelled:
    file: str
    line: int
    label: int
    split: str
    picked: str
    title: str


@dataclass(frozen=True)
class ClickbaitResult:
    figures: dict[str, Any]
    skipped: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"skipped": self.skipped} if self.skipped else {"figures": self.figures}


def load_labelled(folder: Path, labels: Path = LABELS) -> list[Labelled]:
    """The labelled rows with their titles; KeyError names a reference not in the data."""
    with labels.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    wanted: dict[str, set[int]] = {}
    for row in rows:
        wanted.setdefault(row["file"], set()).add(int(row["line"]))
    titles: dict[tuple[str, int], str] = {}
    for file, lines in wanted.items():
        last = max(lines)
        with gzip.open(folder / file, "rt", encoding="utf-8") as records:
            for number, record in enumerate(records, start=1):
                if number in lines:
                    titles[file, number] = json.loads(record)["title"]
                if number >= last:
                    break
    return [
        Labelled(
            file=row["file"], line=int(row["line"]), label=int(row["label"]),
            split=row["split"], picked=row["picked"],
            title=titles[row["file"], int(row["line"])],
        )
        for row in rows
    ]  # fmt: skip


def metrics(pairs: Iterable[tuple[int, int]]) -> dict[str, Any]:
    """Accuracy, and precision, recall and F1 of class 1, from (label, prediction) pairs."""
    counts = Counter(pairs)
    tp, fp, fn, tn = counts[1, 1], counts[0, 1], counts[1, 0], counts[0, 0]
    total = tp + fp + fn + tn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "titles": total, "clickbait": tp + fn,
        "accuracy": round((tp + tn) / total, 4) if total else 0.0,
        "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
    }  # fmt: skip


def measure_clickbait(*, shared: Path) -> ClickbaitResult:
    from zixun.moderation.clickbait import THRESHOLD, clickbait_score

    folder = shared / "data" / "cn_news_titles"
    if not folder.is_dir():
        message = f"the title sets are not at {folder}: clickbait part skipped"
        print(f"[bench] {message}")
        return ClickbaitResult(figures={}, skipped=message)
    try:
        rows = load_labelled(folder)
    except (KeyError, OSError) as error:
        message = f"the labelled titles could not be read from {folder} ({error!r}): clickbait part skipped"
        print(f"[bench] {message}")
        return ClickbaitResult(figures={}, skipped=message)
    print(f"[bench] clickbait: {len(rows)} labelled titles …", flush=True)
    predicted = {(row.file, row.line): clickbait_score(row.title).is_clickbait for row in rows}
    times: list[float] = []
    for _ in range(REPEATS):
        for row in rows:
            started = time.perf_counter()
            clickbait_score(row.title)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    dev_majority = Counter(row.label for row in rows if row.split == "dev").most_common(1)[0][0]
    figures: dict[str, Any] = {"threshold": THRESHOLD, "goals": GOALS}
    groups = {
        "test": [row for row in rows if row.split == "test"],
        "dev": [row for row in rows if row.split == "dev"],
        "test_random": [row for row in rows if row.split == "test" and row.picked == "random"],
    }
    for name, members in groups.items():
        scored = metrics((row.label, int(predicted[row.file, row.line])) for row in members)
        scored["baseline"] = metrics((row.label, dev_majority) for row in members)
        figures[name] = scored
    figures["time_ms"] = {
        "mean": round(statistics.fmean(times), 4), "median": round(statistics.median(times), 4),
        "p95": round(times[int(0.95 * (len(times) - 1))], 4), "goal_mean": TIME_GOAL_MS,
    }  # fmt: skip
    return ClickbaitResult(figures=figures)


def print_clickbait(result: ClickbaitResult) -> None:
    print()
    if result.skipped:
        print(f"clickbait: {result.skipped}")
        return
    figures = result.figures
    print(f"clickbait (标题党 score ≥ {figures['threshold']}, labelled titles, tuned on dev)")
    labels = {"test": "test", "dev": "dev (tuned on)", "test_random": "test, random picks only"}
    for name, label in labels.items():
        figure, base = figures[name], figures[name]["baseline"]
        verdicts = ", ".join(
            f"{key} {'meets' if figure[key] >= goal else 'MISSES'} ≥ {goal}"
            for key, goal in figures["goals"].items()
        )
        verdicts = f" ({verdicts})" if name == "test" else ""  # the goals are for test
        print(
            f"  {label}: {figure['titles']} titles, {figure['clickbait']} 标题党: "
            f"accuracy {figure['accuracy']:.3f}, precision {figure['precision']:.3f}, "
            f"recall {figure['recall']:.3f}, F1 {figure['f1']:.3f}{verdicts}; "
            f"majority baseline accuracy {base['accuracy']:.3f}, F1 {base['f1']:.3f}"
        )
    timing = figures["time_ms"]
    verdict = "meets" if timing["mean"] <= timing["goal_mean"] else "MISSES"
    print(
        f"  time per title: mean {timing['mean'] * 1000:.0f} µs, median "
        f"{timing['median'] * 1000:.0f} µs, p95 {timing['p95'] * 1000:.0f} µs "
        f"({verdict} the goal ≤ {timing['goal_mean']:.0f} ms)"
    )
