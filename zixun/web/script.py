"""繁體 pages: every page is written and rendered in 简体 and converted on the server with
OpenCC (``s2t``) for a reader who chose 繁體 (the ``script`` mode, modes.py).

What a reader reads is converted: the text between tags (titles, bodies, lists, the
interface), the attributes people read (alt, title, aria-label, placeholder, the meta
descriptions) and the strings of the JSON that pages' scripts show. What a reader sends back is not: form values and the text of a
``<textarea>`` stay as stored, so that editing an article or a comment in 繁體 mode never
rewrites it. Scripts, styles, comments and anything between ``<!--keep-->`` and
``<!--/keep-->`` (the 简体 switch's own name) stay as they are.

A cached page is converted once, before it is stored under the 繁體 variant's key
(pagecache.py); other responses are converted by ``TraditionalScriptMiddleware``. OpenCC
converts a 100 KB page in about a millisecond.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import opencc
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from zixun.web.modes import hant_get

# The converter ("s2t": OpenCC's standard 繁體, no regional phrase changes).
CONVERSION = "s2t"

# Tags whose content is never converted, comments, and any other tag.
_TOKEN = re.compile(
    r"<!--keep-->.*?<!--/keep-->"
    r"|<(script|style|textarea)\b[^>]*>.*?</\1\s*>"
    r"|<!--.*?-->"
    r"|<[^>]*>",
    re.S | re.I,
)
_ATTRIBUTE = re.compile(r"""(\s[\w:.-]+)(\s*=\s*)("[^"]*"|'[^']*')""")
# Attributes a reader never reads, or whose value goes back to the server as it is.
_KEEP_ATTRIBUTES = {"value", "href", "src", "srcset", "action", "formaction", "id", "class",
                    "name", "for", "type", "style", "pattern"}  # fmt: skip
_SEPARATOR = "\x1f"  # joins the pieces of a page into one call (no valid HTML holds it)
_CJK = re.compile(r"[\u3400-\u9fff]")


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC(CONVERSION)


def text_to_hant(text: str) -> str:
    """``text`` in 繁體."""
    return _converter().convert(text) if _CJK.search(text) else text


def html_to_hant(html: str) -> str:
    """An HTML page in 繁體, with what it sends back and its code left alone."""
    pieces: list[str] = []  # the page, in order
    texts: list[int] = []  # indexes in pieces of what is converted
    at = 0

    def text(piece: str) -> None:
        if _CJK.search(piece):
            texts.append(len(pieces))
        pieces.append(piece)

    for match in _TOKEN.finditer(html):
        text(html[at : match.start()])
        token = match.group(0)
        at = match.end()
        if match.group(1) or token.startswith("<!--") or not _CJK.search(token):
            pieces.append(token)
            continue
        _tag(token, pieces, text)
    text(html[at:])
    if not texts:
        return html
    converted = _converter().convert(_SEPARATOR.join(pieces[i] for i in texts)).split(_SEPARATOR)
    if len(converted) != len(texts):  # the page holds the separator: one piece at a time
        converted = [_converter().convert(pieces[i]) for i in texts]
    for i, piece in zip(texts, converted, strict=True):
        pieces[i] = piece
    return "".join(pieces)


def _tag(tag: str, pieces: list[str], text: Callable[[str], None]) -> None:
    """A tag split so that the values of the attributes people read are converted."""
    at = 0
    for attribute in _ATTRIBUTE.finditer(tag):
        if attribute.group(1).strip().lower() in _KEEP_ATTRIBUTES:
            continue
        quoted = attribute.group(3)
        start = attribute.start(3) + 1
        pieces.append(tag[at:start])
        text(quoted[1:-1])
        at = start + len(quoted) - 2
    pieces.append(tag[at:])


def json_to_hant(value: Any) -> Any:
    """A decoded JSON value with every string in it (not the keys) in 繁體."""
    if isinstance(value, str):
        return text_to_hant(value)
    if isinstance(value, list):
        return [json_to_hant(item) for item in value]
    if isinstance(value, dict):
        return {key: json_to_hant(item) for key, item in value.items()}
    return value


def response_to_hant(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Convert an HTML response, or the JSON a page's script shows (search suggestions, the
    studio's checks, the API's answers and problems), for a reader who reads 繁體; once (the
    response is marked)."""
    content_type = response.get("Content-Type", "")
    if (
        getattr(response, "zixun_script_done", False)
        or response.streaming
        or not content_type.startswith(
            ("text/html", "application/json", "application/problem+json")
        )
    ):
        return response
    response.zixun_script_done = True  # type: ignore[attr-defined]
    if not hant_get(request):
        return response
    charset = response.charset or "utf-8"
    text = response.content.decode(charset)
    if not content_type.startswith("text/html"):
        try:
            data = json.loads(text)
        except ValueError:
            return response
        response.content = json.dumps(json_to_hant(data), ensure_ascii=False).encode(charset)
        return response
    response.content = html_to_hant(text).encode(charset)
    if translation.get_language().startswith("zh"):
        response["Content-Language"] = "zh-Hant"
    return response


class TraditionalScriptMiddleware:
    """Convert the HTML responses the page cache did not convert already."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return response_to_hant(request, self.get_response(request))
