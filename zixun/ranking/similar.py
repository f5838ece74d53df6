"""Related articles (相关推荐): nearest neighbours over weighted terms, from an inverted index.

Pure functions over an :class:`Index` protocol, no ORM; :class:`MemoryIndex` implements it for
tests and the bench, and two SQL tables can back it (see the protocol's docstring).

Weights (``raw`` from :func:`zixun.ranking.text.terms`, N documents, df(t) documents hold t):

- saturation:  s(t) = 1 + ln raw(t) for raw ≥ 1, else raw(t)  — sublinear tf;
- length:      s(t) is multiplied by ``SHORT_FACTOR`` when t is one character long (1.0: the
  single characters help on titles; 0.5 cost 3 points of agreement);
- stored:      d(t) = s(t) / ‖s‖₂  — what the postings hold; it needs no corpus statistics, so a
  document is indexed once, at publish, and never rewritten as N and df change;
- idf:         idf(t) = ln(1 + N / df(t)) ^ ``IDF_POWER``, read at query time (always current).
  The power 0.25 flattens idf: common topic words (股市, 球队) weigh nearly as much as rare
  names, which raised the agreement of the 8 nearest from 0.63 to 0.66 (THUCNews titles);
- query:       q(t) = s(t) · idf(t), the ``query_terms`` heaviest kept, then q / ‖q‖₂;
- score:       score(q, d) = Σ_t q(t) · idf(t) · d(t)  over the terms both hold.

Pseudo-relevance feedback (Rocchio): the first pass's ``feedback_docs`` best documents are
read back from the index, and the query becomes

    q′(t) = q(t) + β · mean_j( d_j(t) · idf(t) / ‖d_j · idf‖₂ )

(each document idf-weighted and normalised over its own terms), the ``expanded_terms``
heaviest kept; a second pass with q′ gives the answer. Every pass reads at most
``per_term`` postings per term, the most recent ones, so a query's cost is bounded
whatever the size of the index.

Term vectors (``ranking/semantic.py``; when ``Index.model`` is not None): the candidates are
the ``lexical_pool`` best of the lexical pass plus the ``per_term`` most recent postings of
the query's ``topic_probes`` nearest topics (terms ``#<n>``, weight 0); they are scored
cos(z_q, z_d) (+ λ · lexical / best, λ = 0 by default) after one round of feedback in the
vector space: z_q ← unit(z_q + β · mean of the ``vector_feedback`` nearest z_d), β = 3.
Still bounded: at most ``lexical_pool`` + ``topic_probes`` × ``per_term`` vectors read.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from zixun.ranking.semantic import Floats, TermVectors

Vector = Mapping[str, float]

SHORT_FACTOR = 1.0
IDF_POWER = 0.25
PER_TERM = 500
LEXICAL_POOL = 200
TOPIC_PROBES = 2
LEXICAL_WEIGHT = 0.0
VECTOR_FEEDBACK = 20
VECTOR_FEEDBACK_WEIGHT = 3.0
NEAR_DUPLICATE = 0.8  # cosine of the stored vectors at or above which two articles are reprints


class Index(Protocol):
    """What the engine reads. Each method is one SQL query on two tables:

    - ``postings(term, article_id, weight)`` with an index on ``(term, article_id DESC)``
      (weight = :func:`stored_weights`, written once at publish);
    - ``term_stats(term, df)`` with the primary key ``term``, plus the document count
      (a row of its own, e.g. ``term = ''``, or a counter elsewhere).
    """

    def doc_count(self) -> int:
        """N, the number of documents indexed."""
        ...

    def doc_freqs(self, terms: Collection[str]) -> dict[str, int]:
        """df(t) per term; a term no document holds may be absent (read as 0)."""
        ...

    def postings(self, terms: Collection[str], per_term: int) -> dict[str, list[tuple[int, float]]]:
        """Per term, the ``per_term`` most recent (largest id) ``(article_id, weight)`` rows."""
        ...

    def scores(
        self, factors: Mapping[str, float], per_term: int, count: int
    ) -> list[tuple[int, float]]:
        """The ``count`` best documents by Σ_t factors(t) · weight(t, d) over each term's
        ``per_term`` most recent postings, best first (ties: either order). The sum runs where
        the postings are (one aggregate query), not over every posting in Python."""
        ...

    def vectors(self, doc_ids: Collection[int]) -> dict[int, dict[str, float]]:
        """The stored weights of these documents, term → weight (every posting row of each)."""
        ...

    def model(self) -> TermVectors | None:
        """The term vectors the documents were embedded with (None: lexical only)."""
        ...

    def embeddings(self, doc_ids: Collection[int]) -> dict[int, Floats]:
        """The documents' unit vectors from :meth:`model` (absent: none)."""
        ...


