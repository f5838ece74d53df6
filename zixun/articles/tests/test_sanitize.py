"""The nh3 allowlist and the Markdown renderer against a corpus of XSS payloads."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from zixun.articles.markdown import markdown_render
from zixun.articles.sanitize import body_from_input, html_sanitize, html_to_text

PAYLOADS_FILE = Path(__file__).with_name("xss_payloads.txt")
PLACEHOLDERS = {"{NUL}": "\x00", "{TAB}": "\t", "{LF}": "\n", "{CR}": "\r", "{FF}": "\f"}

FORBIDDEN_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "form", "input",
    "button", "meta", "base", "link", "svg", "math", "noscript", "template", "xmp", "title",
    "textarea",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "background", "xlink:href"}
SAFE_URL_PREFIXES = ("http://", "https://", "mailto:", "/", "#")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
# Browsers drop C0 controls and spaces around a URL and tabs/newlines inside it.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f]+")
# WHATWG URL: without a letter-led scheme before ":", the URL is a relative path.
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:")


def payloads():
    params = []
    for number, line in enumerate(PAYLOADS_FILE.read_text(encoding="utf-8").split("\n"), 1):
        if not line or line.startswith("# "):
            continue
        for placeholder, char in PLACEHOLDERS.items():
            line = line.replace(placeholder, char)
        params.append(pytest.param(line, id=f"line{number:03d}"))
    return params


PAYLOADS = payloads()


class ElementCollector(HTMLParser):
    """Every start tag with its attributes, as a browser-like parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))


def url_is_safe(value: str) -> bool:
    cleaned = _URL_NOISE.sub("", html.unescape(value)).lower()
    for candidate in (cleaned, _URL_NOISE.sub("", unquote(cleaned))):
        if candidate.startswith(BAD_SCHEMES):
            return False
    scheme = _SCHEME.match(cleaned)
    return cleaned.startswith(SAFE_URL_PREFIXES) or scheme is None


def unsafe_parts(markup: str) -> list[str]:
    """A description of every dangerous element, attribute or URL in ``markup``."""
    collector = ElementCollector()
    collector.feed(markup)
    collector.close()
    problems = []
    for tag, attrs in collector.elements:
        if tag in FORBIDDEN_TAGS:
            problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"{name} on <{tag}>")
            if name == "style":
                problems.append(f"style on <{tag}>")
            if name in URL_ATTRIBUTES and not url_is_safe(value or ""):
                problems.append(f"{name}={value!r} on <{tag}>")
    return problems


def test_corpus_is_large_enough():
    assert len(PAYLOADS) >= 60


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_sanitize_leaves_nothing_executable(payload):
    assert unsafe_parts(html_sanitize(payload)) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_sanitize_is_stable_when_applied_twice(payload):
    """A second pass changes nothing, so no mutation is waiting for a re-parse."""
    once = html_sanitize(payload)
    assert html_sanitize(once) == once


@pytest.mark.parametrize("payload", PAYLOADS)
def test_body_from_input_leaves_nothing_executable(payload):
    body_html, _ = body_from_input(payload)
    assert unsafe_parts(body_html) == []


