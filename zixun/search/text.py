"""Search text: folding, segmentation, query parsing, highlighting and pinyin. No ORM.

Every text, document or query, goes through the same steps, in this order:

1. **fold**: NFKC (full-width → half-width), lower case, then 繁→简 with OpenCC (``t2s``),
   *before* segmentation, so that 中國農業發展銀行 segments exactly as 中国农业发展银行;
2. **clean**: anything that is neither a letter nor a digit separates words (so FTS operators,
   quotes and brackets in a query are plain separators, never syntax);
3. **segment** with rjieba, without HMM (the same words whatever the context around them):
   documents in *search mode*, which adds the dictionary sub-words of a long word after it
   (中国农业发展银行 → 中国 农业 发展 银行 农业发展银行), so 农业 finds it and 处理 finds 待处理;
   queries in precise mode. A query word is a term; a run of single characters the dictionary
   does not join (援 疆 for 援疆) is a phrase, so 援疆 never matches 疆援.

Operators extend the dictionary (:class:`Segmenter` ``words``); see ``services.search_word_add``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import rjieba
from pypinyin import Style, lazy_pinyin

from zixun.core.textfold import fold, fold_mapped

__all__ = ["fold", "fold_mapped"]  # re-exported: search's callers fold through this module

QUERY_MAX_CHARS = 100  # a longer query is cut here (a 10 KB paste is not an error)
QUERY_MAX_CLAUSES = 12
SNIPPET_CHARS = 110

_SEPARATORS = re.compile(r"[^\w]|_", re.UNICODE)
_SPACE = re.compile(r"\s+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


def clean(folded: str) -> str:
    """Separators → single spaces (letters of any script and digits are kept); Latin letters and
    digits are split apart (iphone15 → iphone 15), so either finds the other."""
    return _SPACE.sub(" ", _LETTER_DIGIT.sub(" ", _SEPARATORS.sub(" ", folded))).strip()


class Segmenter:
    """rjieba with the operators' words added; one per process (see :func:`segmenter`)."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self._jieba = rjieba.Jieba()
        self.words: frozenset[str] = frozenset()
        self.add(words)

    def add(self, words: Iterable[str]) -> None:
        added = {clean(fold(word)).replace(" ", "") for word in words}
        added.discard("")
        for word in sorted(added - self.words):
            self._jieba.add_word(word, None, None)
        self.words = self.words | added

    def cut(self, cleaned: str) -> list[str]:
        """Precise mode, no HMM."""
        return [word for word in self._jieba.cut(cleaned, False) if word.strip()]

    def cut_for_search(self, cleaned: str) -> list[str]:
        """Search mode, no HMM: each word's dictionary sub-words, then the word."""
        return [word for word in self._jieba.cut_for_search(cleaned, False) if word.strip()]


_SEGMENTER: dict[str, Segmenter] = {}


def segmenter(words: frozenset[str] = frozenset()) -> Segmenter:
    """The process's segmenter, rebuilt when the operators' word list differs."""
    current = _SEGMENTER.get("current")
    if current is None or current.words != {clean(fold(w)).replace(" ", "") for w in words} - {""}:
        current = Segmenter(words)
        _SEGMENTER["current"] = current
    return current


def document_terms(text: str, seg: Segmenter) -> str:
    """A field's words as the index stores them: search mode, space-separated, in order."""
    if not text:
        return ""
    return " ".join(seg.cut_for_search(clean(fold(text))))


# Queries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """One thing every hit must contain: a word, or a phrase of adjacent words."""

    words: tuple[str, ...]

    @property
    def text(self) -> str:
        """The folded characters it matches in a text (for highlighting)."""
        return "".join(self.words)


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # the folded, cleaned query (the key of 热搜 and of cursors)
    clauses: tuple[Clause, ...]

    def __bool__(self) -> bool:
        return bool(self.clauses)


def query_parse(
    raw: str, seg: Segmenter, *, stop_words: frozenset[str] = frozenset()
) -> ParsedQuery:
    """A reader's query as clauses (all must match). Stop words are dropped unless the query is
    nothing else; operators and quotes are plain separators; the text is cut at
    ``QUERY_MAX_CHARS`` and at ``QUERY_MAX_CLAUSES`` clauses."""
    cleaned = clean(fold(raw[: QUERY_MAX_CHARS * 4]))[:QUERY_MAX_CHARS].strip()
    clauses: list[Clause] = []
    for chunk in cleaned.split():
        run: list[str] = []
        for word in seg.cut(chunk):
            if len(word) == 1 and _is_cjk(word):
                run.append(word)
                continue
            if run:
                clauses.append(Clause(tuple(run)))
                run = []
            clauses.append(Clause((word,)))
        if run:
            clauses.append(Clause(tuple(run)))
    kept = [clause for clause in clauses if clause.text not in stop_words]
    unique = list(dict.fromkeys(kept or clauses))
    return ParsedQuery(text=cleaned, clauses=tuple(unique[:QUERY_MAX_CLAUSES]))


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


# Highlighting -------------------------------------------------------------------------------


def _spans(folded: str, needles: Sequence[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of the needles in ``folded``, longest first at a place."""
    ordered = sorted({n for n in needles if n}, key=len, reverse=True)
    if not ordered:
        return []
    pattern = re.compile("|".join(re.escape(n) for n in ordered))
    merged: list[tuple[int, int]] = []
    for match in pattern.finditer(folded):
        if merged and merged[-1][1] == match.start():  # adjacent matches read as one
            merged[-1] = (merged[-1][0], match.end())
        else:
            merged.append((match.start(), match.end()))
    return merged


def highlight(text: str, query: ParsedQuery, *, window: int | None = None) -> str:
    """``text`` HTML-escaped with ``<mark>`` around every match of the query's clauses, at the
    characters of the original text (folded matching, original characters shown). With
    ``window``, only about that many characters around the densest matches, with ellipses."""
    folded, starts = fold_mapped(text)
    spans = [(starts[a], starts[b]) for a, b in _spans(folded, [c.text for c in query.clauses])]
    begin, end = 0, len(text)
    if window is not None and len(text) > window:
        begin = _best_window(spans, len(text), window)
        end = min(len(text), begin + window)
    out: list[str] = ["…" if begin > 0 else ""]
    at = begin
    for start, stop in spans:
        if stop <= begin or start < at:
            continue
        if start >= end:
            break
        out += [html.escape(text[at:start]), "<mark>", html.escape(text[start:stop]), "</mark>"]
        at = stop
    out.append(html.escape(text[at:end]))
    if end < len(text):
        out.append("…")
    return "".join(out)


def _best_window(spans: list[tuple[int, int]], length: int, window: int) -> int:
    """The start of the window that holds the most matches, a little before the first of them."""
    if not spans:
        return 0
    best, best_count = spans[0][0], 0
    for index, (start, _) in enumerate(spans):
        count = sum(1 for other, _ in spans[index:] if other < start + window)
        if count > best_count:
            best, best_count = start, count
    return max(0, min(best - window // 5, length - window))


# Pinyin (account names only) ----------------------------------------------------------------


def pinyin_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a name, lower case without spaces: 金台资讯 → jintaizixun, jtzx.
    Letters and digits that are not Chinese are kept as they are."""
    folded = clean(fold(name)).replace(" ", "")
    full = "".join(lazy_pinyin(folded, errors="default"))
    initials = "".join(lazy_pinyin(folded, style=Style.FIRST_LETTER, errors="default"))
    return full, initials
