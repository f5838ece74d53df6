"""Zixun's personalized ranker (为你推荐): the features, the score, and its replay on click logs.

The site and the offline evaluation share this module, so the ranker that is measured is the
code the site runs. It has three parts:

1. ``CandidateFeatures``: what the site knows about one candidate for one reader, all of it
   computable from its own tables: impressions and clicks so far, their time-decayed trend,
   the candidate's age, its title against the titles the reader read, the reader's channel
   affinity, co-reading by similar readers, and whether this reader already passed it over.
2. ``candidate_score(features, weights)``: a pure function, the logit of a click::

       score = bias + Σ_k w_k · x_k(features)

   where the inputs ``x_k`` are the transforms listed in ``INPUTS`` (log-CTR shrunk to a
   prior, log-trend, log-age, …; see ``inputs_of``). The weights are a listwise (conditional)
   logit that ``weights_fit_listwise`` fits on earlier days, so that each impression's clicks
   rank above its other items; the site loads them from ``zixun_weights.json`` beside this
   module. (``weights_fit``, a pointwise logistic regression, is kept for comparison.)
3. ``ZixunRanker`` (``name = "zixun"``): keeps, in bounded memory, the state the features
   are computed from (observed impressions and the readers' histories, never an impression's
   own labels before it is observed) and ranks by the score.

Refit (days before the held-out one only)::

    python manage.py ranking_eval --behaviors TRAIN.tsv.gz --news news.tsv.gz \
        --news news_zh.tsv.gz --fit zixun/ranking/zixun_weights.json

replays TRAIN, records every candidate's features as they were before its impression was
observed, and fits the coefficients (``impressions_replayed`` and ``weights_fit_listwise``).
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from zixun.ranking.mind import Behavior, replay

WEIGHTS_PATH = Path(__file__).with_name("zixun_weights.json")
HOUR = 3600.0

# Memory bounds of the ranker's state (the site keeps the same windows in its tables).
MAX_ITEMS = 200_000  # items with counters; the least recently touched are forgotten
MAX_READERS = 500_000  # readers with a profile; likewise
MAX_PROFILE_ITEMS = 100  # the newest items a reader read that count for them
MAX_READERS_PER_ITEM = 400  # the newest readers of an item kept for co-reading
MAX_SHOWN_PER_ITEM = 600  # the newest readers an item was shown to
MAX_TITLE_NGRAMS = 64


@dataclass(frozen=True)
class CandidateFeatures:
    """What the site knows about one candidate for one reader at the moment it ranks.

    Everything counts only what was observed before this impression.
    """

    impressions: float = 0.0  # times shown to anyone
    clicks: float = 0.0  # clicks on it
    trend_impressions: float = 0.0  # impressions decayed by the half-life h: Σ 2^(−Δt/h)
    trend_clicks: float = 0.0  # clicks decayed the same way
    age_hours: float = 0.0  # since first shown (on the site: since published); 0 when new
    idle_hours: float = 0.0  # since last shown; 0 when new
    history_readers: float = 0.0  # readers whose history (past clicks) holds it
    title_similarity: float = 0.0  # cosine of its title's char bigrams to the reader's history
    channel_affinity: float = 0.0  # share of the reader's history in its channel (category)
    co_reading: float = 0.0  # Σ similarity(reader, r) over other readers r who read it
    co_shown: float = 0.0  # Σ similarity(reader, r) over other readers r it was shown to
    co_clicked: float = 0.0  # the same over those of them who clicked it
    shown_to_reader: float = 0.0  # 1 if already shown to this reader, who did not click


INPUTS = (
    "ctr",
    "unseen",
    "log_impressions",
    "trend_clicks",
    "trend_impressions",
    "age",
    "idle",
    "history_readers",
    "title_similarity",
    "channel_affinity",
    "co_reading",
    "personal_ctr",
    "shown_to_reader",
)

# The direction the listwise fit must keep (a coefficient that would turn the other way is
# held at 0): what the site tells readers (similar titles, channels, co-reading, popular
# with readers like you) raises a score; passing an item over, and its age, lower it.
SIGNS = {
    "ctr": 1,
    "trend_clicks": 1,
    "title_similarity": 1,
    "channel_affinity": 1,
    "co_reading": 1,
    "personal_ctr": 1,
    "age": -1,
    "shown_to_reader": -1,
}


@dataclass(frozen=True)
class ScoringWeights:
    """The score's coefficients (one per name in ``INPUTS``), its bias and the priors."""

    coefficients: Mapping[str, float] = field(default_factory=dict)
    bias: float = 0.0
    ctr_prior: float = 0.04  # the click rate assumed for an item never shown
    ctr_prior_strength: float = 20.0  # in impressions
    personal_prior_strength: float = 1.0  # in similarity mass
    half_life_hours: float = 6.0  # of the trend counters
    l2: float = 10.0  # the ridge penalty of the fit, on standardised inputs
    note: str = ""

    def to_json(self) -> str:
        data = asdict(self)
        data["coefficients"] = dict(self.coefficients)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ScoringWeights:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def weights_load(path: Path = WEIGHTS_PATH) -> ScoringWeights:
    return ScoringWeights.from_json(path.read_text(encoding="utf-8"))


