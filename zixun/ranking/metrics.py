"""Ranking metrics as MIND defines them, per impression, and bootstrap intervals over impressions.

An impression is one list shown to a reader: every item has a label (1 clicked, 0 not) and
the ranker's score. The figures are MIND's (the evaluation script of the MIND competition):

- AUC: the chance that a clicked item scores above a non-clicked one (ties count half).
- MRR: the clicks' reciprocal ranks, summed and divided by the number of clicks.
- nDCG@k: the discounted gain of the clicks in the top k, over the best possible.

Items with equal scores keep the order they were shown in (a stable sort), so that a ranker
that scores everything alike gets the figures of the list as shown. An impression without
a click, or with nothing but clicks, has no AUC: it is left out of every average, as in
MIND's script. No numpy: the lists are short (MIND's average about 37 items).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Impression = tuple[Sequence[int], Sequence[float]]  # (labels, scores), item by item


def _ranked_labels(labels: Sequence[int], scores: Sequence[float]) -> list[int]:
    """The labels in the ranker's order: best score first, ties in the order shown."""
    if len(labels) != len(scores):
        raise ValueError("one score per label")
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    return [labels[i] for i in order]


def auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """The Mann-Whitney AUC with average ranks for ties (what sklearn's roc_auc_score gives)."""
    positives = sum(1 for label in labels if label)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        raise ValueError("an impression needs a clicked and a non-clicked item")
    if len(labels) != len(scores):
        raise ValueError("one score per label")
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        average = (start + end) / 2 + 1  # ranks are 1-based
        for position in range(start, end + 1):
            ranks[order[position]] = average
        start = end + 1
    positive_ranks = sum(rank for rank, label in zip(ranks, labels, strict=True) if label)
    return (positive_ranks - positives * (positives + 1) / 2) / (positives * negatives)


def mrr(labels: Sequence[int], scores: Sequence[float]) -> float:
    ranked = _ranked_labels(labels, scores)
    clicks = sum(ranked)
    if clicks == 0:
        raise ValueError("an impression needs a clicked item")
    return sum(label / (rank + 1) for rank, label in enumerate(ranked)) / clicks


def _dcg(ranked: Sequence[int], k: int) -> float:
    return math.fsum((2**label - 1) / math.log2(rank + 2) for rank, label in enumerate(ranked[:k]))


def ndcg(labels: Sequence[int], scores: Sequence[float], k: int) -> float:
    if k <= 0:
        raise ValueError("k must be positive")
    best = _dcg(sorted(labels, reverse=True), k)
    if best == 0:
        raise ValueError("an impression needs a clicked item")
    return _dcg(_ranked_labels(labels, scores), k) / best


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float  # the 2.5th percentile of the bootstrap means
    high: float  # the 97.5th


@dataclass(frozen=True)
class Scores:
    impressions: int  # the impressions that counted (a click and a non-click each)
    auc: Interval
    mrr: Interval
    ndcg5: Interval
    ndcg10: Interval

    def as_dict(self) -> dict[str, float | int]:
        figures: dict[str, float | int] = {"impressions": self.impressions}
        for name in METRICS:
            interval: Interval = getattr(self, name)
            figures.update(
                {name: interval.mean, f"{name}_low": interval.low, f"{name}_high": interval.high}
            )
        return figures


# The name of each figure in tables and charts.
LABELS = {"auc": "AUC", "mrr": "MRR", "ndcg5": "nDCG@5", "ndcg10": "nDCG@10"}
METRICS: dict[str, Callable[[Sequence[int], Sequence[float]], float]] = {
    "auc": auc,
    "mrr": mrr,
    "ndcg5": lambda labels, scores: ndcg(labels, scores, 5),
    "ndcg10": lambda labels, scores: ndcg(labels, scores, 10),
}


def _percentile(ordered: Sequence[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def scores_of(impressions: Sequence[Impression], *, resamples: int = 1000, seed: int = 0) -> Scores:
    """Every metric averaged over the impressions that have a click and a non-click, with a
    95% percentile-bootstrap interval (impressions resampled with replacement, seeded).
    Memory stays proportional to the impressions: each resample is drawn and summed in turn."""
    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    rows = [
        [metric(labels, scores) for metric in METRICS.values()]
        for labels, scores in impressions
        if any(labels) and not all(labels)
    ]
    if not rows:
        raise ValueError("no impression has both a clicked and a non-clicked item")
    rng = random.Random(seed)  # noqa: S311 - resampling, not secrets
    count = len(rows)
    means: list[list[float]] = [[] for _ in METRICS]
    for _ in range(resamples):
        totals = [0.0] * len(METRICS)
        for _ in range(count):
            row = rows[rng.randrange(count)]
            for column, value in enumerate(row):
                totals[column] += value
        for column, total in enumerate(totals):
            means[column].append(total / count)
    intervals = {}
    for column, name in enumerate(METRICS):
        ordered = sorted(means[column])
        intervals[name] = Interval(
            mean=math.fsum(row[column] for row in rows) / count,
            low=_percentile(ordered, 0.025),
            high=_percentile(ordered, 0.975),
        )
    return Scores(impressions=count, **intervals)
