"""Creator Markdown: validation and rendering to sanitized HTML. No ORM here.

Raw HTML in the source is shown as text, never parsed as tags. The rendered
HTML still goes through ``sanitize.html_sanitize`` so that a bug or a new
rule in the Markdown parser cannot open an XSS hole on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from zixun.articles.sanitize import (
    html_sanitize,
    html_to_text,
    image_src_allowed,
    link_href_allowed,
)
from zixun.core.errors import ServiceError

BODY_MAX_CHARS = 100_000

MARKDOWN_TOO_LONG = _("正文不能超过 %(limit)s 个字符")
EMPTY_BODY = _("正文不能为空")
IMAGE_ALT_MISSING = _("每张图片都需要替代文字：%(src)s")

# The article title is the page's h1; the sanitizer allows h2–h4 only.
HEADING_MIN, HEADING_MAX = 2, 4

_HEADING_TAG = re.compile(r"^h([1-6])$")


class MarkdownError(ServiceError):
    """The Markdown body cannot be accepted; the message is user-facing."""


class _Markdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
        """Allow http, https, mailto and relative URLs; refuse any other scheme."""
        return link_href_allowed(url)


_MD = _Markdown("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
_RENDERER = RendererHTML(_MD)


def markdown_render(source: str) -> tuple[str, str]:
    """(sanitized HTML, plain text) for a creator's Markdown body."""
    env: dict[str, object] = {}
    tokens = _MD.parse(source, env)
    _headings_clamp(tokens)
    _images_restrict(tokens)
    body_html = html_sanitize(_RENDERER.render(tokens, _MD.options, env))
    return body_html, html_to_text(body_html)


def markdown_images_without_alt(source: str) -> list[str]:
    """The src of every image whose alt text is empty or whitespace, in order."""
    return [
        _MD.normalizeLinkText(_src(token))
        for token in _images(_MD.parse(source))
        if not _alt_text(token).strip()
    ]


def markdown_validate(source: str) -> None:
    """Raise MarkdownError if the body is too long, blank, or has an image without alt."""
    if len(source) > BODY_MAX_CHARS:
        raise MarkdownError(MARKDOWN_TOO_LONG, limit=BODY_MAX_CHARS)
    if not source.strip():
        raise MarkdownError(EMPTY_BODY)
    missing = markdown_images_without_alt(source)
    if missing:
        raise MarkdownError(IMAGE_ALT_MISSING, src=missing[0])


def _src(image: Token) -> str:
    # markdown-it types attribute values as str | int | float; src is always a str.
    return str(image.attrGet("src") or "")


def _inline_children(tokens: Sequence[Token]) -> Iterator[list[Token]]:
    for token in tokens:
        if token.type == "inline" and token.children is not None:
            yield token.children


def _images(tokens: Sequence[Token]) -> Iterator[Token]:
    # An image inside another image's alt is rendered as alt text, so it is
    # not an image; only the top level of each inline run is walked.
    for children in _inline_children(tokens):
        yield from (child for child in children if child.type == "image")


def _alt_text(image: Token) -> str:
    parts: list[str] = []
    for child in image.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append("\n")
        elif child.type == "image":
            parts.append(_alt_text(child))
    return "".join(parts)


def _headings_clamp(tokens: Sequence[Token]) -> None:
    for token in tokens:
        match = _HEADING_TAG.match(token.tag)
        if token.type in {"heading_open", "heading_close"} and match:
            level = min(max(int(match.group(1)), HEADING_MIN), HEADING_MAX)
            token.tag = f"h{level}"


def _images_restrict(tokens: Sequence[Token]) -> None:
    """Replace images with a disallowed src by their alt text."""
    for children in _inline_children(tokens):
        for index, child in enumerate(children):
            if child.type == "image" and not image_src_allowed(_src(child)):
                children[index] = Token("text", "", 0, content=_alt_text(child))
