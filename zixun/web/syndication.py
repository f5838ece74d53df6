"""RSS 2.0 and Atom 1.0 feeds (docs/feeds.md): the site's newest articles, a channel's, an
account's and the hot list (热榜), through Django's syndication framework.

An item carries the article's summary, and its whole sanitized body too (RSS
``content:encoded``, Atom ``content``) when its account chose 全文 in the studio
(``Creator.feed_full_text``). A feed is built once per site version and kept in the
site cache (``core.sitecache.block_get``), so a publish, an edit or a takedown shows in
every feed on its next read, and a read costs no query.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import feedgenerator, translation
from django.utils.cache import get_conditional_response
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator

from zixun.articles.models import Article
from zixun.channels.selectors import channel_get_active
from zixun.core.sitecache import block_get
from zixun.creators.selectors import creator_get
from zixun.feeds import syndication as selectors
from zixun.web.http import absolute_url

FEED_ITEMS = 30  # the first page of the lists the feeds mirror
FEED_LANGUAGE = "zh-cn"  # the articles' language (RSS <language>, Atom xml:lang)

# What XML 1.0 cannot hold at all, not even escaped: C0 controls but tab, line feed and
# carriage return, lone surrogates, U+FFFE and U+FFFF. A title may hold them (an import
# from a careless source); they are dropped from everything a feed or sitemap writes.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Links and images of a body that point into the site: a feed reader resolves them
# against nothing, so they are made absolute.
_SITE_LINK = re.compile(r'(\s(?:src|href)=")/(?!/)')


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold (escaping is the writer's)."""
    return _NOT_XML.sub("", value)


@dataclass(frozen=True)
class FeedEntry:
    title: str
    link: str
    summary: str
    content: str | None  # the full body (HTML) when the account chose 全文
    author_name: str
    author_link: str
    categories: tuple[str, ...]
    published: datetime | None
    updated: datetime | None


@dataclass(frozen=True)
class FeedSource:
    title: str
    link: str
    description: str
    feed_url: str
    entries: list[FeedEntry]


def _entry(article: Article, root: str) -> FeedEntry:
    creator, channel = article.creator, article.channel
    summary = article.summary or article.body_text[:200]
    content = None
    if creator.feed_full_text:
        body = article.body_html
        cover = article.cover
        if cover is not None and not article.cover_in_body:
            body = f'<p><img src="{escape(cover.full_src)}" alt="{escape(cover.alt)}"></p>{body}'
        content = xml_text(_SITE_LINK.sub(lambda m: f"{m.group(1)}{root}/", body))
    categories = dict.fromkeys(xml_text(c) for c in [channel.name, *article.tags] if c)
    return FeedEntry(
        title=xml_text(article.title),
        link=f"{root}{article.get_absolute_url()}",
        summary=xml_text(summary),
        content=content,
        author_name=xml_text(creator.name),
        author_link=f"{root}{creator.get_absolute_url()}",
        categories=tuple(c for c in categories if c),
        published=article.published_at,
        updated=article.revised_at or article.published_at,
    )


def _source(
    request: HttpRequest, *, title: str, link: str, description: str, articles: list[Article]
) -> FeedSource:
    root = absolute_url(request, "/").rstrip("/")
    return FeedSource(
        title=xml_text(title),
        link=f"{root}{link}",
        description=xml_text(description),
        feed_url=f"{root}{request.path}",
        entries=[_entry(article, root) for article in articles],
    )


def _site_name() -> str:
    return str(settings.ZIXUN_SITE_NAME)


def latest_source(request: HttpRequest) -> FeedSource:
    return _source(
        request,
        title=_site_name(),
        link=reverse("web:home"),
        description=_("%(site)s的最新文章") % {"site": _site_name()},
        articles=selectors.syndication_latest(limit=FEED_ITEMS),
    )


def channel_source(request: HttpRequest, slug: str) -> FeedSource:
    channel = channel_get_active(slug=slug)
    if channel is None:
        raise Http404
    return _source(
        request,
        title=f"{channel.name} - {_site_name()}",
        link=channel.get_absolute_url(),
        description=_("%(site)s%(channel)s频道的最新文章")
        % {"site": _site_name(), "channel": channel.name},
        articles=selectors.syndication_for_channel(channel=channel, limit=FEED_ITEMS),
    )