def inputs_of(features: CandidateFeatures, weights: ScoringWeights) -> tuple[float, ...]:
    """The score's inputs ``x_k``, in the order of ``INPUTS``:

    - ctr = log c, with c = (clicks + s·p) / (impressions + s): the click rate shrunk to the
      prior p with the strength s (``ctr_prior``, ``ctr_prior_strength``);
    - unseen = 1 if never shown, else 0; log_impressions = log(1 + impressions);
    - trend_clicks = log(1 + trend_clicks); trend_impressions = log(1 + trend_impressions);
    - age = log(1 + age_hours); idle = log(1 + idle_hours);
    - history_readers = log(1 + history_readers);
    - title_similarity and channel_affinity as they are (0…1);
    - co_reading = log(1 + co_reading);
    - personal_ctr = log((co_clicked + t·c) / (co_shown + t)) − log c: how much more similar
      readers clicked it than everyone, shrunk with the strength t (``personal_prior_strength``);
    - shown_to_reader as it is.
    """
    prior = weights.ctr_prior_strength
    rate = (features.clicks + prior * weights.ctr_prior) / (features.impressions + prior)
    personal = weights.personal_prior_strength
    personal_rate = (features.co_clicked + personal * rate) / (features.co_shown + personal)
    return (
        math.log(rate),
        1.0 if features.impressions == 0 else 0.0,
        math.log1p(features.impressions),
        math.log1p(features.trend_clicks),
        math.log1p(features.trend_impressions),
        math.log1p(features.age_hours),
        math.log1p(features.idle_hours),
        math.log1p(features.history_readers),
        features.title_similarity,
        features.channel_affinity,
        math.log1p(features.co_reading),
        math.log(personal_rate) - math.log(rate),
        features.shown_to_reader,
    )


def candidate_score(features: CandidateFeatures, weights: ScoringWeights) -> float:
    """The click logit ``bias + Σ_k w_k · x_k``, x = ``inputs_of(features, weights)``.

    Higher is better; 1 / (1 + e^(−score)) estimates the chance of a click.
    """
    coefficients = weights.coefficients
    return weights.bias + math.fsum(
        coefficients.get(name, 0.0) * value
        for name, value in zip(INPUTS, inputs_of(features, weights), strict=True)
    )


# --- titles -----------------------------------------------------------------------------------


