"""The keyword filter engine behind the comment screen and the publish path. Pure Python, no ORM.

A :class:`Filter` is built once from :class:`Rule` s (word, category, action), an allow-list
of ordinary words and a set of blocked domains; ``check(text)`` gives a :class:`Verdict`.

**Matching.** Text and keywords are normalised the same way: :func:`~zixun.core.textfold.fold`
(NFKC, so full-width letters become ASCII; lower case; 繁→简), then every character that is
not a letter or a digit is dropped (spaces, punctuation, symbols, emoji, zero-width and
combining characters). "法 轮-功", "法輪功", "ＱＱ" and 法<U+200B>轮功 all match; an offset map
leads each match back to the characters of the original text, so masking covers the right
ones. One Aho–Corasick automaton finds every keyword in one pass, whatever the list's size.

**Limits on dropping separators.** (1) Clause punctuation, quotes, brackets and line breaks
(，。、；：！？“”《》…) end a match, unless the keyword is spelled out with a separator between
every character and has three or more: "强调，教育" does not hold 调教 and "6.4" does not hold 64,
but "法，轮，功" holds 法轮功 (a two-character word across a comma cannot be told from ordinary
text). (2) Latin keywords: "sm" would match inside "this message" and "qq" inside "aqqb". So a
keyword edge that is an ASCII letter must not continue a run of ASCII letters in the text, and
an edge that is a digit must not continue a number: "QQ音乐", "QQ12345", "Q.Q" and "q q" match
"qq"; "aqqb", "this message" (for "sm"), "1989641" (for "198964") and "64.6" (for "64") do
not. "Continue" means with nothing visible between (a space or a symbol ends a run, a
zero-width character does not; a decimal point does not end a number). The price: an ASCII
keyword written inside a longer English word ("motherfucker") is not found.

**Short CJK keywords and words.** A keyword of at most :data:`SHORT` (2) characters, all CJK
ideographs (入联, 客服, 法正), turns up by accident where one word ends and the next begins:
进入|联调, 游客|服务, 办法|正式, 总台|独家. So the normalised text is cut into words (rjieba,
precise mode, no HMM: unknown text falls apart into single characters, i.e. boundaries, rather
than into invented words), and such a match stands when its start *or* its end is a word
boundary: it is a word (台湾|入联), begins one (薄熙来, 性奴隶, 自杀身亡; 买枪 in 买|枪支) or
ends one (安全套, 保护法). It is dropped when both its edges fall inside words: the tail of one
word and the head of the next, or the middle of a long word. Requiring both edges (a whole
word) was rejected: the longer words that hold a keyword at an edge are mostly what the list
is after (薄熙来, 自杀身亡), and it would lose them.
``block`` rules are the exception: their straddling match is held for review instead (a
:class:`Hit` with the review action), because a contraction may also be written spread over
two words (买枪 in 购买|枪支, 卖枪 in 贩卖|枪支), which segmentation cannot tell from an
accident; refusing 进入联调 outright would be as wrong as passing 购买枪支.
Segmentation works on the normalised text, so "入 联", "入聯" and "入联" in the same place are
judged alike (tolerance is kept; spaces and symbols are no word boundaries), clause by clause
(clause punctuation and line breaks are boundaries). It runs only when a short keyword has
matched, and once per clause. Longer keywords and keywords with letters or digits are matched
as before. The price: a short keyword written between two words that rjieba reads it into is
lost (检阅台独处 is 检阅台|独处; bench/keywords.py measures it on news sentences).

**Allow-list.** An allow word equal to a keyword switches the keyword off; a keyword match
that lies inside an occurrence of an allow word is ignored (keyword 网络, allow word
网络安全). Allow words are found by a second automaton over the same normalised text.

**Domains.** Host names are found in the NFKC text (bare ``evil.com``, ``www.evil.com``,
``http://…``, ``href="…"``, HTML entities decoded, full-width letters and dots, "。" between
ASCII labels); the host and each parent domain (``a.b.evil.com`` → ``b.evil.com`` →
``evil.com``) are checked against the blocked set, without "www.". The last label must start
with a letter, so "3.5" and "例.txt" are no hosts. Not caught: "evil 点 com", "evil(.)com",
Chinese IDN hosts.

**Results.** The strongest action wins (block > review > mask > allow); masked characters
become ＊ (spaces and line breaks inside a masked match are kept). Text with no letter or digit
("", "！！！", "★☆") is allowed: there is nothing to match; :func:`is_blank` tells a form so.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

import ahocorasick  # type: ignore[import-not-found]  # a C extension without stubs
import rjieba
from django.utils.translation import gettext_lazy as _

from zixun.core.textfold import fold, fold_mapped

ALLOWLIST_PATH = Path(__file__).resolve().parent / "data" / "allowlist_zh.txt"
BLOCKED_DOMAIN = "blocked_domain"  # the category of a blocked-domain hit
MASK = "＊"

KEYWORD_EMPTY = _("「%(word)s」去掉空格和符号后没有文字或数字，不能用作关键词。")
TSV_BAD_HEADER = _("%(path)s 的第一行应是 category<TAB>keyword。")
TSV_BAD_LINE = _("%(path)s 第 %(line)d 行应是“分类<TAB>关键词”。")
BLOCKED_MESSAGE = _("内容触犯了规则「%(rule)s」，无法提交。")
REVIEW_MESSAGE = _("内容涉及规则「%(rule)s」，需要编辑审核后才会显示。")
NO_WORDS = _("内容只有空格和符号，没有文字。")
BLOCKED_DOMAIN_LABEL = _("违规链接")


class Action(StrEnum):
    """What a rule does to text that contains its word."""

    BLOCK = "block"  # refused, with a message that names the rule
    REVIEW = "review"  # held for an editor
    MASK = "mask"  # shown with the word replaced by ＊


Decision = Literal["allow", "mask", "review", "block"]
_STRENGTH: dict[str, int] = {"allow": 0, "mask": 1, "review": 2, "block": 3}


@dataclass(frozen=True, slots=True)
class Rule:
    word: str
    category: str
    action: Action

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", Action(self.action))  # "block" is Action.BLOCK


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule's word found at ``text[start:end]`` of the ORIGINAL text."""

    word: str
    category: str
    action: Action
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """``action``: the strongest hit's action (block > review > mask > allow); ``text``: the
    original, with masked words as ＊ when the action is mask; ``rule``: the category of the
    deciding hit ("" when allowed)."""

    action: Decision
    text: str
    hits: tuple[Hit, ...] = ()
    rule: str = ""

    @property
    def message(self) -> str:
        """The message for the writer: names the rule for block, says "held" for review."""
        if self.action == "block":
            return str(BLOCKED_MESSAGE) % {"rule": rule_label(self.rule)}
        if self.action == "review":
            return str(REVIEW_MESSAGE) % {"rule": rule_label(self.rule)}
        return ""


