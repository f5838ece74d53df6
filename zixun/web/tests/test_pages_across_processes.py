"""What one process changes, every other process's cached pages show within a second.

The embedded default keeps its pages in each process's memory: the site version lives in the
shared cache (``core/sitecache.py``) and what a process forgets is written to the forget log
(``web/pagecache.py``), which the others read. With Redis the pages themselves are shared, and
the same tests hold. "Another process" here is a `manage.py shell`, as another worker or a
command would be; it changes nothing in the database (it could not see this test's
transaction), only what the change's commit does to the caches.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.core import sitecache
from zixun.core.testing import in_another_process
from zixun.web import pagecache

pytestmark = pytest.mark.django_db


def after_the_memo(served: float) -> None:
    """With Redis the pages are shared, and a page another process forgot leaves this one's
    memo of it (the pages it served last) within ZIXUN_PAGE_MEMO_SECONDS of serving it (ADR
    0019); the embedded default's forget log acts at once, so nothing is waited for there."""
    if not isinstance(caches["default"], LocMemCache):
        time.sleep(max(0.0, served + settings.ZIXUN_PAGE_MEMO_SECONDS - time.monotonic()))


def forgotten_elsewhere(*paths: str) -> None:
    in_another_process(
        f"from zixun.web.pagecache import page_cache_forget\npage_cache_forget(None, *{paths!r})\n"
    )


@pytest.fixture
def cached(settings, monkeypatch):
    """Pages cached for long, and the once-a-second looks made due on every request."""
    settings.ZIXUN_PAGE_CACHE_SECONDS = 300
    settings.ZIXUN_PAGE_MEMO_SECONDS = 1.0
    pagecache.cache.clear()
    monkeypatch.setattr(sitecache, "SITE_VERSION_MEMO_SECONDS", 0.0)
    monkeypatch.setattr(pagecache, "FORGET_CHECK_SECONDS", 0.0)
    monkeypatch.setattr(pagecache, "_forget_seen", [])  # as in a process just started


local_pages_only = pytest.mark.skipif(
    not isinstance(caches["default"], LocMemCache),
    reason="the forget log is for pages kept in each process (no REDIS_URL)",
)


def retitle(article: Article, title: str) -> None:
    """Change the title under the cache, as a write no receiver hears of would."""
    Article.objects.filter(pk=article.pk).update(title=title)


def test_a_publish_or_takedown_in_another_process_starts_a_new_site_version_here(client, cached):
    article = ArticleFactory(title="旧的标题")
    url = article.get_absolute_url()
    assert "旧的标题" in client.get(url).content.decode()
    retitle(article, "新的标题")
    assert "旧的标题" in client.get(url).content.decode()  # cached
    # when another worker (or a command) bumps the site version, as a publish, an edit or a
    # takedown does on commit
    in_another_process("from zixun.core.sitecache import site_version_bump\nsite_version_bump()\n")
    # then this process renders the page again
    assert "新的标题" in client.get(url).content.decode()


def test_a_page_another_process_forgot_is_rendered_again_here(client, cached):
    article = ArticleFactory(title="评论之前")
    other = ArticleFactory(title="别的文章")
    url, other_url = article.get_absolute_url(), other.get_absolute_url()
    client.get(url), client.get(other_url)
    served = time.monotonic()
    retitle(article, "评论之后")
    retitle(other, "别的文章改了")
    # when another worker forgets the article's page (a new comment, a counter)
    forgotten_elsewhere(url, url + "?comments=new")
    after_the_memo(served)
    # then this process shows the page anew, and keeps the others it has
    assert "评论之后" in client.get(url).content.decode()
    assert "别的文章改了" not in client.get(other_url).content.decode()


def test_a_signed_in_readers_page_forgotten_elsewhere_is_filled_from_a_new_render(client, cached):
    article = ArticleFactory(title="读者看到的")
    url = article.get_absolute_url()
    client.force_login(UserFactory())
    assert "读者看到的" in client.get(url).content.decode()  # the reader variant, cached
    retitle(article, "读者的新评论")
    forgotten_elsewhere(url)
    assert "读者的新评论" in client.get(url).content.decode()


@local_pages_only
def test_a_process_behind_by_more_than_the_log_drops_all_its_pages(client, cached, monkeypatch):
    monkeypatch.setattr(pagecache, "FORGET_SLOTS", 4)
    article = ArticleFactory(title="落后之前")
    url = article.get_absolute_url()
    client.get(url)
    retitle(article, "落后之后")
    # five forgets of other pages, more than the log keeps
    in_another_process(
        "from zixun.web import pagecache\n"
        "pagecache.FORGET_SLOTS = 4\n"
        "for n in range(5):\n"
        "    pagecache.page_cache_forget(None, f'/elsewhere/{n}/')\n"
    )
    assert "落后之后" in client.get(url).content.decode()


@local_pages_only
def test_a_forget_whose_paths_cannot_be_read_drops_all_pages(client, cached):
    article = ArticleFactory(title="读不到之前")
    url = article.get_absolute_url()
    client.get(url)
    retitle(article, "读不到之后")
    # the number moved, but its slot is not (yet) there: a writer between its two steps
    shared = caches["shared"]
    shared.add(pagecache.FORGET_SEQ_KEY, 0, None)
    shared.incr(pagecache.FORGET_SEQ_KEY)
    assert "读不到之后" in client.get(url).content.decode()


@local_pages_only
def test_within_the_window_a_process_does_not_read_the_log(client, cached, monkeypatch):
    monkeypatch.setattr(pagecache, "FORGET_CHECK_SECONDS", 3600.0)
    article = ArticleFactory(title="窗口之内")
    url = article.get_absolute_url()
    client.get(url)
    client.get(url)  # the process has looked at the log now
    retitle(article, "窗口之后")
    forgotten_elsewhere(url)
    assert "窗口之内" in client.get(url).content.decode()  # not looked at yet
    pagecache._forget_seen[1] -= 3600.0  # the window has passed
    assert "窗口之后" in client.get(url).content.decode()
