"""MIND-format click logs: read behaviors.tsv and news.tsv, and replay impressions in time order.

behaviors.tsv has no header and five tab-separated columns: impression id, user id, time
(``11/11/2019 9:05:58 AM``), the user's clicked history (space-separated news ids, oldest
first) and the impression (``N55689-1 N35729-0``: clicked 1, not clicked 0). news.tsv has
no header and eight columns (id, category, subcategory, title, abstract, url, entities); an
xMIND file has a ``nid	title	abstract`` header and three. Both may be gzipped.

``replay`` scores every impression with each ranker before any ranker sees it: rankers learn
only from impressions strictly earlier in time (impressions of the same second are scored
together, then shown to the rankers), so no figure looks into the future.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import IO, Protocol

from zixun.ranking.metrics import Impression

TIME_FORMAT = "%m/%d/%Y %I:%M:%S %p"


class LogError(ValueError):
    """A line that is not MIND format; the message names the file and the line."""


@dataclass(frozen=True)
class Behavior:
    impression_id: str
    user_id: str
    time: datetime
    history: tuple[str, ...]
    candidates: tuple[str, ...]
    labels: tuple[int, ...]


@dataclass(frozen=True)
class News:
    news_id: str
    title: str
    category: str = ""
    abstract: str = ""


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def behavior_parse(line: str) -> Behavior:
    """One behaviors.tsv line; raises LogError saying what is wrong."""
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) != 5:
        raise LogError(f"expected 5 tab-separated columns, found {len(fields)}")
    impression_id, user_id, when, history, impressions = fields
    try:
        # MIND does not say which zone its times are in; they are read as UTC.
        time = datetime.strptime(when, TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError as error:
        raise LogError(f"the time {when!r} is not like 11/11/2019 9:05:58 AM") from error
    candidates, labels = [], []
    for item in impressions.split():
        news_id, _, label = item.rpartition("-")
        if not news_id or label not in {"0", "1"}:
            raise LogError(f"the impression item {item!r} is not like N123-1 or N123-0")
        candidates.append(news_id)
        labels.append(int(label))
    if not candidates:
        raise LogError("the impression lists no news")
    return Behavior(
        impression_id=impression_id,
        user_id=user_id,
        time=time,
        history=tuple(history.split()),
        candidates=tuple(candidates),
        labels=tuple(labels),
    )


def behaviors_read(path: Path) -> Iterator[Behavior]:
    with _open(path) as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield behavior_parse(line)
            except LogError as error:
                raise LogError(f"{path}, line {number}: {error}") from error


def news_read(paths: Iterable[Path]) -> dict[str, News]:
    """Every news item of the files; a later file fills in what an earlier one lacks."""
    news: dict[str, News] = {}
    for path in paths:
        with _open(path) as lines:
            for number, line in enumerate(lines, 1):
                fields = line.rstrip("\r\n").split("\t")
                if number == 1 and fields[:2] == ["nid", "title"]:
                    continue  # the xMIND header
                if len(fields) == 3:
                    item = News(news_id=fields[0], title=fields[1], abstract=fields[2])
                elif len(fields) >= 5:
                    item = News(
                        news_id=fields[0], category=fields[1], title=fields[3], abstract=fields[4]
                    )
                elif not line.strip():
                    continue
                else:
                    raise LogError(f"{path}, line {number}: expected 3 or 8 columns")
                news.setdefault(item.news_id, item)
    return news


class Ranker(Protocol):
    name: str

    def score(self, behavior: Behavior) -> Sequence[float]:
        """One score per candidate, from what the ranker observed before."""

    def observe(self, behavior: Behavior) -> None:
        """Learn from an impression once every ranker has scored it."""


def replay(
    behaviors: Iterable[Behavior], rankers: Sequence[Ranker], *, train: Iterable[Behavior] = ()
) -> dict[str, list[Impression]]:
    """Each ranker's (labels, scores) for every impression, in time order (see the module)."""
    for behavior in sorted(train, key=lambda b: b.time):
        for ranker in rankers:
            ranker.observe(behavior)
    scored: dict[str, list[Impression]] = {ranker.name: [] for ranker in rankers}
    for _, same_time in groupby(sorted(behaviors, key=lambda b: b.time), key=lambda b: b.time):
        batch = list(same_time)
        for behavior in batch:
            for ranker in rankers:
                scores = list(ranker.score(behavior))
                if len(scores) != len(behavior.candidates):
                    raise ValueError(f"{ranker.name} gave {len(scores)} scores")
                scored[ranker.name].append((behavior.labels, scores))
        for behavior in batch:
            for ranker in rankers:
                ranker.observe(behavior)
    return scored
