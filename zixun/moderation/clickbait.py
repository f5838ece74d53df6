"""The 标题党 (clickbait) score of a title, with its reasons. Pure Python, no ORM, no model.

``clickbait_score(title, body="")`` gives a :class:`Clickbait`: a ``score`` in [0, 1], the
``reasons`` behind it (shown to the creator while writing) and ``is_clickbait``
(``score >= THRESHOLD``). The hot list and the feeds multiply a title's score by
``penalty(score)``. What counts as 标题党 is defined in docs/clickbait-labelling.md, and
``make bench`` measures the score against the labelled set described there.

**Folding.** The title (and body) is folded with :func:`~zixun.core.textfold.fold` first, so
繁體 and full-width variants match the same word lists: 震驚！！ is 震惊!!, and "……" is
"......". The reasons quote the folded words.

**Signals.** Each signal *s* finds its words in the title (a word is counted once, and a
span claimed by an earlier signal in this list is not counted again):

=============  ====  ====  ==============================================================
signal         b_s   cap   finds
=============  ====  ====  ==============================================================
exaggeration   0.50  0.85  震惊, 惊呆, 史上最, 万万没想到, 太…了, 神器, 逆天, 99%的人
withheld       0.50  0.85  竟然, 原来, 真相, 没想到, 看完, 你绝对想不到, 这件事, 这3种,
                           这家, …的原因, 他竟, 又一国, a title that starts or ends with
                           他/她/它, a trailing "..."; 这… is not counted when the title
                           ends in a plain question (北汽这个牌子怎么样?)
shock          0.50  0.80  泪目, 看哭, 细思极恐, 出大事, 一言难尽, 打脸, 刚刚, 局势反转,
                           2–4 Chinese characters and "!" opening the title (巨坑!)
punctuation    0.30  0.60  "!", "!!", "?!", "??", "......", and three or more "!" in all
second_person  0.30  0.40  你, 你们, 您 (not in the prompts 你怎么看, 你觉得, 你认为 …)
twist          0.30  0.30  却 (a twist held back: 女儿却不是…)
first_person   0.30  0.30  我 told as a story (not 我国, 我市, 我军, 我校 …)
inconsistency  0.65  0.65  title words missing from the body (only when a body is given)
=============  ====  ====  ==============================================================

A signal with *n* words has the weight ``w_s = min(cap_s, 1 - (1 - b_s) ** n)``: the
second word adds less than the first. The signals combine as a noisy-OR:

    score = 1 - Π_s (1 - w_s)

so each reason alone gives its own weight as the score, more reasons raise it, and no
title reaches 1. A title with no signal scores 0.

**Title–body consistency.** The title is cut into words with ``rjieba.cut(title, False)``;
the content words are those of two characters or more that contain a letter, are not in
the built-in :data:`STOP_WORDS` and were not matched by another signal. With at least
:data:`MIN_CONTENT_WORDS` of them and a body of at least :data:`MIN_BODY_CHARS` characters
(plain text: strip the HTML first), ``share`` is the share of content words found in the
folded body; below :data:`CONSISTENT_SHARE` the reason has the weight
``0.65 * (1 - share / CONSISTENT_SHARE)``, so a title none of whose words is in its body
counts as 标题党 on that ground alone.

**Threshold.** :data:`THRESHOLD` = 0.5: one strong cue (exaggeration, withheld, shock)
reaches it alone, and so do two weak ones (punctuation, 你, 却, 我: 1 - 0.7² = 0.51),
including two of punctuation ("!!" and a "?!", or three "!" in all); one weak cue alone
never does. The weights and word lists were tuned on the ``dev`` split of
bench/data/clickbait_labels.tsv only.

**Penalty.** ``penalty(score) = 1 - PENALTY_MAX * score`` with :data:`PENALTY_MAX` = 0.5,
the factor the hot list and the feeds apply to a title's score: a clean title keeps all of
it, a title at the threshold keeps 75 %, a certain 标题党 keeps half. It is continuous, so a
title just under the threshold is not ranked far above one just over it.

**Edge cases.** An empty (or blank) title scores 0 with no reasons. A title of symbols only
is scored on what it has: "!!!" has the punctuation reason, "——" scores 0.

Speed: about 15 µs a title without a body in ``make bench`` (regular expressions over the
folded title); with a 5,000-character body, about 0.3 ms (folding the body costs most).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import rjieba
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zixun.core.errors import message_format
from zixun.core.textfold import fold

THRESHOLD = 0.5  # score at or above which a title is 标题党 (docs/clickbait-labelling.md)
PENALTY_MAX = 0.5  # a certain-clickbait title keeps half its hot/feed score
CONSISTENT_SHARE = 0.5  # share of title words found in the body below which it is a reason
MIN_CONTENT_WORDS = 2  # fewer title words than this say nothing about consistency
MIN_BODY_CHARS = 20  # a body this short (a draft just begun) is not compared

EXAGGERATION = _("夸张用语：%(words)s")
WITHHELD = _("故意隐去关键信息：%(words)s")
SHOCK = _("耸动或煽情的说法：%(words)s")
PUNCTUATION = _("渲染情绪的标点：%(words)s")
SECOND_PERSON = _("直接对读者喊话：%(words)s")
TWIST = _("转折制造悬念：%(words)s")
FIRST_PERSON = _("第一人称讲故事：%(words)s")
INCONSISTENCY = _("标题里的这些词正文里没有：%(words)s")


@dataclass(frozen=True, slots=True)
class Reason:
    """One signal found in a title: its code, message template, the words and its weight."""

    code: str
    message: Promise  # a lazy gettext template with %(words)s
    words: tuple[str, ...]
    weight: float

    def __str__(self) -> str:
        return message_format(self.message, words="、".join(self.words))


@dataclass(frozen=True, slots=True)
class Clickbait:
    score: float
    reasons: tuple[Reason, ...]
    is_clickbait: bool


@dataclass(frozen=True, slots=True)
class _Signal:
    code: str
    message: Promise
    pattern: re.Pattern[str]
    base: float
    cap: float


def _words(*alternatives: str) -> str:
    """Longest first, so 史上最 wins over 最 and 竟然 over 竟."""
    return "|".join(sorted(alternatives, key=len, reverse=True))


_NUM = r"[0-9一二两三四五六七八九十几百千万]+"
_MEASURE = (
    r"(?:个|种|款|家|位|条|座|件|招|大|点|类|样|部|项|道|句|张|国|城|地|车|人|只|本|天|步|字|处)"
)

_EXAGGERATION = re.compile(
    _words(
        "震惊", "惊呆", "吓呆", "吓傻", "吓坏", "惊掉下巴", "史上最", "有史以来", "万万没想到",
        "万万想不到", "逆天", "神器", "秒杀", "碾压", "吊打", "疯传", "刷屏", "炸锅", "炸了",
        "疯了", "疯狂", "不可思议", "难以置信", "颠覆", "绝世", "神功", "举世无双", "前无古人",
        "天下无敌", "最牛", "太牛", "牛了", "简直", "绝了", "重磅", "大事件", "粗大事",
        "惊天", "必看", "千万别", "千万不要", "根本想象不到", "超乎想象", "超乎你想象",
        "做梦都", "天下第一", "所有人都", "全网", "一秒", "瞬间", "相见恨晚", "不敢相信",
        "彻底火了", "看傻", "吓死", "爆了", "傻眼", "牛气", "没见过", "没有见过", "绝对是",
        "最丑", "最惨", "最尴尬", "最奇葩", "最霸气", "最恐怖",
    )
    + r"|太[^,。!?、\s]{1,4}了|[0-9]{2}%的人|十个人九个|百分之九十",
)  # fmt: skip
_WITHHELD = re.compile(
    _words(
        "竟然", "居然", "原来", "真相", "揭秘", "内幕", "没想到", "想不到", "才知道", "才懂",
        "看完", "你猜", "猜不到", "告诉你", "怎么回事", "你知道吗", "有你吗", "你还在",
        "你是不是", "你敢", "你能接受", "这件事", "一件事", "大动作", "一个动作", "这一招",
        "一招", "有一种", "背后的故事", "秘密", "答案", "怪不得", "难怪", "就知道", "真凶",
        "看谁", "潜规则", "第一名", "活成这样", "成这样", "就是他", "就是她", "而他", "而她",
        "这里", "这么", "如此", "曝光",
    )
    + r"|竟|(?<!什么)原因(?!是什么)"
    + rf"|这(?:{_NUM}{_MEASURE}|[个种款家位条座件招些类]|样)"
    + r"|^[他她它](?:们)?|[他她它](?:却|竟)|[他她它]$"
    + r"|又一(?:个|国|家|位|款|座|城|种|名)|最后一(?:个|位|张|种|场|名|句|部)"
    + r"|\.{3,}$",
)  # fmt: skip
_SHOCK = re.compile(
    _words(
        "泪目", "泪奔", "看哭", "哭了", "细思极恐", "毛骨悚然", "可怕", "吓人", "恐怖",
        "出事了", "出大事", "慌了", "怒了", "愣住", "懵了", "看呆", "惊了", "打脸",
        "一言难尽", "扎心", "心酸", "沸腾", "炸裂", "凉凉", "服了", "局势反转", "剧情反转",
        "刚刚", "突发", "紧急", "速看", "快看", "快来看", "赶紧", "巨坑", "气炸", "辣眼睛",
        "真服了", "暴露", "不敢", "惨遭",
    )
    + r"|^[\u4e00-\u9fff]{2,4}(?=!)",
)  # fmt: skip
_PUNCTUATION = re.compile(r"!{2,}|\?!|!\?|\?{2,}|\.{6,}|!")
_TWIST = re.compile(r"却")
_FIRST_PERSON = re.compile(r"我(?![国市省县区军校院驻方们]|的世界)")
_SECOND_PERSON = re.compile(
    r"(?:你|您)(?!(?:们)?(?:怎么看|怎么评价|如何看|认为|觉得|最喜欢|喜欢|支持|认可))(?:们)?"
)

_SIGNALS = (
    _Signal("exaggeration", EXAGGERATION, _EXAGGERATION, 0.50, 0.85),
    _Signal("withheld", WITHHELD, _WITHHELD, 0.50, 0.85),
    _Signal("shock", SHOCK, _SHOCK, 0.50, 0.80),
    _Signal("punctuation", PUNCTUATION, _PUNCTUATION, 0.30, 0.60),
    _Signal("second_person", SECOND_PERSON, _SECOND_PERSON, 0.30, 0.40),
    _Signal("twist", TWIST, _TWIST, 0.30, 0.30),
    _Signal("first_person", FIRST_PERSON, _FIRST_PERSON, 0.30, 0.30),
)
# A title ending in a plain question ("…这个牌子怎么样?") points back with 这, it hides nothing.
_GENUINE_QUESTION = re.compile(
    r"(?:吗|什么|怎么样|怎么|如何|哪|谁|多少|几|为何|为什么|是否)[^,.!?]*\?$"
)
_DEMONSTRATIVE = ("这", "如此")
_MANY_EXCLAMATIONS = 3  # "!" in all (a run or apart) that count as one more punctuation word
INCONSISTENCY_WEIGHT = 0.65

# Function and filler words that carry no topic; the module must not read ../shared at run
# time, so this is its own short list (checked against stopwords-iso's zh list).
STOP_WORDS = frozenset(
    {
        "一个", "一些", "一下", "一种", "一样", "一直", "一定", "不是", "不会", "不能",
        "什么", "为什么", "怎么", "怎么样", "怎样", "如何", "哪些", "哪个", "多少", "这个",
        "那个", "这些", "那些", "这样", "那样", "这么", "那么", "这种", "那种", "这里",
        "那里", "他们", "她们", "它们", "我们", "你们", "自己", "大家", "没有", "可以",
        "可能", "已经", "还是", "或者", "而且", "但是", "因为", "所以", "如果", "虽然",
        "就是", "只是", "还有", "以及", "其中", "之后", "之前", "以后", "以前", "现在",
        "今天", "昨天", "明天", "今年", "去年", "时候", "真的", "到底", "究竟", "其实",
        "非常", "特别", "竟然", "居然", "原来", "终于", "然后", "于是", "的话", "起来",
        "出来", "知道", "看看", "一起", "成为", "进行", "表示", "认为", "觉得", "需要",
        "应该", "能够", "这次", "那次", "之一", "以上", "以下", "还在", "不要", "为何",
    }
)  # fmt: skip


def _matches(pattern: re.Pattern[str], text: str, taken: list[tuple[int, int]]) -> list[str]:
    """The distinct words ``pattern`` finds outside the spans already taken (which grow)."""
    found: list[str] = []
    for match in pattern.finditer(text):
        start, end = match.span()
        if start == end or any(start < b and a < end for a, b in taken):
            continue
        taken.append((start, end))
        word = match.group()
        if word not in found:
            found.append(word)
    return found


def _weight(base: float, cap: float, count: int) -> float:
    return min(cap, 1 - (1 - base) ** count)


def _content_words(title: str, taken: Iterable[tuple[int, int]]) -> list[str]:
    spans = list(taken)
    words: list[str] = []
    position = 0
    for word in rjieba.cut(title, False):
        start, position = position, position + len(word)
        if (
            len(word) >= 2
            and any(char.isalpha() for char in word)
            and word not in STOP_WORDS
            and not any(start < b and a < position for a, b in spans)
            and word not in words
        ):
            words.append(word)
    return words


def _inconsistency(title: str, body: str, taken: list[tuple[int, int]]) -> Reason | None:
    if len(body.strip()) < MIN_BODY_CHARS:
        return None
    words = _content_words(title, taken)
    if len(words) < MIN_CONTENT_WORDS:
        return None
    folded_body = fold(body)
    missing = tuple(word for word in words if word not in folded_body)
    share = 1 - len(missing) / len(words)
    if share >= CONSISTENT_SHARE:
        return None
    weight = INCONSISTENCY_WEIGHT * (1 - share / CONSISTENT_SHARE)
    return Reason("inconsistency", INCONSISTENCY, missing, round(weight, 4))


def clickbait_score(title: str, body: str = "") -> Clickbait:
    """The 标题党 score of ``title`` (and its consistency with ``body``, when given)."""
    text = fold(title).strip()
    if not text:
        return Clickbait(score=0.0, reasons=(), is_clickbait=False)
    taken: list[tuple[int, int]] = []
    reasons: list[Reason] = []
    for signal in _SIGNALS:
        words = _matches(signal.pattern, text, taken)
        if signal.code == "withheld" and _GENUINE_QUESTION.search(text):
            words = [word for word in words if not word.startswith(_DEMONSTRATIVE)]
        count = len(words)
        exclamations = text.count("!")
        if signal.code == "punctuation" and exclamations >= _MANY_EXCLAMATIONS:
            words.append(f"{exclamations}×!")
            count += 1
        if count:
            weight = _weight(signal.base, signal.cap, count)
            reasons.append(Reason(signal.code, signal.message, tuple(words), round(weight, 4)))
    if body:
        reason = _inconsistency(text, body, taken)
        if reason is not None:
            reasons.append(reason)
    keep = 1.0
    for reason in reasons:
        keep *= 1 - reason.weight
    score = round(1 - keep, 4)
    return Clickbait(score=score, reasons=tuple(reasons), is_clickbait=score >= THRESHOLD)


def penalty(score: float) -> float:
    """The factor for a hot-list or feed score: 1 for a clean title, ``1 - PENALTY_MAX`` at 1."""
    return 1 - PENALTY_MAX * min(1.0, max(0.0, score))
