"""无障碍检查: what a creator's Markdown body does to readers of screen readers. No ORM here.

``accessibility_issues(body_source)`` renders the body with the site's own renderer
(``markdown.markdown_render``, so headings are already clamped to h2–h4 and images with a
refused address are already text) and reads the HTML readers will get:

- images: no alt text, an alt that says nothing (图片, photo, a file name such as
  IMG_1234.jpg, a hash, only digits), the same alt on several images, an alt too long to
  be heard as one (over :data:`ALT_MAX_CHARS`: that belongs in a caption);
- headings: the first one below h2 (the article title is the page's h1), a level
  skipped (h2 then h4), an empty one;
- links: text that says nothing out of context (点击这里, 链接, click here), a bare
  address, no text at all.

These are warnings the studio shows before publishing. The one rule publishing enforces
(every image has alt text: ``markdown.markdown_validate``) stays there.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zixun.articles.markdown import HEADING_MIN, markdown_render
from zixun.core.errors import message_format

ALT_MAX_CHARS = 150  # about 30 seconds of a screen reader; longer text wants a caption
WHERE_MAX_CHARS = 40  # a quoted alt, heading or link text is cut to this in messages

IMAGE_ALT_MISSING = _(
    "第 %(number)s 张图片（%(where)s）没有替代文字：请用一句话描述图片的内容，读屏软件会读出它（提交时也必须填写）。"
)
IMAGE_ALT_GENERIC = _(
    "第 %(number)s 张图片（%(where)s）的替代文字“%(alt)s”没有说明图片里有什么：请写出图片的内容，例如“江边晨练的人群”。"
)
IMAGE_ALT_FILE_NAME = _(
    "第 %(number)s 张图片（%(where)s）的替代文字“%(alt)s”像是文件名：请改为描述图片内容的文字。"
)
IMAGE_ALT_DIGITS = _(
    "第 %(number)s 张图片（%(where)s）的替代文字“%(alt)s”只有数字：请改为描述图片内容的文字。"
)
IMAGE_ALT_REPEATED = _("%(count)s 张图片用了相同的替代文字“%(where)s”：请分别写出每张图片的内容。")
IMAGE_ALT_TOO_LONG = _(
    "第 %(number)s 张图片（%(where)s）的替代文字有 %(length)s 个字，超过 %(limit)s 个字：请缩短为一句话，"
    "其余内容写在图片下方的正文或图注里。"
)
HEADING_FIRST_TOO_DEEP = _(
    "第一个小标题“%(where)s”是 %(level)s：正文的小标题应从 ## 开始（文章标题已是最高一级）。"
)
HEADING_SKIPPED = _(
    "小标题“%(where)s”跳过了一级（%(before)s 之后直接是 %(level)s）：请改用 %(expected)s，"
    "或补上中间一级的小标题。"
)
HEADING_EMPTY = _("第 %(where)s 个小标题是空的：请写上小标题文字，或删掉这一行的 #。")
LINK_VAGUE = _(
    "链接文字“%(where)s”离开上下文就看不出去向：请用链接指向的内容作链接文字，"
    "例如“晨江地铁运营时刻表”。"
)
LINK_BARE_URL = _(
    "链接文字是网址 %(where)s：读屏软件会逐个字符读出它，请改用说明去向的文字，"
    "写法是 [说明文字](网址)。"
)
LINK_EMPTY = _("指向 %(where)s 的链接没有文字：请写上说明去向的文字。")

# Compared after folding: NFKC, lower case, no spaces, punctuation or trailing numbers
# ("图片1", "Image 2", "【配图】" are all generic).
GENERIC_ALTS = frozenset({
    "图", "图片", "图像", "照片", "相片", "配图", "插图", "截图", "截屏", "示意图", "图示",
    "附图", "题图", "头图", "封面", "封面图", "大图", "动图", "美图", "高清图", "无", "空",
    "image", "img", "photo", "picture", "pic", "photograph", "screenshot", "figure", "fig",
    "graphic", "banner", "cover", "gif", "jpg", "jpeg", "png", "alt", "untitled", "none",
})  # fmt: skip
VAGUE_LINK_TEXTS = frozenset({
    "点击这里", "点这里", "这里", "点击", "点此", "点我", "此处", "点击此处", "请点击",
    "请点击这里", "点击链接", "链接", "这个链接", "此链接", "网址", "详情", "更多", "查看",
    "查看详情", "查看更多", "阅读全文", "阅读更多", "原文", "戳这里",
    "clickhere", "here", "link", "thislink", "more", "readmore", "clickthislink", "this",
})  # fmt: skip

_IMAGE_EXTENSION = re.compile(
    r"\.(jpe?g|png|gif|webp|bmp|svg|heic|heif|tiff?|avif|jfif)$", re.IGNORECASE
)
# Camera and phone names (IMG_1234, DSC0001, PXL_20240101_…, 微信图片_2024…), a hash or
# a UUID: names a device or a program gave, never words.
_GENERATED_NAME = re.compile(
    r"^(img|dsc[nf]?|dcim|pxl|mvimg|vid|wp|p|screenshot|屏幕截图|微信图片|mmexport|截屏)"
    r"[\s_-]*\d[\d_-]*\w*$"
    r"|^[0-9a-f]{12,}$"
    r"|^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"^[\d\s.,:/_-]+$")
_URL = re.compile(r"^(https?://|www\.)\S+$|^mailto:\S+$", re.IGNORECASE)
_TRAILING_NUMBER = re.compile(r"[\d\s._-]+$")


@dataclass(frozen=True)
class Issue:
    """One problem found: ``code`` for programs, ``message`` for the writer, ``where`` it is."""

    code: str
    text: str | Promise = field(repr=False)
    where: str
    params: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def message(self) -> str:
        """The message in the active language, naming the problem, where it is and the fix."""
        return message_format(self.text, where=self.where, **self.params)


@dataclass
class _Image:
    src: str
    alt: str


@dataclass
class _Heading:
    level: int
    text: str = ""


@dataclass
class _Link:
    href: str
    text: str = ""


class _BodyReader(HTMLParser):
    """The images, headings and links of rendered body HTML, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[_Image] = []
        self.headings: list[_Heading] = []
        self.links: list[_Link] = []
        self._heading: _Heading | None = None
        self._link: _Link | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._heading = _Heading(level=int(tag[1]))
            self.headings.append(self._heading)
        elif tag == "a":
            self._link = _Link(href=values.get("href", ""))
            self.links.append(self._link)
        elif tag == "img":
            alt = values.get("alt", "")
            self.images.append(_Image(src=values.get("src", ""), alt=alt))
            self._text(alt)  # a linked image's alt is the link's name; so in a heading

    def handle_endtag(self, tag: str) -> None:
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._heading = None
        elif tag == "a":
            self._link = None

    def handle_data(self, data: str) -> None:
        self._text(data)

    def _text(self, data: str) -> None:
        if self._heading is not None:
            self._heading.text += data
        if self._link is not None:
            self._link.text += data


