"""Reprint and near-duplicate detection: MinHash signatures of character shingles, LSH band
keys, and a check of the facts (ADR 0014). Pure Python + numpy, no ORM: the database stores
:meth:`Fingerprint.to_bytes` and :func:`band_keys`; :class:`MemoryIndex` is the same lookup in
memory.

**Shingles.** A text is normalised (HTML tags dropped; :func:`~zixun.core.textfold.fold`:
NFKC, lower case, 繁→简; then everything but letters and digits dropped) and cut into
overlapping shingles of :data:`SHINGLE` characters; each distinct shingle is hashed to 64 bits
with a fixed function (the same in every process and on every run: never Python's ``hash()``).

**Signature.** For each of :data:`PERMUTATIONS` fixed hash functions the smallest value over the
shingles is kept. Two signatures agree in a position with probability equal to the Jaccard
similarity J of the two shingle sets, so the share of equal positions estimates J.

**Band keys (LSH).** The signature is cut into :data:`BANDS` bands of :data:`ROWS` values; each
band hashes, with its band number, to one signed 64-bit key. Two texts share at least one key
with probability ``1 - (1 - J**ROWS)**BANDS``: 0.94 at J = 0.4, 0.996 at J = 0.5, 0.04 at
J = 0.1. Candidates found through the keys are then checked with :func:`is_near_duplicate`.

**Facts.** rjieba tags the folded text; numbers (words with a digit, or tagged numerals such as
二〇二〇), people (2–4 characters) and places are its *facts*. Reports written from one template
(daily figures, state visits, the yearly sessions of one body) share most of their wording and
differ exactly there. Two small sketches keep them: the :data:`FACTS` smallest hashes of the
distinct facts, and, for the :data:`SLOTS` smallest *slots* (the two characters either side of
a fact, with the facts around it masked: ``欢迎■总统``), the facts found in them.

**Decision** (:func:`is_near_duplicate`): the estimated Jaccard similarity is at least
:data:`THRESHOLD`; at least :data:`FACTS_AGREE` of the smaller fact set is in the other; and at
most :data:`SWAPS_MAX` of the slots both texts have hold different facts (a copy keeps the facts
where they were; a template fills the same slots with others). Either fact test is skipped when
a text has no facts (or the two share no slot).
"""

from __future__ import annotations

import hashlib
import html
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import rjieba
from numpy.typing import NDArray

from zixun.core.textfold import fold

SHINGLE = 5  # characters per shingle (after normalisation)
PERMUTATIONS = 128  # MinHash values per signature
BANDS = 42  # LSH bands of ROWS values: BANDS * ROWS <= PERMUTATIONS
ROWS = 3
THRESHOLD = 0.4  # estimated Jaccard similarity from which two texts may be near-duplicates
FACTS = 32  # fact hashes kept (bottom-k)
FACTS_AGREE = 0.5  # share of the smaller fact set that must be in the other
SLOTS = 32  # fact slots kept (bottom-k), each with up to SLOT_FACTS of the facts seen in it
SWAPS_MAX = 0.1  # share of the shared slots that may hold different facts
SLOT_CONTEXT = 2  # characters either side of a fact that name its slot
SLOT_FACTS = 8  # facts kept per slot (the smallest hashes)
MIN_CHARS = 80  # letters and digits below which no fingerprint is made (about 90 characters)
VERSION = 1  # of the parameters above and the hashing: bytes of another version are refused
FINGERPRINT_UNREADABLE = "not a fingerprint of this version: recompute it from the text"

U64 = NDArray[np.uint64]
U32 = NDArray[np.uint32]

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[a-zA-Z/!][^>]*>", re.S | re.I)
_NOT_WORD = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d")
_NUMERAL = re.compile(r"[〇零一二三四五六七八九十百千万亿两]")
_FACT_MARK = "\x00"  # stands for a fact in the masked text that slots are read from
# version, shingle, permutations, distinct shingles, distinct facts, distinct slots, slot entries
_HEADER = struct.Struct("<BBHIHHH")
_MASK = (1 << 64) - 1
_SHINGLE_BASE = np.uint64(0x100000001B3)  # the FNV-1a 64-bit prime
_CHUNK = 2048  # shingles hashed at a time (bounds the temporary array of a very long text)