def account_source(request: HttpRequest, creator_id: int) -> FeedSource:
    creator = creator_get(creator_id=creator_id)
    if creator is None:
        raise Http404
    return _source(
        request,
        title=f"{creator.name} - {_site_name()}",
        link=creator.get_absolute_url(),
        description=creator.bio or _("%(name)s的最新文章") % {"name": creator.name},
        articles=selectors.syndication_for_creator(creator=creator, limit=FEED_ITEMS),
    )


def hot_source(request: HttpRequest) -> FeedSource:
    return _source(
        request,
        title=_("热榜 - %(site)s") % {"site": _site_name()},
        link=reverse("web:hot"),
        description=_("%(site)s热榜：此刻最受关注的文章，按热度排列") % {"site": _site_name()},
        articles=selectors.syndication_hot(limit=FEED_ITEMS),
    )


# Feed generators ---------------------------------------------------------------------------

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


class RssWithContent(feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with the full body in ``content:encoded`` when an item has one."""

    def rss_attributes(self) -> dict[str, str]:
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS}

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class AtomWithContent(feedgenerator.Atom1Feed):
    """Atom 1.0 with the full body in ``<content type="html">`` when an entry has one."""

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class ArticleFeed(Feed):  # type: ignore[type-arg]
    """One feed (``source`` builds what it holds) in RSS or Atom, cached per site version."""

    language = FEED_LANGUAGE

    def __init__(self, source: Callable[..., FeedSource], *, atom: bool) -> None:
        self.source = source
        self.feed_type = AtomWithContent if atom else RssWithContent
        self.name = f"{source.__name__}:{'atom' if atom else 'rss'}"

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        parts = [self.name, *map(str, args), *(f"{k}={v}" for k, v in sorted(kwargs.items()))]
        # Links are absolute: without ZIXUN_SITE_URL they are on the request's host.
        host = "" if settings.ZIXUN_SITE_URL else request.get_host()
        key = hashlib.sha1(f"{host}|{'|'.join(parts)}".encode(), usedforsecurity=False)

        def build() -> tuple[bytes, str, str, str]:
            # One copy for every reader: the feed's words in the site's language.
            with translation.override(settings.LANGUAGE_CODE):
                response = super(ArticleFeed, self).__call__(request, *args, **kwargs)
            etag = f'"{hashlib.sha1(response.content, usedforsecurity=False).hexdigest()}"'
            return response.content, response["Content-Type"], response["Last-Modified"], etag

        content, content_type, modified, etag = block_get(f"feed:{key.hexdigest()}", build)
        not_modified = get_conditional_response(request, etag=etag)
        response = not_modified or HttpResponse(content, content_type=content_type)
        response["ETag"] = etag
        response["Last-Modified"] = modified
        response["Cache-Control"] = f"public, max-age={settings.ZIXUN_BLOCK_CACHE_SECONDS}"
        return response

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedSource:
        return self.source(request, *args, **kwargs)

    def title(self, obj: FeedSource) -> str:
        return obj.title

    def link(self, obj: FeedSource) -> str:
        return obj.link

    def description(self, obj: FeedSource) -> str:
        return obj.description

    def subtitle(self, obj: FeedSource) -> str:  # Atom's description
        return obj.description

    def feed_url(self, obj: FeedSource) -> str:
        return obj.feed_url

    def feed_guid(self, obj: FeedSource) -> str:  # Atom's <id>: one per feed and format
        return obj.feed_url

    def items(self, obj: FeedSource) -> list[FeedEntry]:
        return obj.entries

    def item_title(self, item: FeedEntry) -> str:
        return item.title

    def item_link(self, item: FeedEntry) -> str:
        return item.link

    def item_guid(self, item: FeedEntry) -> str:
        return item.link

    def item_guid_is_permalink(self, item: FeedEntry) -> bool:
        return True

    def item_description(self, item: FeedEntry) -> str:
        return item.summary

    def item_author_name(self, item: FeedEntry) -> str:
        return item.author_name

    def item_author_link(self, item: FeedEntry) -> str:
        return item.author_link

    def item_categories(self, item: FeedEntry) -> tuple[str, ...]:
        return item.categories

    def item_pubdate(self, item: FeedEntry) -> datetime | None:
        return item.published

    def item_updateddate(self, item: FeedEntry) -> datetime | None:
        return item.updated

    def item_extra_kwargs(self, item: FeedEntry) -> dict[str, Any]:
        return {"content_html": item.content}