def accessibility_issues(body_source: str) -> list[Issue]:
    """The accessibility problems of a Markdown body: images, then headings, then links."""
    body_html, _text = markdown_render(body_source)
    reader = _BodyReader()
    reader.feed(body_html)
    reader.close()
    return [
        *_image_issues(reader.images),
        *_heading_issues(reader.headings),
        *_link_issues(reader.links),
    ]


def _fold(text: str) -> str:
    """Lower case and NFKC, without spaces or punctuation: 【配图】 and "Image " are the same."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in folded if char.isalnum())


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _cut(text: str) -> str:
    text = _squeeze(text)
    return text if len(text) <= WHERE_MAX_CHARS else text[: WHERE_MAX_CHARS - 1] + "…"


def _file_name(src: str) -> str:
    """The last part of an image's address (what the writer recognises), or the address."""
    path = unquote(urlsplit(src).path)
    return _cut(path.rstrip("/").rsplit("/", 1)[-1] or src)


def _alt_problem(alt: str) -> tuple[str, str | Promise] | None:
    text = _squeeze(alt)
    if not text:
        return "image-alt-missing", IMAGE_ALT_MISSING
    if _DIGITS.match(text):
        return "image-alt-digits", IMAGE_ALT_DIGITS
    # A file name before the generic words: IMG_1234 is "img" and a number too.
    if _IMAGE_EXTENSION.search(text) or _GENERATED_NAME.match(text):
        return "image-alt-file-name", IMAGE_ALT_FILE_NAME
    if _fold(text) in GENERIC_ALTS or _fold(_TRAILING_NUMBER.sub("", text)) in GENERIC_ALTS:
        return "image-alt-generic", IMAGE_ALT_GENERIC
    if len(text) > ALT_MAX_CHARS:
        return "image-alt-too-long", IMAGE_ALT_TOO_LONG
    return None


def _image_issues(images: list[_Image]) -> list[Issue]:
    issues: list[Issue] = []
    fine: list[str] = []
    for number, image in enumerate(images, start=1):
        problem = _alt_problem(image.alt)
        if problem is None:
            fine.append(_squeeze(image.alt))
            continue
        code, text = problem
        params: dict[str, object] = {"number": number, "alt": _cut(image.alt)}
        if code == "image-alt-too-long":
            params.update(length=len(_squeeze(image.alt)), limit=ALT_MAX_CHARS)
        issues.append(Issue(code, text, _file_name(image.src), params))
    # An alt already reported above is not reported again for being repeated.
    counts = Counter(fine)
    for alt, count in counts.items():
        if count > 1:
            issues.append(
                Issue("image-alt-repeated", IMAGE_ALT_REPEATED, _cut(alt), {"count": count})
            )
    return issues


def _marks(level: int) -> str:
    return "#" * level


def _heading_issues(headings: list[_Heading]) -> list[Issue]:
    issues: list[Issue] = []
    previous = HEADING_MIN - 1  # the title, h1
    for number, heading in enumerate(headings, start=1):
        text = _squeeze(heading.text)
        if not text:
            issues.append(Issue("heading-empty", HEADING_EMPTY, str(number)))
        elif heading.level > previous + 1:
            if previous < HEADING_MIN:
                params: dict[str, object] = {"level": _marks(heading.level)}
                issues.append(
                    Issue("heading-first-too-deep", HEADING_FIRST_TOO_DEEP, _cut(text), params)
                )
            else:
                params = {
                    "before": _marks(previous),
                    "level": _marks(heading.level),
                    "expected": _marks(previous + 1),
                }
                issues.append(Issue("heading-skipped", HEADING_SKIPPED, _cut(text), params))
        previous = heading.level
    return issues


def _link_issues(links: list[_Link]) -> list[Issue]:
    issues: list[Issue] = []
    for link in links:
        text = _squeeze(link.text)
        if not text:
            issues.append(Issue("link-empty", LINK_EMPTY, _cut(unquote(link.href))))
        elif _fold(text) in VAGUE_LINK_TEXTS:
            issues.append(Issue("link-vague", LINK_VAGUE, _cut(text)))
        elif _URL.match(text) or text == link.href or text == unquote(link.href):
            issues.append(Issue("link-bare-url", LINK_BARE_URL, _cut(text)))
    return issues