def _splitmix64(seed: int, count: int) -> list[int]:
    """A fixed stream of 64-bit numbers (SplitMix64), the same on every platform and version."""
    out = []
    for _ in range(count):
        seed = (seed + 0x9E3779B97F4A7C15) & _MASK
        z = seed
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        out.append(z ^ (z >> 31))
    return out


_STREAM = _splitmix64(0x5A1C_2024_0014, 2 * PERMUTATIONS)
# Multiply-shift hash functions h_i(x) = (a_i * x + b_i) mod 2**64 >> 32, a_i odd.
_A: U64 = np.array([a | 1 for a in _STREAM[:PERMUTATIONS]], dtype=np.uint64)
_B: U64 = np.array(_STREAM[PERMUTATIONS:], dtype=np.uint64)
_BAND_SEED: U64 = np.array(_splitmix64(0xBA4D_0014, BANDS), dtype=np.uint64)


def _fmix64(x: U64) -> U64:
    """MurmurHash3's 64-bit finaliser: every input bit moves every output bit."""
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


def _hash32(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "little")


def _strip_tags(text: str) -> str:
    return html.unescape(_TAG.sub(" ", text)) if "<" in text else text


def normalise(text: str) -> str:
    """What is shingled: tags dropped, folded (NFKC, lower, 繁→简), letters and digits only."""
    return _NOT_WORD.sub("", fold(_strip_tags(text)))


def shingle_hashes(normalised: str, *, size: int = SHINGLE) -> U64:
    """The distinct 64-bit hashes of the ``size``-character shingles, sorted."""
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - size + 1
    if count < 1:
        return np.empty(0, dtype=np.uint64)
    hashes = codes[:count].copy()
    for offset in range(1, size):
        hashes = hashes * _SHINGLE_BASE + codes[offset : offset + count]
    return np.unique(_fmix64(hashes))


def signature(hashes: U64) -> U32:
    """The MinHash signature of a set of shingle hashes (at least one)."""
    low = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start : start + _CHUNK, None]
        np.minimum(low, ((chunk * _A + _B) >> np.uint64(32)).min(axis=0), out=low)
    return low.astype(np.uint32)


def signatures(hashes: U64, starts: NDArray[np.intp]) -> U32:
    """MinHash signatures of many sets at once (bulk work): set ``i`` is
    ``hashes[starts[i]:starts[i + 1]]`` (the last runs to the end); none may be empty."""
    out = np.empty((len(starts), PERMUTATIONS), dtype=np.uint32)
    bounds = [*starts.tolist(), len(hashes)]
    first = 0
    while first < len(starts):  # whole sets per chunk, about _CHUNK * 16 shingles at a time
        last = first + 1
        while last < len(starts) and bounds[last + 1] - bounds[first] <= _CHUNK * 16:
            last += 1
        lo = bounds[first]
        values = (hashes[lo : bounds[last], None] * _A + _B) >> np.uint64(32)
        out[first:last] = np.minimum.reduceat(values, starts[first:last] - lo, axis=0)
        first = last
    return out


@cache
def _tagger() -> rjieba.Jieba:
    """A tagger of our own: words other code adds to rjieba's shared one do not move facts."""
    return rjieba.Jieba()


def _is_fact(word: str, tag: str) -> bool:
    if tag in ("m", "eng"):  # the tags rjieba gives words with digits
        if _DIGIT.search(word):
            return True
        return tag == "m" and len(word) >= 2 and bool(_NUMERAL.search(word))
    if tag.startswith("nr"):
        return 2 <= len(word) <= 4
    return tag == "ns" and len(word) >= 2


