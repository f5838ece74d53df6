"""Password validators beyond Django's (AUTH_PASSWORD_VALIDATORS in config/settings.py).

Django refuses a short, all-digit or common password, and one too like the user's name or
e-mail. Cracking lists try next what people make of those: a keyboard walk (``1qaz2wsx``),
one character or syllable repeated, the site's own name, the e-mail's local part, and a
common word with a year, digits or symbols around it (``Password2024!``, ``p@ssw0rd``).
``PatternPasswordValidator`` refuses these; a long passphrase passes. ``MaximumLengthValidator``
refuses more than 1024 characters, so that 64 or more are always accepted and a password
is never cut short without a word.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

PASSWORD_MAX_LENGTH = 1024
PASSWORD_TOO_LONG = _("密码太长，最多 %(max_length)d 个字符。")
PASSWORD_MAX_HELP = _("密码最多 %(max_length)d 个字符。")
PASSWORD_REPEATED = _("密码由重复的字符组成，很容易被猜到。")
PASSWORD_KEYBOARD_WALK = _(
    "密码是键盘或字母表上连续的按键（如 qwerty、1qaz2wsx、abcd1234），很容易被猜到。"
)
PASSWORD_SITE_NAME = _("密码不能以本站的名字为主。")
PASSWORD_ACCOUNT_NAME = _("密码不能以你的邮箱地址或用户名为主。")
PASSWORD_DECORATED_COMMON = _("密码是常见密码加上年份、数字或符号，很容易被猜到。")
PASSWORD_PATTERN_HELP = _(
    "密码不能是键盘上连续的按键、重复的字符、本站的名字、你的邮箱地址，"
    "或常见密码加上年份、数字或符号。"
)

# Rows and columns of a US keyboard (shifted too), the alphabet and the digits: two characters
# next to each other in one of these, either way round, are a step of a walk.
WALK_SEQUENCES = (
    "`1234567890-=",
    "~!@#$%^&*()_+",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/-['=]\\",
    "!qaz@wsx#edc$rfv%tgb^yhn&ujm*ik<(ol>)p:?",
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
)
WALK_MIN_RUN = 3  # a run of this many characters or more is a walk
PATTERN_MIN_LENGTH = 8  # a shorter password gets the minimum length's message alone
NAME_MIN_LENGTH = 2  # 资讯 is a name; so is li, and li + digits is no password
REPEAT_MAX_DISTINCT = 3  # at most this many different characters is a repeat, however long
# Digits, punctuation and spaces around the word a password is built on (a year, "123", "!").
DECORATION = re.compile(r"^[\d\W_]*(.*?)[\d\W_]*$", re.S)
# At most this many characters around a common word make it a dressed-up common password
# (a year and a "!"); more, like eleven random digits, are strength of their own.
DECORATION_MAX = 6
SEPARATORS = re.compile(r"[\W_]+")
LEET = (str.maketrans("0134578@$!|", "oieastbasil"), str.maketrans("0134578@$!|", "olea5tbasil"))


@cache
def _adjacent_pairs() -> frozenset[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for sequence in WALK_SEQUENCES:
        for first, second in pairwise(sequence):
            pairs.update({(first, second), (second, first)})
    return frozenset(pairs)


@cache
def _common_passwords() -> frozenset[str]:
    """Django's list of 20,000 common passwords, lowercased (loaded once per process)."""
    return frozenset(CommonPasswordValidator().passwords)


def is_repeated(text: str) -> bool:
    """One short unit over and over (``aaaaaaaa``, ``abcabcabc``, ``我爱你我爱你``)."""
    if len(set(text)) <= REPEAT_MAX_DISTINCT:
        return True
    return text in (text + text)[1:-1]


def is_walk(text: str) -> bool:
    """Every character lies in a run of at least WALK_MIN_RUN keyboard or alphabet steps."""
    pairs = _adjacent_pairs()
    covered = [False] * len(text)
    start = 0
    for end in range(1, len(text) + 1):
        if end == len(text) or (text[end - 1], text[end]) not in pairs:
            if end - start >= WALK_MIN_RUN:
                covered[start:end] = [True] * (end - start)
            start = end
    return bool(text) and all(covered)


def _base(text: str) -> str:
    """The text without the digits, symbols and spaces around it (``password`` of
    ``Password2024!``)."""
    match = DECORATION.match(text)
    return match.group(1) if match else text


def _variants(word: str) -> set[str]:
    """The word, without separators, and read as leetspeak (``p@ssw0rd`` is ``password``)."""
    forms = {word, SEPARATORS.sub("", word)}
    return forms | {form.translate(table) for form in forms for table in LEET}


def _names(names: list[str]) -> set[str]:
    """Names as a password would hold them: casefolded, with and without separators, and
    without the digits around them (``user`` of ``user42``)."""
    forms = set()
    for name in names:
        folded = name.casefold()
        forms.update({folded, SEPARATORS.sub("", folded), _base(folded)})
    return {form for form in forms if len(form) >= NAME_MIN_LENGTH}


def _built_on(forms: set[str], names: set[str]) -> bool:
    """One of the forms is names with only digits, symbols and spaces besides them."""
    return any(
        name in form and not _base(form.replace(name, "")) for form in forms for name in names
    )


def password_pattern_problem(
    password: str, *, site_names: list[str], account_names: list[str]
) -> StrPromise | None:
    """Why ``password`` is guessable (one of the messages above), or None."""
    core = password.strip().casefold()
    if len(core) < PATTERN_MIN_LENGTH:
        return None
    if is_repeated(core):
        return PASSWORD_REPEATED
    base = _base(core)
    if is_walk(core) or (len(base) > WALK_MIN_RUN and is_walk(base)):
        return PASSWORD_KEYBOARD_WALK
    forms = _variants(base) | _variants(core)
    if _built_on(forms, _names(site_names)):
        return PASSWORD_SITE_NAME
    if _built_on(forms, _names(account_names)):
        return PASSWORD_ACCOUNT_NAME
    decorated = 0 < len(core) - len(base) <= DECORATION_MAX
    if decorated and forms & _common_passwords():
        return PASSWORD_DECORATED_COMMON
    if base == core and any(form != core and form in _common_passwords() for form in forms):
        return PASSWORD_DECORATED_COMMON  # leetspeak alone: p@ssw0rd
    return None


class PatternPasswordValidator:
    """Refuse a keyboard walk, a repeat, the site's name, the user's e-mail or username, and a
    common password dressed up with a year, digits, symbols or leetspeak."""

    def validate(self, password: str, user: Any = None) -> None:
        email = str(getattr(user, "email", "") or "")
        account_names = [email.partition("@")[0], str(getattr(user, "username", "") or "")]
        site_names = [settings.ZIXUN_SITE_NAME, settings.ZIXUN_SITE_NAME_EN, "zixun", "资讯"]
        problem = password_pattern_problem(
            password, site_names=site_names, account_names=account_names
        )
        if problem is not None:
            raise ValidationError(problem, code="password_guessable")

    def get_help_text(self) -> str:
        return str(PASSWORD_PATTERN_HELP)


class MaximumLengthValidator:
    """Refuse a password longer than ``max_length`` characters, with a message saying so."""

    def __init__(self, max_length: int = PASSWORD_MAX_LENGTH) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                PASSWORD_TOO_LONG, code="password_too_long", params={"max_length": self.max_length}
            )

    def get_help_text(self) -> str:
        return str(PASSWORD_MAX_HELP) % {"max_length": self.max_length}
