"""The rankers every evaluation shows beside Zixun's: random, popularity and recency."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

from zixun.ranking.mind import Behavior


class RandomRanker:
    name = "random"

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)  # noqa: S311 - a baseline, not a secret

    def score(self, behavior: Behavior) -> Sequence[float]:
        return [self._rng.random() for _ in behavior.candidates]

    def observe(self, behavior: Behavior) -> None:
        pass


class PopularityRanker:
    """Clicks each news item got in the impressions observed so far."""

    name = "popularity"

    def __init__(self) -> None:
        self._clicks: Counter[str] = Counter()

    def score(self, behavior: Behavior) -> Sequence[float]:
        return [float(self._clicks[news_id]) for news_id in behavior.candidates]

    def observe(self, behavior: Behavior) -> None:
        for news_id, label in zip(behavior.candidates, behavior.labels, strict=True):
            self._clicks[news_id] += label


class RecencyRanker:
    """Newest first: when each news item was first seen in any impression (MIND has no
    publication times); an item never seen before is the newest of all."""

    name = "recency"

    def __init__(self) -> None:
        self._first_seen: dict[str, float] = {}

    def score(self, behavior: Behavior) -> Sequence[float]:
        now = behavior.time.timestamp()
        return [self._first_seen.get(news_id, now) for news_id in behavior.candidates]

    def observe(self, behavior: Behavior) -> None:
        for news_id in behavior.candidates:
            self._first_seen.setdefault(news_id, behavior.time.timestamp())
