"""Term vectors learned from the stored articles' own terms, for 相关推荐 (``ranking/similar.py``).

Titles are short: two on the same topic often share no term (港股缩量回调 and 沪指探底回升).
Terms that occur *with the same other terms* are related, and that is learned here from
the stored articles' terms alone (no labels, nothing downloaded):

1. **vocabulary**: the ``max_terms`` terms held by the most documents, each by at least
   ``min_df``;
2. **co-occurrence**: c(a, b), the documents holding both a and b;
3. **PPMI**: P(a, b) = max(0, ln(c(a, b) · N / (df(a) · df(b)))) — how much more often a and
   b meet than by chance;
4. **factorisation**: the ``dims`` leading eigenpairs (λ, u) of the symmetric P, by a
   randomised range finder with power iterations; a term's vector is u · √|λ|, of unit length.

A document's vector is Σ_t d(t) · idf(t)^``IDF_POWER`` · v(t) over its terms in the
vocabulary (d: the stored weights of ``similar.stored_weights``), of unit length; the cosine
of two such vectors is the semantic similarity. Learning is meant as a periodic job over
the stored articles (not wired to the site yet: ``related.DatabaseIndex.model`` is None);
between two runs a new article only needs the current vectors, and after one every
article's vector and topic posting is rewritten (a rebuild).

The documents are also grouped in ``clusters`` topics (spherical k-means on their vectors,
initialised by k-means++): the index posts each document under its topic's term ``#<n>``
so that a query can reach same-topic documents that share no word with it.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DIMS = 64
MIN_DF = 2
MIN_PAIRS = 1
MAX_TERMS = 60_000
CLUSTERS = 64
IDF_POWER = 1.0
TOPIC_PREFIX = "#"  # "#12": the term of topic 12 (normalised text never holds "#")
_OVERSAMPLE = 16
_POWER_ITERATIONS = 6
_PAIR_CHUNK = 2_000_000

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class TermVectors:
    """A learned model: ``terms[i]``'s vector is ``vectors[i]``; topic centroids; corpus size."""

    terms: tuple[str, ...]
    vectors: Floats  # len(terms) × dims, rows of unit length
    centroids: Floats  # clusters × dims, rows of unit length
    doc_freqs: tuple[int, ...]  # df of each term in the learning corpus
    documents: int  # N of the learning corpus

    def __post_init__(self) -> None:
        object.__setattr__(self, "_row", {t: i for i, t in enumerate(self.terms)})
        df = np.asarray(self.doc_freqs, dtype=np.float64)
        object.__setattr__(self, "_idf", np.log1p(self.documents / np.maximum(df, 1)) ** IDF_POWER)

    @property
    def dims(self) -> int:
        return int(self.vectors.shape[1])

    def embed(self, stored: Mapping[str, float]) -> Floats | None:
        """The document's unit vector from its stored weights; None if no term is known."""
        row: dict[str, int] = self.__dict__["_row"]
        found = [(row[t], w) for t, w in stored.items() if t in row]
        if not found:
            return None
        rows = np.fromiter((i for i, _ in found), dtype=np.int64, count=len(found))
        weights = np.fromiter((w for _, w in found), dtype=np.float64, count=len(found))
        weights *= self.__dict__["_idf"][rows]
        vector = (weights @ self.vectors[rows]).astype(np.float32)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else None

    def topic(self, vector: Floats) -> str:
        """The term ``#<n>`` of the nearest centroid."""
        return f"{TOPIC_PREFIX}{int(np.argmax(self.centroids @ vector))}"

    def topics(self, vector: Floats, count: int) -> list[str]:
        """The terms of the ``count`` nearest centroids, nearest first."""
        near = np.argsort(-(self.centroids @ vector))[:count]
        return [f"{TOPIC_PREFIX}{int(i)}" for i in near]

    def dumps(self) -> bytes:
        """The model as one ``.npz`` blob (what ``loads`` reads back)."""
        out = io.BytesIO()
        np.savez_compressed(
            out,
            terms=np.array(self.terms, dtype=str),
            vectors=self.vectors.astype(np.float16),
            centroids=self.centroids,
            doc_freqs=np.asarray(self.doc_freqs, dtype=np.int64),
            documents=np.int64(self.documents),
        )
        return out.getvalue()

    @classmethod
    def loads(cls, blob: bytes) -> TermVectors:
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            return cls(
                terms=tuple(str(t) for t in data["terms"]),
                vectors=data["vectors"].astype(np.float32),
                centroids=data["centroids"].astype(np.float32),
                doc_freqs=tuple(int(x) for x in data["doc_freqs"]),
                documents=int(data["documents"]),
            )


def _unit_rows(matrix: npt.NDArray[np.floating]) -> Floats:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: Floats = (matrix / norms).astype(np.float32)
    return unit