def rule_label(category: str) -> str:
    """The name of a category as the writer sees it."""
    return str(BLOCKED_DOMAIN_LABEL) if category == BLOCKED_DOMAIN else category


# --- normalisation ------------------------------------------------------------------------

_ALNUM_RUN = re.compile(r"[^\W_]+")  # letters (CJK included) and digits: str.isalnum()
_INVISIBLE = frozenset({"Cf", "Mn", "Me"})  # zero-width, joiners, combining marks
# Clause punctuation, quotes, brackets and line breaks: a match does not run across them.
_BREAKS = frozenset("\n\r\t，。、；：！？…,;:!?\"'“”‘’「」『』《》〈〉【】〔〕（）()[]{}<>")
_BREAK = re.compile("[" + re.escape("".join(sorted(_BREAKS))) + "]")
SHORT = 2  # a keyword of at most this many CJK characters must not straddle words


class _Normalised(NamedTuple):
    folded: str  # fold(text)
    starts: list[int]  # folded index → original index (one more at the end)
    text: str  # folded, letters and digits only
    at: list[int]  # normalised index → folded index


def _normalise(text: str) -> _Normalised:
    folded, starts = fold_mapped(text)
    parts: list[str] = []
    at: list[int] = []
    for run in _ALNUM_RUN.finditer(folded):
        parts.append(run.group())
        at.extend(range(run.start(), run.end()))
    return _Normalised(folded, starts, "".join(parts), at)


def normalise(text: str) -> str:
    """What the filter matches: folded, letters and digits only ("法 輪-功" → "法轮功")."""
    return "".join(_ALNUM_RUN.findall(fold(text)))


def is_blank(text: str) -> bool:
    """True when ``text`` has no letter or digit at all (empty, spaces, symbols, emoji), e.g.
    a title of "！！！" or "★☆★": the filter allows it (there is nothing to match), a form may
    refuse it with :data:`NO_WORDS`."""
    return not _ALNUM_RUN.search(fold(text))


def _kind(char: str) -> str:
    if "a" <= char <= "z":
        return "a"
    if "0" <= char <= "9":
        return "0"
    return ""