def saturate(raw: float) -> float:
    """s = 1 + ln raw for raw ≥ 1, else raw (sublinear term frequency)."""
    return 1.0 + math.log(raw) if raw >= 1.0 else raw


def _unit(vector: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {t: w / norm for t, w in vector.items()} if norm > 0 else {}


def stored_weights(raw: Vector, *, short_factor: float = SHORT_FACTOR) -> dict[str, float]:
    """d(t) = s(t) / ‖s‖₂, with s(t) = saturate(raw(t)) × short_factor if len(t) == 1."""
    return _unit(
        {t: saturate(w) * (short_factor if len(t) == 1 else 1.0) for t, w in raw.items() if w > 0}
    )


def cosine(a: Vector, b: Vector) -> float:
    """Σ a(t) b(t) / (‖a‖₂ ‖b‖₂); 0 when either is empty."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    if dot == 0.0:
        return 0.0
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb)


def near_duplicate(a: Vector, b: Vector, *, threshold: float = NEAR_DUPLICATE) -> bool:
    """Reprints: cosine(stored_weights(a), stored_weights(b)) ≥ ``threshold``.

    Takes raw or stored weights alike (the cosine is scale-free; saturation is applied to
    both). Punctuation, width and case are already gone from the terms, so a reprint with
    changed punctuation has the very same terms.
    """
    return cosine(stored_weights(a), stored_weights(b)) >= threshold


@dataclass(frozen=True)
class Params:
    """The tunables of :func:`nearest`; the defaults are the bench's best."""

    per_term: int = PER_TERM
    query_terms: int = 32  # heaviest query terms looked up in the first pass
    feedback_docs: int = 0  # Rocchio: documents averaged into the query (0: off)
    feedback_weight: float = 0.0  # β
    expanded_terms: int = 40  # heaviest terms of the expanded query looked up
    short_factor: float = SHORT_FACTOR
    idf_power: float = IDF_POWER
    # with term vectors (ranking/semantic.py):
    lexical_pool: int = LEXICAL_POOL  # best lexical candidates re-ranked
    topic_probes: int = TOPIC_PROBES  # nearest topics whose postings are candidates too
    lexical_weight: float = LEXICAL_WEIGHT  # λ of score = cos(z_q, z_d) + λ · lexical / best
    vector_feedback: int = VECTOR_FEEDBACK  # nearest vectors averaged into the query vector
    vector_feedback_weight: float = VECTOR_FEEDBACK_WEIGHT  # their weight, β


def idf(df: int, n: int, power: float = IDF_POWER) -> float:
    """(ln(1 + N / df))^power; 0 for a term no document holds."""
    return math.log(1.0 + n / df) ** power if df > 0 else 0.0


def _top(weights: Mapping[str, float], count: int) -> dict[str, float]:
    if len(weights) <= count:
        return dict(weights)
    return dict(heapq.nlargest(count, weights.items(), key=lambda item: item[1]))


def _search(
    query: Mapping[str, float],
    idfs: Mapping[str, float],
    index: Index,
    *,
    per_term: int,
    count: int,
    exclude: Collection[int],
) -> list[tuple[int, float]]:
    """score(q, d) = Σ q(t) · idf(t) · d(t) over ``per_term`` postings per term; best first."""
    factors = {t: w * idfs.get(t, 0.0) for t, w in query.items()}
    factors = {t: f for t, f in factors.items() if f > 0.0}
    if not factors:
        return []
    found = index.scores(factors, per_term, count + len(exclude))
    return [item for item in found if item[0] not in exclude][:count]


def nearest(
    doc_terms: Vector,
    index: Index,
    *,
    k: int = 8,
    exclude: Collection[int] = frozenset(),
    params: Params | None = None,
) -> list[tuple[int, float]]:
    """The ``k`` documents nearest ``doc_terms`` (raw weights from ``text.terms``), best first.

    Returns ``(article_id, score)``; never an id in ``exclude`` (pass the article's own id).
    Scores are those of the module docstring (of the expanded query when feedback is on).
    """
    p = params or Params()
    if k <= 0:
        return []
    stored = stored_weights(doc_terms, short_factor=p.short_factor)
    n = index.doc_count()
    if not stored or n == 0:
        return []
    dfs = index.doc_freqs(list(stored))
    idfs = {t: idf(dfs.get(t, 0), n, p.idf_power) for t in stored}
    query = _unit(_top({t: w * idfs[t] for t, w in stored.items() if idfs[t] > 0}, p.query_terms))
    if not query:
        return []
    model = index.model()
    if model is not None:
        return _semantic(stored, query, idfs, index, model, p, k, exclude)
    if p.feedback_docs <= 0 or p.feedback_weight <= 0:
        return _search(query, idfs, index, per_term=p.per_term, count=k, exclude=exclude)
    first = _search(query, idfs, index, per_term=p.per_term, count=p.feedback_docs, exclude=exclude)
    if not first:
        return []
    vectors = index.vectors([doc_id for doc_id, _ in first])
    missing = {t for vector in vectors.values() for t in vector} - idfs.keys()
    if missing:
        more = index.doc_freqs(list(missing))
        idfs |= {t: idf(more.get(t, 0), n, p.idf_power) for t in missing}
    expanded = dict(query)
    share = p.feedback_weight / len(vectors)
    for vector in vectors.values():
        for t, w in _unit({t: w * idfs[t] for t, w in vector.items()}).items():
            expanded[t] = expanded.get(t, 0.0) + share * w
    expanded = _unit(_top(expanded, p.expanded_terms))
    return _search(expanded, idfs, index, per_term=p.per_term, count=k, exclude=exclude)


def _semantic(
    stored: Mapping[str, float],
    query: Mapping[str, float],
    idfs: Mapping[str, float],
    index: Index,
    model: TermVectors,
    p: Params,
    k: int,
    exclude: Collection[int],
) -> list[tuple[int, float]]:
    """Re-rank by term vectors: the ``lexical_pool`` best of the lexical pass and the most
    recent postings of the query's ``topic_probes`` nearest topics, scored
    cos(z_q, z_d) + λ · lexical(d) / lexical_max."""
    lexical = dict(
        _search(query, idfs, index, per_term=p.per_term, count=p.lexical_pool, exclude=exclude)
    )
    vector = model.embed(stored)
    if vector is None:
        return heapq.nlargest(k, lexical.items(), key=lambda item: item[1])
    candidates = set(lexical)
    topics = model.topics(vector, p.topic_probes)
    for rows in index.postings(topics, p.per_term).values():
        candidates.update(doc_id for doc_id, _ in rows)
    candidates.difference_update(exclude)
    embedded = index.embeddings(candidates)
    if not embedded:
        return heapq.nlargest(k, lexical.items(), key=lambda item: item[1])
    ids = list(embedded)
    matrix = np.stack([embedded[i] for i in ids])
    cosines = matrix @ vector
    if p.vector_feedback > 0 and p.vector_feedback_weight > 0 and len(ids) > p.vector_feedback:
        top = np.argpartition(-cosines, p.vector_feedback)[: p.vector_feedback]
        vector = vector + p.vector_feedback_weight * matrix[top].mean(axis=0)
        vector /= float(np.linalg.norm(vector)) or 1.0
        cosines = matrix @ vector
    best = max(lexical.values(), default=0.0) or 1.0
    weight = p.lexical_weight / best
    scores = [
        (doc_id, float(c) + weight * lexical.get(doc_id, 0.0))
        for doc_id, c in zip(ids, cosines, strict=True)
    ]
    scores.extend((d, weight * s) for d, s in lexical.items() if d not in embedded)
    return heapq.nlargest(k, scores, key=lambda item: item[1])


def related(
    doc_terms: Vector,
    index: Index,
    *,
    k: int = 8,
    exclude: Collection[int] = frozenset(),
    params: Params | None = None,
    diversity: float = 0.3,
    duplicate_threshold: float = NEAR_DUPLICATE,
    pool: int = 3,
) -> list[tuple[int, float]]:
    """What the site shows: :func:`nearest`, reprints dropped, then made diverse.

    1. take the ``pool × k`` nearest;
    2. drop every candidate that is a near-duplicate (cosine of stored vectors ≥
       ``duplicate_threshold``) of the article or of a better-ranked kept candidate;
    3. maximal marginal relevance: repeatedly pick the candidate maximising
       ``(1 − diversity) · score/score_max − diversity · max cosine(candidate, picked)``.
       ``diversity = 0`` keeps the order of step 2.
    """
    p = params or Params()
    candidates = nearest(doc_terms, index, k=pool * k, exclude=exclude, params=p)
    if not candidates:
        return []
    vectors = index.vectors([doc_id for doc_id, _ in candidates])
    own = stored_weights(doc_terms, short_factor=p.short_factor)
    gram, at = _gram(own, [doc_id for doc_id, _ in candidates], vectors)

    def similarity(a: int, b: int) -> float:
        """cosine(vector a, vector b): stored vectors have unit length, so the Gram matrix of
        the candidates' vectors holds every pair's cosine (MMR asks again and again)."""
        return float(gram[at[a], at[b]])

    kept: list[tuple[int, float]] = []
    for doc_id, score in candidates:
        if gram[0, at[doc_id]] >= duplicate_threshold or any(
            similarity(other, doc_id) >= duplicate_threshold for other, _ in kept
        ):
            continue
        kept.append((doc_id, score))
    if diversity <= 0 or len(kept) <= 1:
        return kept[:k]
    best = kept[0][1] or 1.0
    picked: list[tuple[int, float]] = []
    redundancy = dict.fromkeys((doc_id for doc_id, _ in kept), 0.0)  # max similarity to picked
    left = list(kept)
    while left and len(picked) < k:
        choice = max(left, key=lambda item: (1 - diversity) * item[1] / best
                     - diversity * redundancy[item[0]])  # fmt: skip
        left.remove(choice)
        picked.append(choice)
        for doc_id, _ in left:
            redundancy[doc_id] = max(redundancy[doc_id], similarity(doc_id, choice[0]))
    return picked


def _gram(
    own: Vector, ids: list[int], vectors: Mapping[int, Vector]
) -> tuple[np.ndarray, dict[int, int]]:
    """The dot products of every pair among ``own`` (row 0) and the documents ``ids`` (rows
    1…; a document without a stored vector is a row of zeros), and each id's row. One matrix
    product: the pairwise sums in Python took half of a publish's related work."""
    at = {doc_id: row for row, doc_id in enumerate(ids, 1)}
    columns: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for row, vector in enumerate([own, *(vectors.get(doc_id, {}) for doc_id in ids)]):
        for term, weight in vector.items():
            rows.append(row)
            cols.append(columns.setdefault(term, len(columns)))
            values.append(weight)
    matrix = np.zeros((len(ids) + 1, max(len(columns), 1)))
    matrix[rows, cols] = values
    return matrix @ matrix.T, at


class MemoryIndex:
    """The :class:`Index` in memory: postings kept sorted by id, so "most recent" is the tail."""

    def __init__(
        self, *, short_factor: float = SHORT_FACTOR, model: TermVectors | None = None
    ) -> None:
        self.short_factor = short_factor
        self._model = model
        self._postings: dict[str, list[tuple[int, float]]] = {}
        self._docs: dict[int, dict[str, float]] = {}
        self._embeddings: dict[int, Floats] = {}

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def add(self, doc_id: int, doc_terms: Vector) -> None:
        """Index a document from its raw weights (``text.terms``); replaces an earlier one."""
        if doc_id in self._docs:
            self.remove(doc_id)
        stored = stored_weights(doc_terms, short_factor=self.short_factor)
        self._docs[doc_id] = stored
        postings = dict(stored)
        vector = self._model.embed(stored) if self._model is not None and stored else None
        if vector is not None and self._model is not None:
            self._embeddings[doc_id] = vector
            postings[self._model.topic(vector)] = 0.0
        for term, weight in postings.items():
            rows = self._postings.setdefault(term, [])
            if not rows or rows[-1][0] < doc_id:
                rows.append((doc_id, weight))
            else:
                bisect.insort(rows, (doc_id, weight))

    def remove(self, doc_id: int) -> None:
        """Forget a document (unpublished, deleted); unknown ids are ignored."""
        terms = list(self._docs.pop(doc_id, {}))
        vector = self._embeddings.pop(doc_id, None)
        if vector is not None and self._model is not None:
            terms.append(self._model.topic(vector))
        for term in terms:
            rows = self._postings[term]
            at = bisect.bisect_left(rows, (doc_id, -math.inf))
            if at < len(rows) and rows[at][0] == doc_id:
                del rows[at]
            if not rows:
                del self._postings[term]

    def doc_count(self) -> int:
        return len(self._docs)

    def doc_freqs(self, terms: Collection[str]) -> dict[str, int]:
        postings = self._postings
        return {t: len(postings[t]) for t in terms if t in postings}

    def postings(self, terms: Collection[str], per_term: int) -> dict[str, list[tuple[int, float]]]:
        postings = self._postings
        return {t: postings[t][-per_term:] for t in terms if t in postings}

    def scores(
        self, factors: Mapping[str, float], per_term: int, count: int
    ) -> list[tuple[int, float]]:
        totals: dict[int, float] = {}
        get = totals.get
        for term, rows in self.postings(list(factors), per_term).items():
            factor = factors[term]
            for doc_id, weight in rows:
                totals[doc_id] = get(doc_id, 0.0) + factor * weight
        # Ties keep the order the postings came in, as before (the bench's figures stay put).
        return heapq.nlargest(count, totals.items(), key=lambda item: item[1])

    def vectors(self, doc_ids: Collection[int]) -> dict[int, dict[str, float]]:
        docs = self._docs
        return {i: docs[i] for i in doc_ids if i in docs}

    def model(self) -> TermVectors | None:
        return self._model

    def embeddings(self, doc_ids: Collection[int]) -> dict[int, Floats]:
        found = self._embeddings
        return {i: found[i] for i in doc_ids if i in found}


def add_all(index: MemoryIndex, docs: Iterable[tuple[int, Vector]]) -> None:
    """Index documents in the given order."""
    for doc_id, doc_terms in docs:
        index.add(doc_id, doc_terms)
