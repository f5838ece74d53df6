"""Text folding shared by search and moderation: NFKC (full-width → half-width), lower case,
then 繁→简 with OpenCC (``t2s``), with a map back to the original characters. No ORM."""

from __future__ import annotations

import unicodedata
from functools import cache

import opencc


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# Full-width ASCII (！ … ～) and the ideographic space, the commonest non-NFKC characters in
# Chinese text: translated first, so most texts then pass the (fast) is_normalized check.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _nfkc_lower(text: str) -> str:
    text = text.translate(_FULL_WIDTH)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def fold(text: str) -> str:
    """NFKC, lower case, Traditional → Simplified."""
    return str(_t2s().convert(_nfkc_lower(text)))


def fold_mapped(text: str) -> tuple[str, list[int]]:
    """:func:`fold`, with ``starts[i]`` = the index in ``text`` of the character that produced
    folded character ``i`` (and ``starts[len(folded)] == len(text)``), so that a match in the
    folded text is highlighted at the right characters of the original.

    The common case (folding keeps the length) maps one to one; otherwise each character is
    folded alone (phrase-level conversions are lost there, single characters are not).
    """
    folded = fold(text)
    if len(folded) == len(text):
        return folded, list(range(len(text) + 1))
    parts: list[str] = []
    starts: list[int] = []
    converter = _t2s()
    for index, char in enumerate(text):
        piece = str(converter.convert(_nfkc_lower(char)))
        parts.append(piece)
        starts.extend([index] * len(piece))
    starts.append(len(text))
    return "".join(parts), starts
