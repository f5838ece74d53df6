"""The page memo: an anonymous page served in the last ZIXUN_PAGE_MEMO_SECONDS comes from the
process's memory, a page this process forgets is gone from it at once, and one forgotten by
another process is gone from it within the window (docs/adr/0019-page-memo.md)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from zixun.articles.tests.factories import ArticleFactory
from zixun.core import sitecache
from zixun.core.sitecache import PAGE_MEMO_MAX_BYTES, page_memo, site_version_forget
from zixun.web import pagecache
from zixun.web.pagecache import page_cache_forget

pytestmark = pytest.mark.django_db


class CountingCache:
    """The page cache as pagecache.py sees it, counting its reads."""

    def __init__(self) -> None:
        self.reads = 0

    def get(self, key, default=None):
        self.reads += 1
        return cache.get(key, default)

    def __getattr__(self, name):
        return getattr(cache, name)


@pytest.fixture
def counting(settings, monkeypatch):
    settings.ZIXUN_PAGE_CACHE_SECONDS = 300
    settings.ZIXUN_PAGE_MEMO_SECONDS = 1.0
    spy = CountingCache()
    monkeypatch.setattr(pagecache, "cache", spy)
    return spy


@pytest.fixture
def clock(monkeypatch):
    """The memo's clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(sitecache.time, "monotonic", lambda: now[0])
    return now


def test_a_page_served_again_within_the_window_reads_no_cache(client, counting):
    url = ArticleFactory(title="记住的页面").get_absolute_url()
    first = client.get(url)
    reads = counting.reads
    again = client.get(url)
    assert again.status_code == 200
    assert again.content == first.content
    assert counting.reads == reads  # served from the process's memory


def test_without_the_memo_every_view_reads_the_cache(client, counting, settings):
    settings.ZIXUN_PAGE_MEMO_SECONDS = 0
    url = ArticleFactory(title="不记住的页面").get_absolute_url()
    client.get(url)
    reads = counting.reads
    client.get(url)
    assert counting.reads == reads + 1


def test_a_page_this_process_forgets_is_rendered_afresh_at_once(client, counting):
    article = ArticleFactory(title="旧标题")
    url = article.get_absolute_url()
    assert "旧标题" in client.get(url).content.decode()
    type(article).objects.filter(pk=article.pk).update(title="新标题")
    page_cache_forget(None, url)
    assert "新标题" in client.get(url).content.decode()


def test_a_page_another_process_forgot_is_seen_within_the_window(
    client, counting, clock, monkeypatch
):
    # given a page served, then forgotten by another process: from the shared cache, not
    # from this process's memory
    article = ArticleFactory(title="旧标题")
    url = article.get_absolute_url()
    client.get(url)
    type(article).objects.filter(pk=article.pk).update(title="新标题")
    with monkeypatch.context() as elsewhere:
        elsewhere.setattr(page_memo, "forget", lambda keys: None)
        page_cache_forget(None, url)
    # then this process serves its copy for at most the window …
    clock[0] += 0.5
    assert "旧标题" in client.get(url).content.decode()
    # … and the fresh page after it (the site version is unchanged)
    version = sitecache.site_version_get()
    clock[0] += 1.0
    assert sitecache.site_version_get() == version
    assert "新标题" in client.get(url).content.decode()


def test_a_new_site_version_is_a_new_page(client, counting):
    article = ArticleFactory(title="旧标题")
    url = article.get_absolute_url()
    client.get(url)
    type(article).objects.filter(pk=article.pk).update(title="新标题")
    sitecache.site_version_bump()
    assert "新标题" in client.get(url).content.decode()


def test_the_memo_is_bounded_and_drops_the_oldest_first(settings):
    settings.ZIXUN_PAGE_MEMO_SECONDS = 60
    page = b"x" * (PAGE_MEMO_MAX_BYTES // 8)
    for n in range(20):
        page_memo.set(f"k{n}", (page, "text/html"), len(page))
    kept = [n for n in range(20) if page_memo.get(f"k{n}") is not None]
    assert kept == list(range(12, 20))  # the newest eight fit
    too_big = b"x" * (PAGE_MEMO_MAX_BYTES // 2)
    page_memo.set("big", (too_big, "text/html"), len(too_big))
    assert page_memo.get("big") is None  # one page may not push out most of the others
    site_version_forget()  # after the cache was cleared, as between tests
    assert page_memo.get("k19") is None