# --- domains ------------------------------------------------------------------------------

_LABEL = r"[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?"
# Possessive runs: a long run of letters without a dot costs linear time, not quadratic.
_HOST = re.compile(r"(?<![a-z0-9_.。-])((?:[a-z0-9_-]++[.。])+[a-z0-9-]++)(?![a-z0-9_-])")
_TLD = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]")  # the last label: letters first, so not "3.5"
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});?")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


def normalise_domain(domain: str) -> str:
    """``"HTTP://WWW.Evil.COM:81/x"`` → ``"evil.com"``; "" when it is no host name."""
    host = unicodedata.normalize("NFKC", domain.strip()).lower().replace("。", ".")
    host = _SCHEME.sub("", host)
    host = re.split(r"[/:?#\s]", host, maxsplit=1)[0].strip(".")
    host = host.removeprefix("www.")
    return host if re.fullmatch(rf"(?:{_LABEL}\.)+{_LABEL}", host) else ""


def _unescape_mapped(text: str) -> tuple[str, list[int]]:
    """HTML entities decoded (``&#46;`` → "."), with each character's index in ``text``."""
    parts: list[str] = []
    index: list[int] = []
    done = 0
    for entity in _ENTITY.finditer(text):
        parts.append(text[done : entity.start()])
        index.extend(range(done, entity.start()))
        decoded = html.unescape(entity.group())
        parts.append(decoded)
        index.extend([entity.start()] * len(decoded))
        done = entity.end()
    parts.append(text[done:])
    index.extend(range(done, len(text)))
    return "".join(parts), index


def _hosts(folded: str) -> Iterator[tuple[str, int, int]]:
    """(host without "www.", start, end) in ``folded``, for each host name it contains."""
    scanned, index = folded, list(range(len(folded)))
    if "&" in folded:
        scanned, index = _unescape_mapped(folded)
    if "." not in scanned and "。" not in scanned:
        return
    for found in _HOST.finditer(scanned):
        host = found.group(1).replace("。", ".")
        while "." in host and not _TLD.fullmatch(host.rsplit(".", 1)[1]):
            host = host.rsplit(".", 1)[0]  # "evil.com.2024": the host is evil.com
        if "." in host:
            start = found.start(1)
            yield host.removeprefix("www."), index[start], index[start + len(host) - 1] + 1


def _blocked_parent(host: str, blocked: frozenset[str]) -> str:
    """The host or parent domain in ``blocked`` (``a.evil.com`` → ``evil.com``), or ""."""
    while "." in host:
        if host in blocked:
            return host
        host = host.split(".", 1)[1]
    return ""


# --- the filter ---------------------------------------------------------------------------