def facts_and_slots(folded: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The facts of a folded text, and its (slot, fact) pairs: a slot is the
    :data:`SLOT_CONTEXT` letters and digits either side of the fact, other facts masked."""
    found: set[str] = set()
    pieces: list[str] = []
    places: list[tuple[int, str]] = []
    length = 0
    for word, tag in _tagger().tag(folded):
        plain = word if word.isalnum() else _NOT_WORD.sub("", word)
        if not plain:
            continue
        if _is_fact(plain, tag):
            found.add(plain)
            places.append((length, plain))
            plain = _FACT_MARK
        pieces.append(plain)
        length += len(plain)
    masked, width = "".join(pieces), SLOT_CONTEXT
    slots = {
        (masked[max(0, at - width) : at] + "|" + masked[at + 1 : at + 1 + width], fact)
        for at, fact in places
    }
    return found, slots


def _fact_sketch(found: set[str]) -> tuple[U32, int]:
    """The :data:`FACTS` smallest 32-bit hashes of the facts, sorted; and how many there are."""
    hashes = sorted({_hash32(fact) for fact in found})
    return np.array(hashes[:FACTS], dtype=np.uint32), len(hashes)


def _slot_sketch(slots: set[tuple[str, str]]) -> tuple[U64, int]:
    """(slot hash << 32 | fact hash) for the facts seen in each of the :data:`SLOTS` smallest
    slot hashes (at most :data:`SLOT_FACTS` a slot, the smallest), sorted; and how many distinct
    slot hashes there are."""
    by_slot: dict[int, set[int]] = {}
    for slot, fact in slots:
        by_slot.setdefault(_hash32(slot), set()).add(_hash32(fact))
    kept = sorted(by_slot)[:SLOTS]
    entries = [(slot << 32) | fact for slot in kept for fact in sorted(by_slot[slot])[:SLOT_FACTS]]
    return np.array(entries, dtype=np.uint64), len(by_slot)


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """A text's MinHash signature, its number of distinct shingles, and its facts' sketches."""

    values: U32 = field(repr=False)
    shingles: int
    facts: U32 = field(repr=False)
    fact_count: int  # distinct facts (``facts`` keeps at most FACTS of their hashes)
    slots: U64 = field(repr=False)
    slot_count: int  # distinct slots (``slots`` keeps the facts of at most SLOTS of them)

    def to_bytes(self) -> bytes:
        """Stable bytes for a BinaryField (526–990, median 790 on the CCTV corpus): a header,
        the values and fact hashes (little-endian uint32), the slot entries (uint64)."""
        header = _HEADER.pack(
            VERSION, SHINGLE, PERMUTATIONS, self.shingles, min(self.fact_count, 0xFFFF),
            min(self.slot_count, 0xFFFF), len(self.slots),
        )  # fmt: skip
        return (
            header
            + self.values.astype("<u4").tobytes()
            + self.facts.astype("<u4").tobytes()
            + self.slots.astype("<u8").tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """The inverse of :meth:`to_bytes`; ValueError (:data:`FINGERPRINT_UNREADABLE`) for
        bytes of another version or other parameters: recompute those from the text."""
        if len(data) < _HEADER.size:
            raise ValueError(FINGERPRINT_UNREADABLE)
        version, shingle, permutations, shingles, fact_count, slot_count, entries = (
            _HEADER.unpack_from(data)
        )
        if (version, shingle, permutations) != (VERSION, SHINGLE, PERMUTATIONS):
            raise ValueError(FINGERPRINT_UNREADABLE)
        stored = min(fact_count, FACTS)
        words = PERMUTATIONS + stored
        if len(data) != _HEADER.size + 4 * words + 8 * entries:
            raise ValueError(FINGERPRINT_UNREADABLE)
        u32 = np.frombuffer(data, dtype="<u4", count=words, offset=_HEADER.size)
        u64 = np.frombuffer(data, dtype="<u8", offset=_HEADER.size + 4 * words)
        return cls(
            values=u32[:PERMUTATIONS].astype(np.uint32), shingles=shingles,
            facts=u32[PERMUTATIONS:].astype(np.uint32), fact_count=fact_count,
            slots=u64.astype(np.uint64), slot_count=slot_count,
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    def __hash__(self) -> int:
        return hash(self.to_bytes())


def fingerprint(text: str) -> Fingerprint | None:
    """The text's fingerprint, or None when it has fewer than :data:`MIN_CHARS` letters and
    digits (too little to tell a copy from a shared phrase). HTML tags are dropped first."""
    folded = fold(_strip_tags(text))
    normalised = _NOT_WORD.sub("", folded)
    if len(normalised) < MIN_CHARS:
        return None
    hashes = shingle_hashes(normalised)
    found, slots = facts_and_slots(folded)
    fact_hashes, fact_count = _fact_sketch(found)
    slot_entries, slot_count = _slot_sketch(slots)
    return Fingerprint(
        values=signature(hashes), shingles=len(hashes), facts=fact_hashes,
        fact_count=fact_count, slots=slot_entries, slot_count=slot_count,
    )  # fmt: skip


def band_keys(fp: Fingerprint) -> list[int]:
    """The :data:`BANDS` LSH keys as signed 64-bit integers (one database column, one index);
    the band number is mixed into each key, so equal keys mean the same band agreed."""
    return [int(key) for key in band_key_array(fp.values[None, :])[0]]


def band_key_array(values: U32) -> NDArray[np.int64]:
    """:func:`band_keys` of many signatures at once: (n, PERMUTATIONS) → (n, BANDS)."""
    rows = values[:, : BANDS * ROWS].astype(np.uint64).reshape(len(values), BANDS, ROWS)
    keys = np.broadcast_to(_BAND_SEED, (len(values), BANDS))
    for row in range(ROWS):
        keys = _fmix64(keys ^ rows[:, :, row]) * _SHINGLE_BASE
    return _fmix64(keys).view(np.int64)


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """The estimated Jaccard similarity of the two shingle sets, 0 … 1."""
    return float(np.count_nonzero(a.values == b.values)) / PERMUTATIONS


def _overlap(a_count: int, b_count: int, jaccard: float) -> float:
    """|A ∩ B| / min(|A|, |B|) from the sizes and the Jaccard similarity:
    |A ∩ B| = J (|A| + |B|) / (1 + J)."""
    smaller = min(a_count, b_count)
    if smaller == 0:
        return 0.0
    return min(1.0, jaccard * (a_count + b_count) / (1 + jaccard) / smaller)


def containment(a: Fingerprint, b: Fingerprint) -> float:
    """The estimated share of the shorter text's shingles found in the other, 0 … 1 (near 1.0
    for a copy with paragraphs cut: evidence to show beside the similarity)."""
    return _overlap(a.shingles, b.shingles, similarity(a, b))


def fact_agreement(a: Fingerprint, b: Fingerprint) -> float | None:
    """The share of the smaller fact set found in the other (estimated from the sketches past
    :data:`FACTS` facts), or None when either text has no facts."""
    if not a.fact_count or not b.fact_count:
        return None
    both = np.intersect1d(a.facts, b.facts)
    if a.fact_count <= FACTS and b.fact_count <= FACTS:  # the sketches hold every fact
        return len(both) / min(a.fact_count, b.fact_count)
    union = np.union1d(a.facts, b.facts)[:FACTS]
    jaccard = int(np.count_nonzero(np.isin(union, both))) / len(union)
    return _overlap(a.fact_count, b.fact_count, jaccard)


def fact_swaps(a: Fingerprint, b: Fingerprint) -> float | None:
    """The share of the slots both texts have (among those both sketches can compare) that hold
    no common fact: 0 for a copy, high for one template filled twice. None if none is shared."""
    slots_a, slots_b = a.slots >> np.uint64(32), b.slots >> np.uint64(32)
    limit = np.uint64(_MASK)
    for fp, slots in ((a, slots_a), (b, slots_b)):
        if fp.slot_count > SLOTS and len(slots):  # a sample: compare below its largest slot only
            limit = min(limit, slots[-1])
    shared = np.intersect1d(slots_a[slots_a <= limit], slots_b[slots_b <= limit])
    if not len(shared):
        return None
    agreeing = np.unique(np.intersect1d(a.slots, b.slots) >> np.uint64(32))
    return 1 - int(np.count_nonzero(np.isin(shared, agreeing))) / len(shared)


@dataclass(frozen=True)
class Comparison:
    """Two fingerprints side by side: the evidence an editor is shown, and the verdict."""

    similarity: float  # estimated Jaccard similarity of the shingle sets
    containment: float  # estimated share of the shorter text's shingles in the other
    fact_agreement: float | None  # share of the smaller fact set in the other
    fact_swaps: float | None  # share of the shared fact slots holding different facts

    @property
    def near_duplicate(self) -> bool:
        """The decision (module docstring): similar wording, the same facts where there are."""
        return (
            self.similarity >= THRESHOLD
            and (self.fact_agreement is None or self.fact_agreement >= FACTS_AGREE)
            and (self.fact_swaps is None or self.fact_swaps <= SWAPS_MAX)
        )


def compare(a: Fingerprint, b: Fingerprint) -> Comparison:
    """Every measure of :class:`Comparison` (symmetric in ``a`` and ``b``)."""
    jaccard = similarity(a, b)
    return Comparison(
        similarity=jaccard, containment=_overlap(a.shingles, b.shingles, jaccard),
        fact_agreement=fact_agreement(a, b), fact_swaps=fact_swaps(a, b),
    )  # fmt: skip


def is_near_duplicate(a: Fingerprint, b: Fingerprint) -> bool:
    """The decision (module docstring), skipping the fact checks when the wording differs."""
    return similarity(a, b) >= THRESHOLD and compare(a, b).near_duplicate


class MemoryIndex:
    """Fingerprints by id, found through their band keys: what the database table does with one
    indexed key column (candidates = rows sharing any key, verified with the fingerprints)."""

    def __init__(self) -> None:
        self._buckets: dict[int, list[int]] = {}
        self._prints: dict[int, Fingerprint] = {}
        self._keys: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self._prints)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._prints

    def add(self, doc_id: int, fp: Fingerprint) -> None:
        """Index a fingerprint under ``doc_id``; replaces an earlier one."""
        if doc_id in self._prints:
            self.remove(doc_id)
        keys = band_keys(fp)
        self._prints[doc_id] = fp
        self._keys[doc_id] = keys
        for key in keys:
            self._buckets.setdefault(key, []).append(doc_id)

    def remove(self, doc_id: int) -> None:
        """Forget a fingerprint; unknown ids are ignored."""
        self._prints.pop(doc_id, None)
        for key in self._keys.pop(doc_id, []):
            bucket = self._buckets[key]
            bucket.remove(doc_id)
            if not bucket:
                del self._buckets[key]

    def bucket_sizes(self) -> list[int]:
        """How many fingerprints share each band key (for measuring the index)."""
        return [len(ids) for ids in self._buckets.values()]

    def candidates(self, fp: Fingerprint) -> set[int]:
        """Ids sharing at least one band key with ``fp`` (unverified)."""
        found: set[int] = set()
        for key in band_keys(fp):
            found.update(self._buckets.get(key, ()))
        return found

    def query(self, fp: Fingerprint, *, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        """The indexed near-duplicates of ``fp`` as (id, estimated Jaccard similarity), best
        first (ties: lower id first, i.e. the earlier article when ids grow with time)."""
        skip = set(exclude)
        found = []
        for doc_id in self.candidates(fp) - skip:
            other = self._prints[doc_id]
            if is_near_duplicate(fp, other):
                found.append((doc_id, similarity(fp, other)))
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return found
