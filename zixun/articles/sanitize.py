"""Allowlist HTML sanitizing (nh3) and plain-text conversions. No ORM here."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "code", "pre",
    "hr", "h2", "h3", "h4", "ul", "ol", "li", "a", "img", "figure", "figcaption", "table",
    "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# RFC 3986: a colon before the first "/", "?" or "#" means the URL has a scheme. Read this
# way, "ｊａｖａｓｃｒｉｐｔ:…" or "java\u200bscript:…" has one (not allowed), where a WHATWG
# parser such as nh3's sees a relative path and keeps it.
_LINK_SCHEME = re.compile(r"^([^/?#]*):")
# Images come from absolute http(s) addresses or our own uploads, never from a
# protocol-relative "//host/…" (which nh3's scheme check lets through as relative).
IMAGE_PREFIXES = ("http://", "https://", "/media/")

_BLOCK_END = re.compile(r"</(p|div|h[1-6]|li|blockquote|pre|tr|figure|figcaption)>|<br\s*/?>", re.I)
_LOOKS_LIKE_HTML = re.compile(r"<(p|br|div|img|a|strong|em|h[1-6]|ul|ol|li|span|table)\b", re.I)
_BLANK_LINES = re.compile(r"\n\s*\n+")


def image_src_allowed(src: str) -> bool:
    """Only http(s) images and our own uploads under /media/ (the Markdown path and the
    HTML import apply the same rule)."""
    lowered = src.strip().lower()
    if not lowered.startswith(IMAGE_PREFIXES):
        return False
    if lowered.startswith("/media/"):
        # Browsers resolve "..", "%2e%2e" and "\" in paths; none may climb out of /media/.
        path = unquote(lowered.split("?", 1)[0].split("#", 1)[0])
        return "\\" not in path and ".." not in path.split("/")
    return True


def link_href_allowed(href: str) -> bool:
    """Only http, https, mailto and relative links (the Markdown path and the HTML import
    apply the same rule)."""
    match = _LINK_SCHEME.match(href.strip())
    return match is None or match.group(1).lower() in ALLOWED_URL_SCHEMES


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src" and not image_src_allowed(value):
        return None
    if element == "a" and attribute == "href" and not link_href_allowed(value):
        return None
    return value


def html_sanitize(value: str) -> str:
    """Keep only allowlisted tags, attributes and URL schemes; images only from allowed sources."""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow ugc",
        strip_comments=True,
        attribute_filter=_attribute_filter,
    )


def looks_like_html(value: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(value))


def text_to_html(value: str) -> str:
    """One ``<p>`` per non-empty line, every character escaped."""
    lines = (line.strip() for line in value.splitlines())
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines if line)


def html_to_text(value: str) -> str:
    """The readable text of sanitized HTML, one line per block."""
    with_breaks = _BLOCK_END.sub("\n", value)
    text = html.unescape(nh3.clean(with_breaks, tags=set()))
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def body_from_input(value: str) -> tuple[str, str]:
    """(sanitized HTML, plain text) for a body given as plain text or as HTML."""
    if looks_like_html(value):
        body_html = html_sanitize(value)
        return body_html, html_to_text(body_html)
    text = "\n".join(line.strip() for line in value.splitlines() if line.strip())
    return text_to_html(text), text


def summary_from_text(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
