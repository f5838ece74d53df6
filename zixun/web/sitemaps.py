"""Sitemaps for search engines (docs/feeds.md) and /robots.txt, which points to them.

``/sitemap.xml`` is an index of: the pages (home, 热榜, every channel), the Google News
sitemap (the last two days' articles), and the articles and the accounts in shards by id:
shard k holds the ids in [k × N, (k + 1) × N). A shard is one primary-key range scan,
never an OFFSET, so shard 900 costs what shard 0 costs, and an article stays in the same
shard for ever (its id does not change), so every published article is in exactly one.

The XML is written here rather than with django.contrib.sitemaps, whose pages are
OFFSET pages of one queryset. Each document is built once per site version and kept in
the site cache, like the feeds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_GET

from zixun.channels.selectors import channel_list_nav
from zixun.core.sitecache import block_get
from zixun.feeds import syndication as selectors
from zixun.web.http import absolute_url
from zixun.web.syndication import FEED_LANGUAGE, xml_text

ARTICLE_SHARD = 10_000  # ids per article sitemap (the protocol allows 50,000 URLs); ~1.2 MB
ACCOUNT_SHARD = 10_000
NEWS_DAYS = 2  # Google News takes the articles of the last two days
NEWS_MAX = 1_000  # and at most 1,000 of them per sitemap

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _when(moment: datetime) -> str:
    """A W3C datetime in the site's time zone, e.g. 2026-05-01T08:00:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _url(loc: str, lastmod: datetime | None = None, extra: str = "") -> str:
    modified = f"<lastmod>{_when(lastmod)}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{modified}{extra}</url>\n"


def _urlset(urls: Iterable[str], namespaces: str = "") -> str:
    return f'{XML_DECLARATION}<urlset xmlns="{SITEMAP_NS}"{namespaces}>\n{"".join(urls)}</urlset>\n'


def _served(request: HttpRequest, name: str, build: Callable[[str], str]) -> HttpResponse:
    """The document ``name`` from the site cache (built from the site's root URL on a miss)."""
    root = absolute_url(request, "/").rstrip("/")
    # Links are absolute: without ZIXUN_SITE_URL they are on the request's host.
    host = "" if settings.ZIXUN_SITE_URL else request.get_host()
    digest = hashlib.sha1(host.encode(), usedforsecurity=False).hexdigest()[:16]
    content = block_get(f"sitemap:{name}:{digest}", lambda: build(root))
    response = HttpResponse(content, content_type="application/xml; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={settings.ZIXUN_BLOCK_CACHE_SECONDS}"
    return response


def _article_bounds() -> tuple[int, int] | None:
    return block_get("sitemap:article-bounds", lambda: [selectors.sitemap_article_bounds()])[0]


def _account_bounds() -> tuple[int, int] | None:
    return block_get("sitemap:account-bounds", lambda: [selectors.sitemap_creator_bounds()])[0]


def _shard_or_404(shard: int, bounds: tuple[int, int] | None, size: int) -> tuple[int, int]:
    """The id range of ``shard``; 404 for a shard the index does not list."""
    if shard not in selectors.sitemap_shards(bounds, size):
        raise Http404
    return shard * size, (shard + 1) * size


@require_GET
def sitemap_index(request: HttpRequest) -> HttpResponse:
    def build(root: str) -> str:
        locs = [reverse("syndication:sitemap-pages"), reverse("syndication:sitemap-news")]
        locs += [
            reverse("syndication:sitemap-articles", kwargs={"shard": shard})
            for shard in selectors.sitemap_shards(_article_bounds(), ARTICLE_SHARD)
        ]
        locs += [
            reverse("syndication:sitemap-accounts", kwargs={"shard": shard})
            for shard in selectors.sitemap_shards(_account_bounds(), ACCOUNT_SHARD)
        ]
        entries = "".join(f"<sitemap><loc>{escape(root + loc)}</loc></sitemap>\n" for loc in locs)
        return f'{XML_DECLARATION}<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n'

    return _served(request, "index", build)


@require_GET
def sitemap_pages(request: HttpRequest) -> HttpResponse:
    """The home page, 热榜 and every active channel's page."""

    def build(root: str) -> str:
        paths = [reverse("web:home"), reverse("web:hot")]
        paths += [channel.get_absolute_url() for channel in channel_list_nav()]
        return _urlset(_url(root + path) for path in paths)

    return _served(request, "pages", build)


@require_GET
def sitemap_articles(request: HttpRequest, shard: int) -> HttpResponse:
    """The published articles with ids in the shard's range, with when they last changed."""
    id_from, id_to = _shard_or_404(shard, _article_bounds(), ARTICLE_SHARD)

    def build(root: str) -> str:
        url = root + reverse("web:article", kwargs={"article_id": 1}).replace("/1/", "/{}/")
        rows = selectors.sitemap_article_rows(id_from=id_from, id_to=id_to)
        return _urlset(_url(url.format(row.id), row.lastmod) for row in rows)

    return _served(request, f"articles:{shard}", build)


@require_GET
def sitemap_accounts(request: HttpRequest, shard: int) -> HttpResponse:
    """The pages of the accounts (号) with ids in the shard's range that have articles."""
    id_from, id_to = _shard_or_404(shard, _account_bounds(), ACCOUNT_SHARD)

    def build(root: str) -> str:
        url = root + reverse("web:account", kwargs={"creator_id": 1}).replace("/1/", "/{}/")
        rows = selectors.sitemap_creator_rows(id_from=id_from, id_to=id_to)
        return _urlset(_url(url.format(row.id)) for row in rows)

    return _served(request, f"accounts:{shard}", build)


@require_GET
def sitemap_news(request: HttpRequest) -> HttpResponse:
    """Google News: the articles published in the last NEWS_DAYS days, newest first."""

    def build(root: str) -> str:
        url = root + reverse("web:article", kwargs={"article_id": 1}).replace("/1/", "/{}/")
        since = timezone.now() - timedelta(days=NEWS_DAYS)
        publication = (
            f"<news:publication><news:name>{escape(xml_text(settings.ZIXUN_SITE_NAME))}"
            f"</news:name><news:language>{FEED_LANGUAGE}</news:language></news:publication>"
        )
        urls = (
            _url(
                url.format(row.id),
                extra=f"<news:news>{publication}"
                f"<news:publication_date>{_when(row.published_at)}</news:publication_date>"
                f"<news:title>{escape(xml_text(row.title))}</news:title></news:news>",
            )
            for row in selectors.sitemap_news_rows(since=since, limit=NEWS_MAX)
        )
        return _urlset(urls, f' xmlns:news="{NEWS_NS}"')

    return _served(request, "news", build)


# Pages nobody should find through a search engine: forms, personal pages, the back office.
ROBOTS_DISALLOW = ("/admin/", "/accounts/", "/me/", "/studio/", "/editor/", "/search/")


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), ""]
    lines.append(f"Sitemap: {absolute_url(request, reverse('syndication:sitemap'))}")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