class Filter:
    """An immutable keyword filter: build it once, call :meth:`check` from any thread."""

    __slots__ = ("_allow", "_blocked", "_keywords", "rule_count")

    _keywords: Any  # ahocorasick.Automaton: word → (word, rules, spans breaks, short CJK)
    _allow: Any  # ahocorasick.Automaton: normalised allow word → its length
    _blocked: frozenset[str]
    rule_count: int

    def __init__(
        self,
        rules: Iterable[Rule],
        *,
        allow: Iterable[str] = (),
        blocked_domains: Iterable[str] = (),
    ) -> None:
        allowed = {_key(word) for word in allow}
        by_key: dict[str, list[Rule]] = {}
        count = 0
        for rule in rules:
            count += 1
            key = _key(rule.word)
            if key in allowed:
                continue
            same = by_key.setdefault(key, [])
            if rule not in same:
                same.append(rule)
        keywords = ahocorasick.Automaton()
        for key, found in by_key.items():
            # A word written with clause punctuation ("考试,答案") may match across it.
            spans = any(not _BREAKS.isdisjoint(fold(rule.word)) for rule in found)
            keywords.add_word(key, (key, tuple(found), spans, _is_short(key)))
        keywords.make_automaton()
        allow_words = ahocorasick.Automaton()
        for key in allowed:
            allow_words.add_word(key, len(key))
        allow_words.make_automaton()
        blocked = frozenset(filter(None, map(normalise_domain, blocked_domains)))
        set_ = object.__setattr__
        set_(self, "_keywords", keywords)
        set_(self, "_allow", allow_words)
        set_(self, "_blocked", blocked)
        set_(self, "rule_count", count)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Filter is immutable ({name})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Filter is immutable ({name})")

    def __repr__(self) -> str:
        return (
            f"<Filter: {self.rule_count} rules, {len(self._keywords)} words, "
            f"{len(self._allow)} allowed, {len(self._blocked)} blocked domains>"
        )

    def check(self, text: str) -> Verdict:
        if not text:
            return Verdict("allow", text)
        norm = _normalise(text)
        hits = self._keyword_hits(norm) if norm.text else []
        if self._blocked:
            for host, start, end in _hosts(norm.folded):
                if matched := _blocked_parent(host, self._blocked):
                    begin, stop = norm.starts[start], norm.starts[end - 1] + 1
                    hits.append(Hit(matched, BLOCKED_DOMAIN, Action.BLOCK, begin, stop))
        if not hits:
            return Verdict("allow", text)
        hits.sort(key=lambda hit: (hit.start, hit.end))
        decisive = max(hits, key=lambda hit: _STRENGTH[hit.action])  # the first of the strongest
        action: Decision = decisive.action.value
        if action == "mask":
            text = _masked(text, hits)
        return Verdict(action, text, tuple(hits), decisive.category)

    def _keyword_hits(self, norm: _Normalised) -> list[Hit]:
        if self._keywords.kind != ahocorasick.AHOCORASICK:
            return []
        reach = self._allow_reach(norm.text)
        hits: list[Hit] = []
        words: _Words | None = None  # segmented only when a short CJK keyword matched
        for last, (key, rules, spans, short) in self._keywords.iter(norm.text):
            first = last - len(key) + 1
            if reach is not None and reach[first] >= last:
                continue  # inside an allowed word
            if not _accepted(norm, key, first, last, spans=spans):
                continue
            straddles = False
            if short:
                if words is None:
                    words = _Words(norm)
                straddles = words.straddles(first, last + 1)  # 进入|联调: no word of its own
            start, end = norm.starts[norm.at[first]], norm.starts[norm.at[last]] + 1
            for rule in rules:
                if not straddles:
                    hits.append(Hit(rule.word, rule.category, rule.action, start, end))
                elif rule.action == Action.BLOCK:  # 购买|枪支 for 买枪: a person decides
                    hits.append(Hit(rule.word, rule.category, Action.REVIEW, start, end))
        return hits

    def _allow_reach(self, text: str) -> list[int] | None:
        """``reach[i]``: the furthest end of an allow word starting at or before ``i``."""
        if self._allow.kind != ahocorasick.AHOCORASICK:
            return None
        reach: list[int] | None = None
        for last, length in self._allow.iter(text):
            if reach is None:
                reach = [-1] * len(text)
            first = last - length + 1
            reach[first] = max(reach[first], last)
        if reach is not None:
            for i in range(1, len(reach)):
                if reach[i] < reach[i - 1]:
                    reach[i] = reach[i - 1]
        return reach


def _key(word: str) -> str:
    key = normalise(word)
    if not key:
        raise ValueError(str(KEYWORD_EMPTY) % {"word": word})
    return key


def _accepted(norm: _Normalised, key: str, first: int, last: int, *, spans: bool) -> bool:
    """Whether the match ``norm.text[first : last + 1]`` of ``key`` stands: its ASCII edges do
    not continue a run of the same kind, and it does not span a clause break by accident
    (``spans``: the keyword is itself written across one, "考试,答案")."""
    return not (
        _continues(norm, _kind(key[0]), first - 1, first)
        or _continues(norm, _kind(key[-1]), last + 1, last)
        or (not spans and _spans_break(norm, first, last))
    )


def _continues(norm: _Normalised, kind: str, outside: int, inside: int) -> bool:
    """True when the text character at ``outside`` (next to the match's edge ``inside``) is of
    the edge's ``kind`` and nothing visible separates them (for digits: nor a decimal point or
    a thousands separator, so "64" is not in "64.6")."""
    if not kind or not 0 <= outside < len(norm.text) or _kind(norm.text[outside]) != kind:
        return False
    left, right = sorted((norm.at[outside], norm.at[inside]))
    gap = norm.folded[left + 1 : right]
    return _invisible(gap) or (kind == "0" and gap in (".", ","))


def _spans_break(norm: _Normalised, first: int, last: int) -> bool:
    """True when the match crosses clause punctuation or a line break ("强调，教育" for 调教,
    "6.4" for 64) and is not spelled out with a separator between every character ("法，轮，功"
    still matches 法轮功; a two-character word across a comma cannot be told from ordinary
    text, so it does not)."""
    at, folded = norm.at, norm.folded
    if at[last] - at[first] == last - first:
        return False  # the common case: nothing between the characters
    gaps, broken = 0, False
    for i in range(first, last):
        gap = folded[at[i] + 1 : at[i + 1]]
        if _invisible(gap):
            continue
        gaps += 1
        digits = _kind(norm.text[i]) == _kind(norm.text[i + 1]) == "0"
        broken = broken or not _BREAKS.isdisjoint(gap) or (digits and gap in (".", ","))
    return broken and not (gaps == last - first >= 2)


