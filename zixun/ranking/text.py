"""Chinese text → weighted terms, for the related-articles engine (``ranking/similar.py``).

Pure functions, no ORM. A document's terms are of three kinds, all plain strings so that a
database can store them in one ``term`` column:

- **words** from rjieba's search mode (``cut_for_search``: a long word *and* its sub-words,
  e.g. 共和国 → 共和, 共和国), minus stop words and bare numbers;
- **character bigrams** of every run of Chinese characters (北京华侨城 → 北京, 京华, 华侨, 侨城),
  which catch names and compounds the dictionary splits badly;
- **single Chinese characters** (``UNIGRAMS``): on short titles they carry the topic (股, 房,
  赛) and raised the bench's agreement by about 3 points.

A bigram or character that is also a word is the same term: its weight adds up.

Raw weight of a term t in a document (before ``ranking.similar`` applies tf saturation and
idf)::

    raw(t) = TITLE_WEIGHT · n_title(t) + BODY_WEIGHT · n_body(t)

where n counts occurrences of t as a word, a bigram and a character, and the body is cut to its first
``BODY_CHARS`` characters. Only the ``MAX_TERMS`` heaviest terms are kept (ties: longer terms
first, then the term itself, so that the choice is deterministic).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import rjieba

TITLE_WEIGHT = 2.0
BODY_WEIGHT = 1.0
BODY_CHARS = 1000
MAX_TERMS = 64
_BIGRAM = 2
UNIGRAMS = True

# The commonest Chinese function words (and a few title fillers); punctuation never reaches
# the stop list because ``normalize`` turns it into spaces. Kept short on purpose: the idf
# already discounts what is merely frequent.
STOP_WORDS: frozenset[str] = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "是",
        "在",
        "有",
        "也",
        "都",
        "就",
        "而",
        "被",
        "把",
        "对",
        "这",
        "那",
        "之",
        "为",
        "以",
        "于",
        "其",
        "个",
        "不",
        "没",
        "很",
        "还",
        "又",
        "将",
        "从",
        "到",
        "向",
        "给",
        "让",
        "由",
        "因",
        "但",
        "并",
        "更",
        "最",
        "已",
        "才",
        "再",
        "只",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "哦",
        "嘛",
        "么",
        "着",
        "过",
        "得",
        "地",
        "等",
        "我",
        "你",
        "他",
        "她",
        "它",
        "您",
        "们",
        "我们",
        "你们",
        "他们",
        "自己",
        "大家",
        "这个",
        "那个",
        "这些",
        "那些",
        "这么",
        "那么",
        "什么",
        "怎么",
        "怎样",
        "如何",
        "为何",
        "为什么",
        "哪些",
        "哪个",
        "多少",
        "一个",
        "一些",
        "一种",
        "一样",
        "已经",
        "可以",
        "可能",
        "能够",
        "应该",
        "没有",
        "不是",
        "就是",
        "还是",
        "只是",
        "而且",
        "并且",
        "但是",
        "因为",
        "所以",
        "如果",
        "虽然",
        "然后",
        "之后",
        "之前",
        "以后",
        "以前",
        "以及",
        "还有",
        "或者",
        "其中",
        "其实",
        "关于",
        "对于",
        "太",
        "竟",
        "却",
        "则",
        "即",
        "且",
        "若",
        "该",
        "此",
        "各",
        "每",
        "某",
        "些",
        "啥",
        "咋",
        "哪",
        "谁",
        "会",
        "要",
        "能",
        "来",
        "去",
        "说",
        "看",
        "吗",
    ]
)

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def load_stop_words(path: str | Path) -> frozenset[str]:
    """One stop word a line (UTF-8, blank lines and ``#`` comments skipped), normalised."""
    words: set[str] = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if word and not word.startswith("#"):
            words.update(normalize(word).split())
    return frozenset(words)


def normalize(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, URLs and punctuation → single spaces.

    Letters (any script, Chinese included) and digits are kept; everything else — marks,
    symbols, punctuation of either width — separates tokens.
    """
    text = _URL.sub(" ", unicodedata.normalize("NFKC", text).lower())
    kept = [ch if ch.isalnum() else " " for ch in text]
    return _SPACE.sub(" ", "".join(kept)).strip()


def _is_number(token: str) -> bool:
    return token.isdecimal() or token.replace(".", "", 1).isdecimal()


def tokens(text: str, *, stop_words: frozenset[str] = STOP_WORDS) -> list[str]:
    """Words, character bigrams and characters of an already normalised text, in order, repeats kept."""
    out: list[str] = []
    for chunk in text.split():
        out.extend(
            word
            for word in rjieba.cut_for_search(chunk)
            if word.strip() and word not in stop_words and not _is_number(word)
        )
        for run in _CJK_RUN.findall(chunk):
            if UNIGRAMS:
                out.extend(ch for ch in run if ch not in stop_words)
            out.extend(
                run[i : i + _BIGRAM]
                for i in range(len(run) - 1)
                if run[i : i + _BIGRAM] not in stop_words
            )
    return out


def _count(into: dict[str, float], items: Iterable[str], weight: float) -> None:
    for item in items:
        into[item] = into.get(item, 0.0) + weight


def terms(
    title: str,
    body: str = "",
    *,
    stop_words: frozenset[str] = STOP_WORDS,
    max_terms: int = MAX_TERMS,
    body_chars: int = BODY_CHARS,
) -> dict[str, float]:
    """Term → raw weight: ``TITLE_WEIGHT`` per title occurrence + ``BODY_WEIGHT`` per body one.

    Only the first ``body_chars`` characters of the body are read, and the ``max_terms``
    heaviest terms kept. Empty or whitespace-only text gives ``{}``.
    """
    weights: dict[str, float] = {}
    _count(weights, tokens(normalize(title), stop_words=stop_words), TITLE_WEIGHT)
    if body and body_chars > 0:
        _count(weights, tokens(normalize(body[:body_chars]), stop_words=stop_words), BODY_WEIGHT)
    if len(weights) > max_terms:
        kept = sorted(weights.items(), key=lambda item: (-item[1], -len(item[0]), item[0]))
        weights = dict(kept[:max_terms])
    return weights