def _ppmi(
    docs: Sequence[Mapping[str, float]], min_df: int, max_terms: int, min_pairs: int | None = None
) -> tuple[list[str], list[int], tuple[npt.NDArray[np.int64], ...], npt.NDArray[np.float32]]:
    """Vocabulary, its dfs, and P as (row pointer, columns, values), symmetric, zero diagonal."""
    df = Counter(t for doc in docs for t in doc)
    kept = sorted((t for t, c in df.items() if c >= min_df), key=lambda t: (-df[t], t))[:max_terms]
    row = {t: i for i, t in enumerate(kept)}
    size = len(kept)
    pending: list[npt.NDArray[np.int64]] = []
    pending_len = 0
    keys = np.empty(0, dtype=np.int64)
    values = np.empty(0, dtype=np.int64)
    for doc in docs:
        ids = np.array(sorted(row[t] for t in doc if t in row), dtype=np.int64)
        if len(ids) < 2:
            continue
        a, b = np.triu_indices(len(ids), 1)
        pending.append(ids[a] * size + ids[b])
        pending_len += len(a)
        if pending_len >= _PAIR_CHUNK:
            keys, values = _merge(keys, values, np.concatenate(pending))
            pending, pending_len = [], 0
    if pending:
        keys, values = _merge(keys, values, np.concatenate(pending))
    n = len(docs)
    dfs = np.array([df[t] for t in kept], dtype=np.float64)
    left, right = keys // size, keys % size
    pmi = np.log(values * n / (dfs[left] * dfs[right]))
    positive = (pmi > 0) & (values >= (min_pairs or MIN_PAIRS))
    left, right, pmi = left[positive], right[positive], pmi[positive]
    rows = np.concatenate([left, right])
    cols = np.concatenate([right, left])
    vals = np.concatenate([pmi, pmi]).astype(np.float32)
    return kept, [df[t] for t in kept], (rows, cols), vals


def _merge(
    keys: npt.NDArray[np.int64], values: npt.NDArray[np.int64], new: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Add the pair codes ``new`` (one each) to the sorted counts (keys, values)."""
    more, counted = np.unique(new, return_counts=True)
    keys = np.concatenate([keys, more])
    values = np.concatenate([values, counted])
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(values, starts)


def _multiply(structure: tuple[npt.NDArray[np.int64], ...], vals: Floats, dense: Floats) -> Floats:
    """P @ dense for P as (rows, columns, values): one weighted bincount per column."""
    rows, cols = structure
    size = dense.shape[0]
    columns = np.ascontiguousarray(dense.T)
    out = np.empty((dense.shape[1], size), dtype=np.float32)
    for j, column in enumerate(columns):
        out[j] = np.bincount(rows, weights=vals * column[cols], minlength=size)
    return np.ascontiguousarray(out.T)


def _eigen(
    structure: tuple[npt.NDArray[np.int64], ...], vals: Floats, size: int, dims: int, seed: int
) -> Floats:
    """Rows u · √|λ| of the ``dims`` eigenpairs of largest |λ| (randomised range finder)."""
    rng = np.random.default_rng(seed)
    width = min(size, dims + _OVERSAMPLE)
    basis, _ = np.linalg.qr(
        _multiply(structure, vals, rng.standard_normal((size, width)).astype(np.float32))
    )
    for _ in range(_POWER_ITERATIONS):
        basis, _ = np.linalg.qr(_multiply(structure, vals, basis.astype(np.float32)))
    small = basis.T @ _multiply(structure, vals, basis.astype(np.float32))
    eigenvalues, eigenvectors = np.linalg.eigh((small + small.T) / 2)
    top = np.argsort(-np.abs(eigenvalues))[: min(dims, width)]
    rows: Floats = ((basis @ eigenvectors[:, top]) * np.sqrt(np.abs(eigenvalues[top]))).astype(
        np.float32
    )
    return rows


def _kmeans(points: Floats, clusters: int, seed: int, rounds: int = 12) -> Floats:
    """Spherical k-means (k-means++ start) on unit rows; centroids of unit length."""
    rng = np.random.default_rng(seed)
    count = len(points)
    clusters = max(1, min(clusters, count))
    chosen = [int(rng.integers(count))]
    distance = 1.0 - points @ points[chosen[0]]
    for _ in range(1, clusters):
        weights = np.maximum(distance, 0.0) ** 2
        total = float(weights.sum())
        pick = int(rng.choice(count, p=weights / total)) if total > 0 else int(rng.integers(count))
        chosen.append(pick)
        distance = np.minimum(distance, 1.0 - points @ points[pick])
    centroids = points[chosen].copy()
    for _ in range(rounds):
        assigned = np.argmax(points @ centroids.T, axis=1)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assigned, points)
        empty = np.linalg.norm(sums, axis=1) == 0
        sums[empty] = centroids[empty]
        centroids = _unit_rows(sums)
    return centroids


def learn(
    docs: Iterable[Mapping[str, float]],
    *,
    dims: int = DIMS,
    min_df: int = MIN_DF,
    max_terms: int = MAX_TERMS,
    clusters: int = CLUSTERS,
    seed: int = 0,
) -> TermVectors | None:
    """Term vectors and topics from documents' stored weights; None if too few terms."""
    corpus = [doc for doc in docs if doc]
    terms, dfs, structure, vals = _ppmi(corpus, min_df, max_terms)
    if len(terms) <= 2 or len(vals) == 0:
        return None
    vectors = _unit_rows(_eigen(structure, vals, len(terms), min(dims, len(terms) - 1), seed))
    model = TermVectors(tuple(terms), vectors, np.zeros((1, vectors.shape[1]), np.float32),
                        tuple(dfs), len(corpus))  # fmt: skip
    embedded = [model.embed(doc) for doc in corpus]
    points = np.array([v for v in embedded if v is not None], dtype=np.float32)
    centroids = _kmeans(points, clusters, seed) if len(points) else model.centroids
    return TermVectors(model.terms, vectors, centroids, model.doc_freqs, model.documents)