def title_ngrams(title: str) -> frozenset[str]:
    """Character bigrams of a title, lower-cased, without punctuation, symbols or spaces.

    They work alike for Simplified and Traditional Chinese (each script matches itself, so
    the site's Simplified titles match each other as the xMIND Traditional ones do).
    """
    text = "".join(
        char
        for char in title.lower()
        if not unicodedata.category(char).startswith(("P", "Z", "S", "C"))
    )
    grams = sorted({text[i : i + 2] for i in range(len(text) - 1)})
    return frozenset(grams[:MAX_TITLE_NGRAMS])


class TitleIndex:
    """Each title's bigrams weighted by IDF, ``log((1 + N) / (1 + df)) + 1``, unit length."""

    def __init__(self, titles: Mapping[str, str]) -> None:
        grams = {news_id: title_ngrams(title) for news_id, title in titles.items() if title}
        frequency: Counter[str] = Counter()
        for found in grams.values():
            frequency.update(found)
        total = len(grams)
        idf = {gram: math.log((1 + total) / (1 + count)) + 1.0 for gram, count in frequency.items()}
        self.vectors: dict[str, dict[str, float]] = {}
        for news_id, found in grams.items():
            norm = math.sqrt(sum(idf[gram] ** 2 for gram in found)) or 1.0
            self.vectors[news_id] = {gram: idf[gram] / norm for gram in found}

    def profile(self, news_ids: Iterable[str]) -> dict[str, float]:
        """The sum of the titles' vectors, unit length: the reader's words."""
        total: dict[str, float] = {}
        for news_id in news_ids:
            for gram, value in self.vectors.get(news_id, {}).items():
                total[gram] = total.get(gram, 0.0) + value
        norm = math.sqrt(sum(value * value for value in total.values())) or 1.0
        return {gram: value / norm for gram, value in total.items()}

    def similarity(self, news_id: str, profile: Mapping[str, float]) -> float:
        """The cosine of the item's title to a profile; 0 if the title is unknown."""
        vector = self.vectors.get(news_id, {})
        return sum(value * profile.get(gram, 0.0) for gram, value in vector.items())


# --- the ranker's state -------------------------------------------------------------------------


class Decayed:
    """A count that halves every half-life h: after adding a at time t, value(T) =
    value(t)·2^(−(T − t)/h) + a."""

    __slots__ = ("time", "value")

    def __init__(self) -> None:
        self.value = 0.0
        self.time = 0.0

    def add(self, amount: float, now: float, half_life: float) -> None:
        self.value = self.at(now, half_life) + amount
        self.time = now

    def at(self, now: float, half_life: float) -> float:
        return self.value * math.pow(2.0, -max(now - self.time, 0.0) / half_life)


@dataclass
class _Item:
    first_shown: float | None = None
    last_shown: float = 0.0
    impressions: int = 0
    clicks: int = 0
    history_readers: int = 0
    trend_impressions: Decayed = field(default_factory=Decayed)
    trend_clicks: Decayed = field(default_factory=Decayed)
    shown: OrderedDict[str, int] = field(default_factory=OrderedDict)  # reader -> clicked
    readers: OrderedDict[str, None] = field(default_factory=OrderedDict)  # who read it


def _touch(ordered: OrderedDict[str, Any], key: str, value: Any, limit: int) -> None:
    """Set ``key`` as the newest entry, forgetting the oldest beyond ``limit``."""
    ordered[key] = value
    ordered.move_to_end(key)
    while len(ordered) > limit:
        ordered.popitem(last=False)


