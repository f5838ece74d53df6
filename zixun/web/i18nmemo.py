"""A ``{% translate %}`` that remembers its output, in place of Django's in ``{% load i18n %}``.

Django's tag looks the message up through the active translation's catalogues and a lazy string on
every render: about 50 µs a tag on this machine, 3.4 ms for the 66 tags of the article page, a
fifth of a page-cache miss's template time on PostgreSQL. A tag whose message (and context) is a
literal renders the same text for a given language and autoescape setting, so the first render's
output is kept under that key and later renders read it (about 10 µs, most of it asking for the
active language). A tag with a variable message, a variable context, filters, ``as`` or ``noop`` is
Django's node, rendered by Django every time.

``install`` (called by the web app's ``ready``) puts the tag into Django's own ``i18n`` library,
so that every template, the admin's and allauth's too, gets it from the usual ``{% load i18n %}``.
(Mapping the name ``i18n`` to another module in TEMPLATES' ``libraries`` would do the same, but
the system check warns of two modules under one name, and ``check --deploy`` is kept at zero
silenced checks.) Catalogues do not change while a process runs (a changed ``.mo`` file needs a
restart, as with Django's own caches); ``translations_forget`` empties the memo.
"""

from __future__ import annotations

from typing import Any

from django.template.base import FilterExpression, Node, Parser, Token, Variable
from django.template.context import Context
from django.templatetags import i18n as django_i18n
from django.utils import translation
from django.utils.safestring import SafeString

# (language, message, context, autoescape) -> the tag's output. Bounded by the templates'
# literal messages times the languages; the cap only guards against a pathological template set.
_MEMO: dict[tuple[str | None, str, str | None, bool], SafeString | str] = {}
_MEMO_MAX = 20_000


def translations_forget() -> None:
    _MEMO.clear()


def _literal(expression: FilterExpression | None) -> str | None:
    """The string a filter expression stands for when it is a quoted literal without filters."""
    if expression is None or expression.filters:
        return None
    var: Any = expression.var
    if isinstance(var, str):  # a constant FilterExpression resolves its literal at parse time
        return var
    if isinstance(var, Variable) and isinstance(var.literal, str) and var.lookups is None:
        return str(var.literal)
    return None


class MemoTranslateNode(Node):
    """Django's ``TranslateNode`` for a literal message, its output remembered per language."""

    child_nodelists = ()

    def __init__(self, node: django_i18n.TranslateNode, message: str, context: str | None):
        self.node = node
        self.message = message
        self.message_context = context

    def render(self, context: Context) -> str:
        key = (translation.get_language(), self.message, self.message_context, context.autoescape)
        value = _MEMO.get(key)
        if value is None:
            value = self.node.render(context)
            if len(_MEMO) >= _MEMO_MAX:
                _MEMO.clear()
            _MEMO[key] = value
        return value


def do_translate(parser: Parser, token: Token) -> Node:
    """``{% translate %}`` / ``{% trans %}``: Django's parsing, then the memo where it can."""
    node = django_i18n.do_translate(parser, token)
    message = _literal(node.filter_expression)
    context = _literal(node.message_context)
    if node.noop or node.asvar or message is None:
        return node
    if node.message_context is not None and context is None:
        return node
    return MemoTranslateNode(node, message, context)


def install() -> None:
    """Make ``{% load i18n %}`` give every template this ``{% translate %}``."""
    django_i18n.register.tag("translate", do_translate)
    django_i18n.register.tag("trans", do_translate)
