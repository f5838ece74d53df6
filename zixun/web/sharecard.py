"""The article page's share card (docs/feeds.md): Open Graph and Twitter card tags, and a
schema.org NewsArticle in JSON-LD, for chat apps, social sites and search engines.

Every URL in them is absolute, on ZIXUN_SITE_URL (``web.http.absolute_url``). The page is
converted to 繁體 after it renders (web/script.py): the meta tags' text is converted with the
page, but a ``<script>`` is left alone, so the JSON-LD is converted here for a reader who
reads 繁體 and then says so (``inLanguage``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from zixun.articles.models import Article
from zixun.creators.models import Creator
from zixun.web.http import absolute_url
from zixun.web.modes import hant_get
from zixun.web.script import json_to_hant

DESCRIPTION_MAX = 150
# What may not appear as such inside <script>: "</script>" or "<!--" in a title would end
# the element or start a comment. Escaped as JSON \u escapes, the parser reads the same string
# (django.utils.html.json_script does the same).
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_for_script(data: Any) -> SafeString:
    """``data`` as JSON that is safe to put between <script> and </script> as it is."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_JSON_SCRIPT_ESCAPES))  # noqa: S308 (escaped above)


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ShareCard:
    title: str
    description: str
    url: str  # canonical
    site_name: str
    locale: str  # og:locale, e.g. zh_CN
    published: str
    modified: str
    author_name: str
    author_url: str
    section: str
    tags: list[str]
    image: str  # absolute URL of the cover, "" without one
    image_alt: str
    image_width: int
    image_height: int
    json_ld: SafeString

    @property
    def twitter_card(self) -> str:
        return "summary_large_image" if self.image else "summary"


def share_card(request: HttpRequest, article: Article) -> ShareCard:
    """The card of a published article, as the page shows it to this reader (简体 or 繁體)."""
    creator, channel = article.creator, article.channel
    url = absolute_url(request, article.get_absolute_url())
    author_url = absolute_url(request, creator.get_absolute_url())
    description = article.summary or article.body_text[:DESCRIPTION_MAX]
    description = " ".join(description.split())
    published = article.published_at or article.created_at
    modified = max(published, article.revised_at or published)
    cover = article.cover
    image = ""
    if cover is not None:
        image = cover.full_src if "://" in cover.full_src else absolute_url(request, cover.full_src)
    hant = hant_get(request)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title,
        "description": description,
        "datePublished": _when(published),
        "dateModified": _when(modified),
        "author": {
            "@type": "Person"
            if creator.account_type == Creator.AccountType.PERSONAL
            else "Organization",
            "name": creator.name,
            "url": author_url,
        },
        "publisher": {
            "@type": "Organization",
            "name": settings.ZIXUN_SITE_NAME,
            "url": absolute_url(request, "/"),
            "logo": {
                "@type": "ImageObject",
                "url": absolute_url(request, static("web/favicon.svg")),
            },
        },
        "inLanguage": "zh-Hant" if hant else "zh-CN",
        "articleSection": channel.name,
        "keywords": list(article.tags),
        "isAccessibleForFree": True,
    }
    if image:
        data["image"] = [image]
    if hant:
        data = json_to_hant(data)
    return ShareCard(
        title=article.title,
        description=description,
        url=url,
        site_name=settings.ZIXUN_SITE_NAME,
        locale="zh_TW" if hant else "zh_CN",
        published=_when(published),
        modified=_when(modified),
        author_name=creator.name,
        author_url=author_url,
        section=channel.name,
        tags=list(article.tags),
        image=image,
        image_alt=cover.alt if cover is not None else "",
        image_width=cover.full_width if cover is not None else 0,
        image_height=cover.full_height if cover is not None else 0,
        json_ld=json_for_script(data),
    )