class ZixunRanker:
    """Zixun's ranker replayed on a click log: ``CandidateFeatures`` from what it observed,
    ranked by ``candidate_score``.

    Per item it keeps its counts, trend counters, first and last shown times, the newest
    readers it was shown to (and whether they clicked) and the newest readers who read it
    (history or click); per reader, the newest items they read. Every collection is capped
    (``MAX_*``), the least recently touched entries going first.
    """

    name = "zixun"

    def __init__(
        self,
        *,
        titles: Mapping[str, str] | None = None,
        categories: Mapping[str, str] | None = None,
        weights: ScoringWeights | None = None,
    ) -> None:
        self.weights = weights if weights is not None else weights_load()
        self._titles = TitleIndex(titles or {})
        self._categories = dict(categories or {})
        self._half_life = self.weights.half_life_hours * HOUR
        self._items: OrderedDict[str, _Item] = OrderedDict()
        self._profiles: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()

    def _item(self, news_id: str) -> _Item:
        item = self._items.get(news_id)
        if item is None:
            item = _Item()
        _touch(self._items, news_id, item, MAX_ITEMS)
        return item

    def _read(self, user_id: str, news_ids: Iterable[str]) -> None:
        profile = self._profiles.get(user_id)
        if profile is None:
            profile = OrderedDict()
        _touch(self._profiles, user_id, profile, MAX_READERS)
        for news_id in news_ids:
            _touch(profile, news_id, None, MAX_PROFILE_ITEMS)
            _touch(self._item(news_id).readers, user_id, None, MAX_READERS_PER_ITEM)

    def observe(self, behavior: Behavior) -> None:
        """Learn the impression: the reader's history, then every candidate's outcome."""
        now = behavior.time.timestamp()
        if behavior.user_id not in self._profiles:
            for news_id in set(behavior.history):
                self._item(news_id).history_readers += 1
        self._read(behavior.user_id, behavior.history)
        clicked = []
        for news_id, label in zip(behavior.candidates, behavior.labels, strict=True):
            item = self._item(news_id)
            if item.first_shown is None:
                item.first_shown = now
            item.last_shown = now
            item.impressions += 1
            item.trend_impressions.add(1.0, now, self._half_life)
            if label:
                item.clicks += 1
                item.trend_clicks.add(1.0, now, self._half_life)
                clicked.append(news_id)
            previous = item.shown.get(behavior.user_id, 0)
            _touch(item.shown, behavior.user_id, max(previous, label), MAX_SHOWN_PER_ITEM)
        self._read(behavior.user_id, clicked)

    def _reader_items(self, behavior: Behavior) -> list[str]:
        """What the reader read: the stored profile, then the behavior's history."""
        known = list(self._profiles.get(behavior.user_id, {}))
        seen = set(known)
        return [*known, *(n for n in behavior.history if n not in seen)][-MAX_PROFILE_ITEMS:]

    def _similar_readers(self, user_id: str, read: Sequence[str]) -> dict[str, float]:
        """similarity(reader, r) = Σ_{i read by both} 1 / log2(2 + readers of i), over
        √(items r read): sharing a rare read counts more than sharing a popular one."""
        overlap: dict[str, float] = {}
        for news_id in read:
            item = self._items.get(news_id)
            if item is None or not item.readers:
                continue
            weight = 1.0 / math.log2(2.0 + len(item.readers))
            for other in item.readers:
                if other != user_id:
                    overlap[other] = overlap.get(other, 0.0) + weight
        return {
            other: value / math.sqrt(len(self._profiles.get(other, ())) or 1)
            for other, value in overlap.items()
        }

    def features(self, behavior: Behavior) -> list[CandidateFeatures]:
        """Each candidate's features from what was observed before (never its own labels)."""
        now = behavior.time.timestamp()
        read = self._reader_items(behavior)
        similar = self._similar_readers(behavior.user_id, read)
        profile = self._titles.profile(read)
        channels = Counter(self._categories[n] for n in read if n in self._categories)
        channel_total = sum(channels.values())
        out = []
        for news_id in behavior.candidates:
            category = self._categories.get(news_id, "")
            common = {
                "title_similarity": self._titles.similarity(news_id, profile),
                "channel_affinity": channels[category] / channel_total if channel_total else 0.0,
            }
            item = self._items.get(news_id)
            if item is None:
                out.append(CandidateFeatures(**common))
                continue
            co_shown = co_clicked = 0.0
            for other, click in item.shown.items():
                weight = similar.get(other, 0.0)
                co_shown += weight
                co_clicked += weight * click
            out.append(
                CandidateFeatures(
                    impressions=float(item.impressions),
                    clicks=float(item.clicks),
                    trend_impressions=item.trend_impressions.at(now, self._half_life),
                    trend_clicks=item.trend_clicks.at(now, self._half_life),
                    age_hours=(now - item.first_shown) / HOUR if item.first_shown else 0.0,
                    idle_hours=(now - item.last_shown) / HOUR if item.impressions else 0.0,
                    history_readers=float(item.history_readers),
                    co_reading=sum(similar.get(other, 0.0) for other in item.readers),
                    co_shown=co_shown,
                    co_clicked=co_clicked,
                    shown_to_reader=1.0 if item.shown.get(behavior.user_id) == 0 else 0.0,
                    **common,
                )
            )
        return out

    def score(self, behavior: Behavior) -> Sequence[float]:
        return [candidate_score(f, self.weights) for f in self.features(behavior)]