@pytest.mark.parametrize("template", ["{}", "[x]({})", "![x]({})", "[x](<{}>)", "<{}>"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_render_leaves_nothing_executable(payload, template):
    body_html, _ = markdown_render(template.format(payload))
    assert unsafe_parts(body_html) == []


@pytest.mark.parametrize(
    ("markup", "problem"),
    [
        ("<script>alert(1)</script>", "<script> element"),
        ('<img src="x" onerror="alert(1)">', "onerror on <img>"),
        ('<p style="color:red">x</p>', "style on <p>"),
        ('<a href="java&#x09;script:alert(1)">x</a>', "href='java\\tscript:alert(1)' on <a>"),
        ('<a href=" JAVASCRIPT:alert(1)">x</a>', "href=' JAVASCRIPT:alert(1)' on <a>"),
        ('<img src="data:image/png;base64,AA">', "src='data:image/png;base64,AA' on <img>"),
        ('<a href="ftp://x">x</a>', "href='ftp://x' on <a>"),
    ],
)
def test_the_checker_catches_what_it_looks_for(markup, problem):
    assert unsafe_parts(markup) == [problem]


@pytest.mark.parametrize(
    "url", ["https://a.example/x", "http://a.example", "mailto:a@b.c", "/media/a.png", "#h", "p/q"]
)
def test_the_checker_accepts_safe_urls(url):
    assert url_is_safe(url)


def test_allowed_tags_survive():
    markup = (
        "<p>一段<strong>加粗</strong><em>强调</em></p><h2>小标题</h2>"
        "<ul><li>甲</li></ul><blockquote>引文</blockquote><pre><code>x = 1</code></pre>"
    )
    assert html_sanitize(markup) == markup


def test_https_link_gets_rel_and_keeps_href_and_title():
    cleaned = html_sanitize(
        '<a href="https://example.com/a?b=1" title="标题" target="_blank">链接</a>'
    )
    assert cleaned == (
        '<a href="https://example.com/a?b=1" title="标题" '
        'rel="noopener noreferrer nofollow ugc">链接</a>'
    )


def test_image_keeps_src_alt_and_size():
    markup = '<img src="/media/a.png" alt="一只猫" width="640" height="480">'
    assert html_sanitize(markup) == markup


def test_table_survives_without_presentation_attributes():
    cleaned = html_sanitize(
        '<table border="1"><thead><tr><th colspan="2" style="x">表头</th></tr></thead>'
        '<tbody><tr><td rowspan="1" align="right">格</td></tr></tbody></table>'
    )
    assert cleaned == (
        '<table><thead><tr><th colspan="2">表头</th></tr></thead>'
        '<tbody><tr><td rowspan="1">格</td></tr></tbody></table>'
    )


def test_disallowed_tags_keep_their_text_but_not_their_script():
    assert html_sanitize("<div>保留文字</div><script>alert(1)</script>") == "保留文字"


def test_chinese_text_and_punctuation_survive_intact():
    text = "“资讯”平台：今天，北京气温２５℃——晴！《新闻》【快讯】……"
    assert html_sanitize(f"<p>{text}</p>") == f"<p>{text}</p>"
    assert html_to_text(html_sanitize(f"<p>{text}</p>")) == text


def test_body_from_input_escapes_plain_text():
    body_html, text = body_from_input("第一行 <script>alert(1)</script> & 5 > 3\n\n  第二行  ")
    assert body_html == (
        "<p>第一行 &lt;script&gt;alert(1)&lt;/script&gt; &amp; 5 &gt; 3</p><p>第二行</p>"
    )
    assert text == "第一行 <script>alert(1)</script> & 5 > 3\n第二行"


def test_body_from_input_sanitizes_html():
    body_html, text = body_from_input(
        '<p onclick="x()">甲</p><p>乙<img src=x onerror=alert(1)></p>'
    )
    assert body_html == "<p>甲</p><p>乙<img></p>"  # a relative src is not an allowed image
    assert text == "甲\n乙"


@pytest.mark.parametrize(
    "src",
    [
        "//evil.example/track.png",
        "///evil.example/x.png",
        " //evil.example/x.png",
        "/media/../secret.png",
        "/media/%2e%2e/secret.png",
        "/static/x.png",
        "data:image/png;base64,AAAA",
    ],
)
def test_the_import_and_markdown_refuse_the_same_image_sources(src):
    # given the same image as imported HTML and as Markdown
    imported = html_sanitize(f'<p><img src="{src}" alt="图"></p>')
    written, _text = markdown_render(f"![图]({src})")
    # then neither keeps the source: no request leaves for another host
    assert "src=" not in imported
    assert "src=" not in written


def test_allowed_image_sources_stay_on_both_paths():
    for src in ["https://img.example.cn/a.jpg", "/media/covers/2024/a.png"]:
        assert f'src="{src}"' in html_sanitize(f'<img src="{src}" alt="图">')
        assert f'src="{src}"' in markdown_render(f"![图]({src})")[0]
