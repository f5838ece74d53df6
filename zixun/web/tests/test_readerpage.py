"""Signed-in readers get the cached page with their own parts filled in (ADR 0012)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.tests.factories import ArticleFactory
from zixun.engagement import services as engagement
from zixun.web.readerpage import mark

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def like_button(page):
    return re.search(r'data-toggle="like".*?</form>', page, re.DOTALL).group(0)


def test_a_warm_signed_in_page_costs_one_query_and_one_cache_read(
    django_assert_num_queries, monkeypatch
):
    # given an article whose reader page is cached
    article, reader = ArticleFactory(), UserFactory()
    engagement.article_like(user=reader, article_id=article.pk)
    client = signed_in(reader)
    client.get(article.get_absolute_url())
    reads = count_cache_reads(monkeypatch)
    # when the reader opens it again, then: the user row with the reader's state
    with django_assert_num_queries(1):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    # and one cache read for the session and the page together
    assert reads == [("get_many", 2)], reads
    assert 'aria-pressed="true"' in like_button(response.content.decode())


def count_cache_reads(monkeypatch):
    """The page cache's reads (the session's too: the same cache), as (method, keys)."""
    from django.core.cache import cache

    reads, inside = [], []
    get, get_many = cache.get, cache.get_many

    def spy_get(key, *args, **kwargs):
        if not inside:  # not a get_many made of gets (the local-memory cache's)
            reads.append(("get", key))
        return get(key, *args, **kwargs)

    def spy_get_many(keys, *args, **kwargs):
        reads.append(("get_many", len(keys)))
        inside.append(True)
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(cache, "get", spy_get)
    monkeypatch.setattr(cache, "get_many", spy_get_many)
    return reads


def test_a_reader_whose_account_and_cookie_disagree_gets_their_own_modes_and_state():
    # given a reader whose account says 关怀版 while this browser's cookie does not, so the
    # page read ahead with the session (keyed by the cookies) is not theirs
    article = ArticleFactory()
    reader = UserFactory(care_mode=True)
    engagement.article_favorite(user=reader, article_id=article.pk)
    signed_in(UserFactory()).get(article.get_absolute_url())  # the plain variant, cached
    client = signed_in(reader)
    for _ in range(2):  # rendered, then from the cache
        client.cookies.pop("zixun_care", None)  # the response sets it; this browser drops it
        page = client.get(article.get_absolute_url()).content.decode()
        assert 'class="care-bar"' in page
        favorite = re.search(r'data-toggle="favorite".*?</form>', page, re.DOTALL).group(0)
        assert 'aria-pressed="true"' in favorite


def test_each_reader_sees_their_own_state_name_and_token():
    # given two readers, one of whom liked the article
    article = ArticleFactory()
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    engagement.article_like(user=alice, article_id=article.pk)
    bob_client = signed_in(bob)
    bob_page = bob_client.get(article.get_absolute_url()).content.decode()  # fills the cache
    alice_page = signed_in(alice).get(article.get_absolute_url()).content.decode()
    # then each page shows its reader's button state, count, name and nothing left marked
    assert 'aria-pressed="true"' in like_button(alice_page)
    assert 'aria-pressed="false"' in like_button(bob_page)
    assert '<span class="count">1</span>' in like_button(bob_page)
    assert "alice" in alice_page
    assert "alice" not in bob_page
    assert mark("") not in alice_page
    assert mark("") not in bob_page
    # and the form token in bob's page is a real one: the like goes through CSRF checks
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', bob_page).group(1)
    response = bob_client.post(
        reverse("web:like", args=[article.pk]), {"action": "on", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert 'aria-pressed="true"' in like_button(
        bob_client.get(article.get_absolute_url()).content.decode()
    )


def test_own_comment_tools_and_the_editor_link_are_for_their_owner_only():
    # given a comment by alice, and an editor who reads the page first
    article = ArticleFactory()
    alice = UserFactory(username="alice")
    comment = engagement.comment_create(user=alice, article_id=article.pk, body="我的跟贴")
    editor_page = signed_in(EditorFactory()).get(article.get_absolute_url()).content.decode()
    alice_page = signed_in(alice).get(article.get_absolute_url()).content.decode()
    edit_url = reverse("web:comment-edit", args=[comment.pk])
    # then only alice can edit her comment, and only the editor sees the editor's link
    assert edit_url in alice_page
    assert edit_url not in editor_page
    assert reverse("web:editor") in editor_page
    assert reverse("web:editor") not in alice_page
    assert reverse("web:comment-create", args=[article.pk]) in alice_page  # may reply


def test_a_message_for_the_reader_is_shown_by_a_full_render():
    # given a cached reader page
    article, reader = ArticleFactory(), UserFactory()
    client = Client()
    client.force_login(reader)
    client.get(article.get_absolute_url())
    # when a form post leaves a message (a comment without JS)
    response = client.post(
        reverse("web:comment-create", args=[article.pk]), {"body": "写得好"}, follow=True
    )
    # then the next page shows it, and the comment
    page = response.content.decode()
    assert 'class="messages"' in page
    assert "写得好" in page


def test_a_publish_elsewhere_starts_a_new_page_for_signed_in_readers_too():
    article, reader = ArticleFactory(title="第一篇"), UserFactory()
    client = signed_in(reader)
    client.get(article.get_absolute_url())
    newer = ArticleFactory(title="同频道新文章", channel=article.channel)
    from zixun.core.sitecache import site_version_bump

    site_version_bump()  # what the publish pipeline does
    assert newer.title in client.get(article.get_absolute_url()).content.decode()


def test_a_split_page_keeps_each_owners_part_and_fills_every_marker(rf):
    # given a page with a marker inside one reader's part and one outside any
    from zixun.web.readerpage import own_mark, page_fill, page_split

    own = own_mark()
    html = (
        f"<p>{mark('name')}</p><!--{own}:7--><form>{mark('csrf')}</form><!--/{own}-->"
        f"<!--{own}:editor--><a>审核</a><!--/{own}--><i>{mark('like-count')}</i>"
    )
    parts = page_split(html)
    reader, other = UserFactory(pk=7, username="seven"), UserFactory(username="other")
    request = rf.get("/")
    # when it is filled for its owner and for another reader
    mine = page_fill(parts, request=request, user=reader, meta={})
    theirs = page_fill(parts, request=request, user=other, meta={})
    # then the owner gets the form with a token, the other reader nothing of it
    assert mine.startswith("<p>seven</p><form>")
    assert "<form>" not in theirs
    assert "审核" not in mine
    assert mark("") not in mine
    assert mark("") not in theirs