# --- fitting ------------------------------------------------------------------------------------


class _Recorder:
    """Wraps a ZixunRanker in a replay and records each candidate's features and label."""

    def __init__(self, ranker: ZixunRanker) -> None:
        self.name = ranker.name
        self.ranker = ranker
        self.impressions: list[list[tuple[CandidateFeatures, int]]] = []

    def score(self, behavior: Behavior) -> Sequence[float]:
        found = self.ranker.features(behavior)
        self.impressions.append(list(zip(found, behavior.labels, strict=True)))
        return [0.0] * len(found)

    def observe(self, behavior: Behavior) -> None:
        self.ranker.observe(behavior)


def impressions_replayed(
    ranker: ZixunRanker, behaviors: Iterable[Behavior], *, warm_up: Iterable[Behavior] = ()
) -> list[list[tuple[CandidateFeatures, int]]]:
    """Every impression of ``behaviors`` in time order (after ``warm_up``), as the list of its
    candidates' (features, label): each as the ranker saw it before the impression was
    observed."""
    recorder = _Recorder(ranker)
    replay(behaviors, [recorder], train=warm_up)
    return recorder.impressions


def rows_replayed(
    ranker: ZixunRanker, behaviors: Iterable[Behavior], *, warm_up: Iterable[Behavior] = ()
) -> list[tuple[CandidateFeatures, int]]:
    """(features, label) of every candidate of ``behaviors``, replayed in time order after
    ``warm_up``: each as the ranker saw it before its impression was observed."""
    found = impressions_replayed(ranker, behaviors, warm_up=warm_up)
    return [row for impression in found for row in impression]


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the systems are 14 × 14)."""
    size = len(vector)
    rows = [[*row, value] for row, value in zip(matrix, vector, strict=True)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(rows[r][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        if rows[column][column] == 0:
            continue
        for r in range(size):
            if r != column and rows[r][column]:
                factor = rows[r][column] / rows[column][column]
                for k in range(column, size + 1):
                    rows[r][k] -= factor * rows[column][k]
    return [rows[i][size] / rows[i][i] if rows[i][i] else 0.0 for i in range(size)]


def weights_fit(
    rows: Sequence[tuple[CandidateFeatures, int]],
    *,
    base: ScoringWeights | None = None,
    iterations: int = 25,
) -> ScoringWeights:
    """A logistic regression of the click on ``inputs_of``, by Newton's method.

    The inputs are standardised (z = (x − mean) / sd), the loss is
    Σ −[y log σ(s) + (1 − y) log(1 − σ(s))] + (λ/2)·Σ_k β_k² with s = β₀ + Σ_k β_k z_k and λ =
    ``base.l2``, and the β are mapped back so that ``candidate_score`` takes the raw inputs.
    The priors and half-life are kept from ``base``.
    """
    base = base if base is not None else ScoringWeights()
    if not rows or len({label for _, label in rows}) < 2:
        raise ValueError("fitting needs clicked and non-clicked candidates")
    inputs = [inputs_of(features, base) for features, _ in rows]
    labels = [label for _, label in rows]
    count, width = len(inputs), len(INPUTS)
    means = [math.fsum(x[k] for x in inputs) / count for k in range(width)]
    sds = [
        math.sqrt(math.fsum((x[k] - means[k]) ** 2 for x in inputs) / count) or 1.0
        for k in range(width)
    ]
    design = [[*((x[k] - means[k]) / sds[k] for k in range(width)), 1.0] for x in inputs]
    size = width + 1
    beta = [0.0] * size
    for _ in range(iterations):
        gradient = [0.0] * size
        hessian = [[0.0] * size for _ in range(size)]
        for z, label in zip(design, labels, strict=True):
            logit = sum(b * v for b, v in zip(beta, z, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(min(logit, 30.0), -30.0)))
            error, curvature = p - label, p * (1.0 - p)
            for i in range(size):
                gradient[i] += error * z[i]
                scaled, row = curvature * z[i], hessian[i]
                for j in range(i, size):
                    row[j] += scaled * z[j]
        for i in range(size):
            for j in range(i):
                hessian[i][j] = hessian[j][i]
            if i < width:
                gradient[i] += base.l2 * beta[i]
                hessian[i][i] += base.l2
        step = _solve(hessian, gradient)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    coefficients = {name: beta[k] / sds[k] for k, name in enumerate(INPUTS)}
    bias = beta[width] - math.fsum(coefficients[name] * means[k] for k, name in enumerate(INPUTS))
    return replace(
        base,
        coefficients={name: round(value, 6) for name, value in coefficients.items()},
        bias=round(bias, 6),
    )


def _listwise_loss(
    beta: Sequence[float], groups: Sequence[tuple[list[list[float]], list[int]]], l2: float
) -> float:
    """Σ over impressions and their clicks of −log softmax(s)_clicked, plus (λ/2)·Σ β²."""
    total = 0.5 * l2 * math.fsum(b * b for b in beta)
    for design, labels in groups:
        logits = [math.fsum(b * v for b, v in zip(beta, z, strict=True)) for z in design]
        top = max(logits)
        norm = top + math.log(math.fsum(math.exp(s - top) for s in logits))
        total += math.fsum(norm - s for s, label in zip(logits, labels, strict=True) if label)
    return total


def _listwise_newton(
    beta: list[float],
    free: Sequence[bool],
    groups: Sequence[tuple[list[list[float]], list[int]]],
    l2: float,
    iterations: int,
) -> list[float]:
    """Newton's method on ``_listwise_loss`` over the free coefficients (the others stay
    put), halving a step that does not lower the loss."""
    width = len(beta)
    loss = _listwise_loss(beta, groups, l2)
    for _ in range(iterations):
        gradient = [l2 * b for b in beta]
        hessian = [[l2 if i == j else 0.0 for j in range(width)] for i in range(width)]
        for design, labels in groups:
            logits = [math.fsum(b * v for b, v in zip(beta, z, strict=True)) for z in design]
            top = max(logits)
            weights = [math.exp(s - top) for s in logits]
            total = math.fsum(weights)
            chances = [w / total for w in weights]
            clicks = sum(labels)
            mean = [math.fsum(p * z[k] for p, z in zip(chances, design, strict=True))
                    for k in range(width)]  # fmt: skip
            for z, p, label in zip(design, chances, labels, strict=True):
                centred = [z[k] - mean[k] for k in range(width)]
                if label:
                    for k in range(width):
                        gradient[k] -= centred[k]
                for i in range(width):
                    scaled, row = clicks * p * centred[i], hessian[i]
                    for j in range(i, width):
                        row[j] += scaled * centred[j]
        for i in range(width):
            for j in range(i):
                hessian[i][j] = hessian[j][i]
            if not free[i]:
                gradient[i] = 0.0
                hessian[i] = [1.0 if i == j else 0.0 for j in range(width)]
                for j in range(width):
                    if j != i:
                        hessian[j][i] = 0.0
        step = _solve(hessian, gradient)
        scale = 1.0
        while scale > 1e-4:
            trial = [b - scale * s for b, s in zip(beta, step, strict=True)]
            trial_loss = _listwise_loss(trial, groups, l2)
            if trial_loss <= loss:
                break
            scale /= 2
        else:
            break
        beta, loss = trial, trial_loss
        if max(abs(scale * s) for s in step) < 1e-7:
            break
    return beta


def weights_fit_listwise(
    impressions: Sequence[Sequence[tuple[CandidateFeatures, int]]],
    *,
    base: ScoringWeights | None = None,
    iterations: int = 50,
) -> ScoringWeights:
    """The coefficients that best order each impression's clicks above its other items.

    A conditional (multinomial) logit over the candidates of one impression, what AUC and
    nDCG measure: for every click, the chance exp(s_i) / Σ_j exp(s_j) over the impression's
    candidates j, with s = Σ_k β_k z_k on standardised inputs (z = (x − mean) / sd) and the
    ridge penalty (λ/2)·Σ_k β_k², λ = ``base.l2``; Newton's method, halving a step that does
    not lower the loss. A coefficient that comes out against its direction in ``SIGNS`` is
    held at 0 and the rest refitted. Impressions without a click, or with only clicks, teach
    nothing and are left out. The bias (which cancels within an impression) is then fitted alone, as a
    logistic regression of the click with the coefficients fixed, so that 1 / (1 + e^(−score))
    stays an estimate of the chance of a click. The priors and half-life are kept from
    ``base``.
    """
    base = base if base is not None else ScoringWeights()
    kept = [
        impression
        for impression in impressions
        if any(label for _, label in impression) and not all(label for _, label in impression)
    ]
    if not kept:
        raise ValueError("fitting needs impressions with clicked and non-clicked candidates")
    inputs = [[inputs_of(features, base) for features, _ in impression] for impression in kept]
    flat = [x for impression in inputs for x in impression]
    count, width = len(flat), len(INPUTS)
    means = [math.fsum(x[k] for x in flat) / count for k in range(width)]
    sds = [
        math.sqrt(math.fsum((x[k] - means[k]) ** 2 for x in flat) / count) or 1.0
        for k in range(width)
    ]
    groups = [
        (
            [[(x[k] - means[k]) / sds[k] for k in range(width)] for x in impression],
            [label for _, label in rows],
        )
        for impression, rows in zip(inputs, kept, strict=True)
    ]
    beta = [0.0] * width
    free = [True] * width
    while True:
        beta = _listwise_newton(beta, free, groups, base.l2, iterations)
        wrong = [k for k, name in enumerate(INPUTS) if free[k] and SIGNS.get(name, 0) * beta[k] < 0]
        if not wrong:
            break
        for k in wrong:
            free[k], beta[k] = False, 0.0
    coefficients = {name: beta[k] / sds[k] for k, name in enumerate(INPUTS)}
    offsets = [
        (math.fsum(coefficients[name] * x for name, x in zip(INPUTS, inputs, strict=True)), label)
        for impression in impressions
        for features, label in impression
        for inputs in [inputs_of(features, base)]
    ]
    bias = 0.0
    for _ in range(iterations):
        gradient = curvature = 0.0
        for offset, label in offsets:
            p = 1.0 / (1.0 + math.exp(-max(min(offset + bias, 30.0), -30.0)))
            gradient += p - label
            curvature += p * (1.0 - p)
        if curvature <= 0:
            break
        bias -= gradient / curvature
        if abs(gradient / curvature) < 1e-9:
            break
    return replace(
        base,
        coefficients={name: round(value, 6) for name, value in coefficients.items()},
        bias=round(bias, 6),
    )