def _is_short(key: str) -> bool:
    """A keyword of at most :data:`SHORT` characters, all of them CJK ideographs (入联, 客服)."""
    return len(key) <= SHORT and all(
        unicodedata.name(char, "").startswith("CJK ") and char.isalpha() for char in key
    )


@cache
def _segmenter() -> rjieba.Jieba:
    """A segmenter of our own: words other code adds to rjieba's shared one do not move
    moderation decisions."""
    return rjieba.Jieba()


class _Words:
    """The word boundaries of the normalised text, segmented clause by clause (rjieba, precise
    mode without HMM) the first time a short keyword asks. Clause punctuation and line breaks
    (:data:`_BREAKS`) are boundaries; spaces and symbols are not (normalisation dropped them,
    so a spaced-out keyword is judged like the plain one)."""

    __slots__ = ("_bounds", "_cuts", "_norm")

    def __init__(self, norm: _Normalised) -> None:
        self._norm = norm
        at = norm.at
        cuts = {0, len(norm.text)}
        cuts.update(bisect_left(at, found.start()) for found in _BREAK.finditer(norm.folded))
        self._cuts = sorted(cuts)
        self._bounds: dict[int, frozenset[int]] = {}

    def straddles(self, start: int, end: int) -> bool:
        """True when neither ``start`` nor ``end`` (normalised indices) is a word boundary."""
        cuts = self._cuts
        index = bisect_right(cuts, start)
        low, high = cuts[index - 1], cuts[index]
        bounds = self._bounds.get(low)
        if bounds is None:
            words = _segmenter().tokenize(self._norm.text[low:high], "default", False)
            bounds = frozenset([low, *(low + stop for _, _, stop in words)])
            self._bounds[low] = bounds
        return start not in bounds and end not in bounds


def _invisible(gap: str) -> bool:
    return all(unicodedata.category(char) in _INVISIBLE for char in gap)


def _masked(text: str, hits: Iterable[Hit]) -> str:
    """``text`` with each character covered by a mask hit as ＊ (line breaks and spaces kept)."""
    chars = list(text)
    for hit in hits:
        if hit.action == Action.MASK:
            for i in range(hit.start, hit.end):
                if not chars[i].isspace():
                    chars[i] = MASK
    return "".join(chars)


# --- reading the lists --------------------------------------------------------------------


def rules_from_tsv(
    path: Path, *, action_by_category: Mapping[str, Action], default: Action
) -> list[Rule]:
    """Rules from a ``category<TAB>keyword`` file (the header line first, as in
    shared/data/moderation_keywords_zh/keywords.tsv); each category's action from
    ``action_by_category``, else ``default``. Blank lines are skipped."""
    rules: list[Rule] = []
    with path.open(encoding="utf-8-sig") as lines:
        if next(lines, "").rstrip("\r\n").split("\t") != ["category", "keyword"]:
            raise ValueError(str(TSV_BAD_HEADER) % {"path": path})
        for number, line in enumerate(lines, start=2):
            if not line.strip():
                continue
            category, tab, word = line.rstrip("\r\n").partition("\t")
            if not tab or not category.strip() or not word.strip() or "\t" in word:
                raise ValueError(str(TSV_BAD_LINE) % {"path": path, "line": number})
            category = category.strip()
            action = action_by_category.get(category, default)
            rules.append(Rule(word.strip(), category, action))
    return rules


def _lines(path: Path) -> Iterator[str]:
    """The lines of a list file, stripped, without blank lines and ``#`` comments."""
    with path.open(encoding="utf-8-sig") as lines:
        for line in lines:
            text = line.split("#", 1)[0].strip()
            if text:
                yield text


def domains_from_file(path: Path) -> frozenset[str]:
    """The host names of a one-per-line file, normalised (lower case, no scheme, port, path
    or "www."); lines that hold no host name are skipped."""
    return frozenset(filter(None, map(normalise_domain, _lines(path))))


def load_allowlist(path: Path = ALLOWLIST_PATH) -> frozenset[str]:
    """The allow-list of ordinary words (zixun/moderation/data/allowlist_zh.txt by default)."""
    return frozenset(_lines(path))
