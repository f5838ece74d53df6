"""RSS and Atom feeds, sitemaps and robots.txt (docs/feeds.md), at the site root."""

from django.urls import URLPattern, URLResolver, path

from zixun.web import sitemaps
from zixun.web.syndication import (
    ArticleFeed,
    account_source,
    channel_source,
    hot_source,
    latest_source,
)
from zixun.web.views import studio

app_name = "syndication"

urlpatterns: list[URLPattern | URLResolver] = [
    path("rss.xml", ArticleFeed(latest_source, atom=False), name="latest-rss"),
    path("atom.xml", ArticleFeed(latest_source, atom=True), name="latest-atom"),
    path(
        "channel/<slug:slug>/rss.xml", ArticleFeed(channel_source, atom=False), name="channel-rss"
    ),
    path(
        "channel/<slug:slug>/atom.xml", ArticleFeed(channel_source, atom=True), name="channel-atom"
    ),
    path(
        "account/<int:creator_id>/rss.xml",
        ArticleFeed(account_source, atom=False),
        name="account-rss",
    ),
    path(
        "account/<int:creator_id>/atom.xml",
        ArticleFeed(account_source, atom=True),
        name="account-atom",
    ),
    path("hot/rss.xml", ArticleFeed(hot_source, atom=False), name="hot-rss"),
    path("hot/atom.xml", ArticleFeed(hot_source, atom=True), name="hot-atom"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-pages.xml", sitemaps.sitemap_pages, name="sitemap-pages"),
    path("sitemap-news.xml", sitemaps.sitemap_news, name="sitemap-news"),
    path("sitemap-articles-<int:shard>.xml", sitemaps.sitemap_articles, name="sitemap-articles"),
    path("sitemap-accounts-<int:shard>.xml", sitemaps.sitemap_accounts, name="sitemap-accounts"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    # The studio's 全文 / 摘要 switch of an account's feeds.
    path("studio/accounts/<int:creator_id>/feed/", studio.creator_feed_set, name="studio-feed"),
]
