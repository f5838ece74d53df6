"""Exact invalidation: after every state change the next anonymous reader sees it, although the
page was served from the page cache just before (issue #15). Each change goes through its
service, its on-commit work included, as a request, the API, a command or the worker would."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.models import Article
from zixun.articles.services import drafts, publishing, review
from zixun.articles.services.checks import ArticleInput
from zixun.articles.tests.factories import channel
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement import services as engagement

pytestmark = pytest.mark.django_db

TITLE = "缓存里的原标题"


def _input(title: str = TITLE) -> ArticleInput:
    return ArticleInput(title=title, body_source="第一段正文。\n\n第二段正文。",
                        channel_id=channel("news").pk, tags=["缓存"])  # fmt: skip


@pytest.fixture
def live(writer, django_capture_on_commit_callbacks):
    """A published article of a trusted account, published as the studio does."""
    creator = CreatorFactory(is_trusted=True, name="缓存测试号")
    creator.members.add(writer)
    with django_capture_on_commit_callbacks(execute=True):
        draft = drafts.article_create(creator=creator, by=writer, data=_input())
        article = review.article_submit(article=draft, by=writer)
    return article


def _pages(article: Article) -> dict[str, str]:
    return {
        "article": article.get_absolute_url(),
        "account": reverse("web:account", args=[article.creator_id]),
        "channel": reverse("web:channel", args=["news"]),
        "home": reverse("web:home"),
    }


def _warm(client, urls) -> None:
    """Render each page, then serve it once from the cache."""
    for url in urls:
        client.get(url)
        assert client.get(url).status_code == 200, url


def _changed(capture, change: Callable[[], object]) -> None:
    with capture(execute=True):
        change()


def test_an_edit_reaches_the_article_account_channel_and_home_pages(
    client, live, writer, django_capture_on_commit_callbacks
):
    pages = _pages(live)
    _warm(client, pages.values())
    _changed(django_capture_on_commit_callbacks, lambda: drafts.article_revise(
        article=live, by=writer, data=_input("改过的新标题"), note="更正"))  # fmt: skip
    for name, url in pages.items():
        html = client.get(url).content.decode()
        assert "改过的新标题" in html, name
        assert TITLE not in html, name


def test_a_new_article_reaches_the_lists_at_once(
    client, live, writer, django_capture_on_commit_callbacks
):
    pages = _pages(live)
    del pages["article"]
    _warm(client, pages.values())

    def publish() -> None:
        draft = drafts.article_create(creator=live.creator, by=writer, data=_input("刚刚发布"))
        review.article_submit(article=draft, by=writer)

    _changed(django_capture_on_commit_callbacks, publish)
    for name, url in pages.items():
        assert "刚刚发布" in client.get(url).content.decode(), name


@pytest.mark.parametrize(
    ("change", "status"),
    [("unpublish", 404), ("takedown", 410), ("delete", 404)],
)
def test_an_article_that_goes_leaves_every_cached_page(
    client, live, writer, django_capture_on_commit_callbacks, change, status
):
    pages = _pages(live)
    _warm(client, pages.values())
    editor = EditorFactory()
    act = {
        "unpublish": lambda: publishing.article_unpublish(article=live, by=writer),
        "takedown": lambda: publishing.article_takedown(article=live, by=editor, reason="违规"),
        "delete": lambda: publishing.article_delete(article=live, by=writer),
    }[change]
    _changed(django_capture_on_commit_callbacks, act)
    assert client.get(pages.pop("article")).status_code == status
    for name, url in pages.items():
        assert TITLE not in client.get(url).content.decode(), name


def test_a_restored_article_comes_back(client, live, writer, django_capture_on_commit_callbacks):
    _changed(django_capture_on_commit_callbacks,
             lambda: publishing.article_delete(article=live, by=writer))  # fmt: skip
    url = live.get_absolute_url()
    _warm(client, [reverse("web:account", args=[live.creator_id])])
    assert client.get(url).status_code == 404
    editor = EditorFactory()
    article = Article.objects.get(pk=live.pk)
    _changed(django_capture_on_commit_callbacks,
             lambda: publishing.article_restore(article=article, by=editor))  # fmt: skip
    # restored as it was: published, on its page and in the account's list again
    assert TITLE in client.get(url).content.decode()
    assert TITLE in client.get(reverse("web:account", args=[live.creator_id])).content.decode()


def test_a_label_reaches_the_cached_page(client, live, django_capture_on_commit_callbacks):
    url = live.get_absolute_url()
    _warm(client, [url])
    editor = EditorFactory()
    _changed(django_capture_on_commit_callbacks, lambda: publishing.article_label_set(
        article=live, by=editor, label="disputed", url="https://example.com/check", note="待核实"))  # fmt: skip
    assert "fact-disputed" in client.get(url).content.decode()


def _count(html: str, toggle: str) -> str:
    marker = f'data-toggle="{toggle}"'
    start = html.index(marker)
    return html[
        html.index('<span class="count">', start) + 20 : html.index("</span></button>", start)
    ]


@pytest.mark.parametrize("toggle", ["like", "favorite"])
def test_likes_and_favourites_reach_the_cached_page_at_once(
    client, live, django_capture_on_commit_callbacks, toggle
):
    url = live.get_absolute_url()
    _warm(client, [url])
    assert _count(client.get(url).content.decode(), toggle) == "0"
    act = {"like": engagement.article_like, "favorite": engagement.article_favorite}[toggle]
    readers = [UserFactory() for _ in range(2)]
    for reader in readers:
        _changed(django_capture_on_commit_callbacks,
                 lambda r=reader: act(user=r, article_id=live.pk))  # fmt: skip
    assert _count(client.get(url).content.decode(), toggle) == "2"
    undo = {"like": engagement.article_unlike, "favorite": engagement.article_unfavorite}[toggle]
    _changed(django_capture_on_commit_callbacks,
             lambda: undo(user=readers[0], article_id=live.pk))  # fmt: skip
    assert _count(client.get(url).content.decode(), toggle) == "1"


def test_a_share_reaches_the_cached_page_at_once(client, live, django_capture_on_commit_callbacks):
    url = live.get_absolute_url()
    _warm(client, [url])
    _changed(django_capture_on_commit_callbacks,
             lambda: engagement.article_share(user=None, article_id=live.pk, channel="link"))  # fmt: skip
    html = client.get(url).content.decode()
    start = html.index('class="share-count">') + len('class="share-count">')
    assert html[start : html.index("<", start)] == "1"


def test_a_cached_hit_costs_no_query_until_a_change(
    client, live, django_assert_num_queries, django_capture_on_commit_callbacks
):
    url = live.get_absolute_url()
    _warm(client, [url])
    with django_assert_num_queries(0):
        client.get(url)
    _changed(django_capture_on_commit_callbacks,
             lambda: engagement.article_like(user=UserFactory(), article_id=live.pk))  # fmt: skip
    assert client.get(url).status_code == 200  # rendered afresh
    with django_assert_num_queries(0):
        client.get(url)  # and cached again
