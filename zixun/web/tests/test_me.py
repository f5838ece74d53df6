import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zixun.accounts.models import User
from zixun.accounts.tests.factories import UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.audit.models import AuditEntry
from zixun.core.pagination import INVALID_CURSOR, Cursor
from zixun.core.ratelimit import RATE_LIMITED
from zixun.core.testing import link_walk
from zixun.creators import services as creator_services
from zixun.creators.models import Creator, Follow
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement import services as engagement
from zixun.engagement.models import Comment, Favorite, Like, Reading
from zixun.web.views.me import DELETE_NOT_CONFIRMED, DELETE_WRONG_PASSWORD

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # UserFactory's
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
LIST_PAGES = ["me:follows", "me:favorites", "me:history", "me:comments"]


@pytest.fixture
def reader(client):
    user = UserFactory(username="读者乙")
    client.force_login(user)
    return user


def titles(html):
    return re.findall(r'<a href="/article/\d+/">([^<]+)</a>', html)


@pytest.mark.parametrize(
    "name", ["me:home", *LIST_PAGES, "me:data", "me:delete", "me:history-clear"]
)
def test_every_page_needs_sign_in(client, name):
    response = client.get(reverse(name))
    if name == "me:history-clear":
        assert response.status_code == 405  # POST only
        response = client.post(reverse(name))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_home_links_to_every_page(client, reader):
    html = client.get(reverse("me:home")).content.decode()
    for name in [*LIST_PAGES, "me:data", "me:delete"]:
        assert f'href="{reverse(name)}"' in html


def test_lists_show_the_readers_own_rows(client, reader):
    # given
    article = ArticleFactory(title="我收藏的文章", creator=CreatorFactory(name="江畔号"))
    engagement.article_favorite(user=reader, article_id=article.pk)
    creator_services.creator_follow(user=reader, creator_id=article.creator_id)
    Reading.objects.create(user=reader, article=article, read_at=T0)
    engagement.comment_create(user=reader, article_id=article.pk, body="我的一条跟贴")
    other = UserFactory()
    theirs = ArticleFactory(title="别人的收藏")
    engagement.article_favorite(user=other, article_id=theirs.pk)
    engagement.comment_create(user=other, article_id=theirs.pk, body="别人的跟贴")
    # when
    pages = {name: client.get(reverse(name)).content.decode() for name in LIST_PAGES}
    # then
    assert "江畔号" in pages["me:follows"]
    assert article.creator.get_absolute_url() in pages["me:follows"]
    assert titles(pages["me:favorites"]) == ["我收藏的文章"]
    assert titles(pages["me:history"]) == ["我收藏的文章"]
    assert "我的一条跟贴" in pages["me:comments"]
    assert all("别人" not in html for html in pages.values())


def test_an_offline_article_is_listed_without_a_link(client, reader):
    article = ArticleFactory(title="下线的文章")
    engagement.article_favorite(user=reader, article_id=article.pk)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.UNPUBLISHED)
    html = client.get(reverse("me:favorites")).content.decode()
    assert "下线的文章" in html
    assert titles(html) == []


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_make_no_query_per_row(client, reader, name):
    def add_rows(n):
        for article in ArticleFactory.create_batch(n):
            engagement.article_favorite(user=reader, article_id=article.pk)
            creator_services.creator_follow(user=reader, creator_id=article.creator_id)
            Reading.objects.create(user=reader, article=article, read_at=T0)
            engagement.comment_create(user=reader, article_id=article.pk, body="跟贴")

    def queries():
        client.get(reverse(name))  # warm the block caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        return len(captured)

    add_rows(2)
    few = queries()
    add_rows(6)
    assert queries() == few


def test_history_is_keyset_paginated(client, reader, settings):
    # given
    settings.ZIXUN_PAGE_SIZE = 2
    articles = ArticleFactory.create_batch(5)
    for i, article in enumerate(articles):
        Reading.objects.create(user=reader, article=article, read_at=T0 + timedelta(hours=i))
    # when
    pages = link_walk(client, reverse("me:history"))
    # then
    assert [titles(html) for html in pages] == [
        [a.title for a in reversed(articles)][i : i + 2] for i in (0, 2, 4)
    ]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_a_bad_cursor_is_a_clear_400(client, reader, name):
    response = client.get(reverse(name), {"after": "not-a-cursor"})
    assert response.status_code == 400
    assert str(INVALID_CURSOR) in response.content.decode()


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize(
    "cursor",
    [Cursor((), 5), Cursor((3,), 5), Cursor(("2026-03-01T08:00:00+00:00",), 5)],
    ids=["review-queue", "hot-comments", "untagged-time"],
)
def test_a_cursor_of_another_list_is_a_clear_400(client, reader, name, cursor):
    response = client.get(reverse(name), {"after": cursor.encode()})
    assert response.status_code == 400
    assert str(INVALID_CURSOR) in response.content.decode()


def test_clear_history(client, reader):
    other = UserFactory()
    for article in ArticleFactory.create_batch(3):
        Reading.objects.create(user=reader, article=article, read_at=T0)
        Reading.objects.create(user=other, article=article, read_at=T0)
    response = client.post(reverse("me:history-clear"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("me:history")
    assert "已清空阅读记录（3 条）" in response.content.decode()
    assert not Reading.objects.filter(user=reader).exists()
    assert Reading.objects.filter(user=other).count() == 3


def test_data_download_is_a_json_attachment(client, reader):
    # given
    article = ArticleFactory(title="中文标题")
    engagement.article_like(user=reader, article_id=article.pk)
    engagement.comment_create(user=UserFactory(), article_id=article.pk, body="别人的跟贴")
    # when
    response = client.get(reverse("me:data"))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "中文标题" in body  # ensure_ascii=False: readable, not \\u escapes
    data = json.loads(body)
    assert data["profile"]["username"] == "读者乙"
    assert [like["title"] for like in data["likes"]] == ["中文标题"]
    assert "别人的跟贴" not in body


def test_data_download_is_rate_limited(client, reader):
    for _ in range(5):
        assert client.get(reverse("me:data")).status_code == 200
    response = client.get(reverse("me:data"))
    assert response.status_code == 429
    assert str(RATE_LIMITED).split("%")[0] in response.content.decode()


# 注销 ----------------------------------------------------------------------------------------


def test_delete_page_explains_and_lists_the_accounts_run(client, reader):
    creator = CreatorFactory(name="我运营的号")
    creator.members.add(reader)
    html = client.get(reverse("me:delete")).content.decode()
    assert "已注销用户" in html
    assert "我运营的号" in html
    assert 'name="password"' in html
    assert 'name="confirm"' in html


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"password": "wrong", "confirm": "注销"}, DELETE_WRONG_PASSWORD),
        ({"password": PASSWORD, "confirm": ""}, DELETE_NOT_CONFIRMED),
        ({"password": PASSWORD, "confirm": "删除"}, DELETE_NOT_CONFIRMED),
        ({"confirm": "注销"}, DELETE_WRONG_PASSWORD),
    ],
)
def test_delete_without_password_or_confirmation_is_400_and_deletes_nothing(
    client, reader, form, message
):
    article = ArticleFactory()
    engagement.article_like(user=reader, article_id=article.pk)
    response = client.post(reverse("me:delete"), form)
    assert response.status_code == 400
    assert str(message) in response.content.decode()
    assert User.objects.filter(pk=reader.pk).exists()
    assert Like.objects.filter(user=reader).count() == 1
    assert client.get(reverse("me:home")).status_code == 200  # still signed in


def test_delete_account(client, reader):
    # given
    username = reader.get_username()
    article = ArticleFactory()
    engagement.article_like(user=reader, article_id=article.pk)
    engagement.article_favorite(user=reader, article_id=article.pk)
    creator_services.creator_follow(user=reader, creator_id=article.creator_id)
    engagement.comment_create(user=reader, article_id=article.pk, body="我来过")
    other = UserFactory()
    engagement.article_like(user=other, article_id=article.pk)
    creator_services.creator_follow(user=other, creator_id=article.creator_id)
    # when
    response = client.post(reverse("me:delete"), {"password": PASSWORD, "confirm": " 注销 "})
    # then: signed out, home, with a message
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert "账号已注销" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("me:home")).status_code == 302
    # the account is gone and cannot sign in
    assert not User.objects.filter(username=username).exists()
    assert not client.login(username=username, password=PASSWORD)
    login = client.post(reverse("account_login"), {"login": reader.email, "password": PASSWORD})
    assert login.status_code == 200  # the form again, with an error
    # the comment stays, anonymised
    comment = Comment.objects.get(body="我来过")
    assert comment.user is None
    html = client.get(reverse("web:comments", args=[article.pk])).content.decode()
    assert "我来过" in html
    assert "已注销用户" in html
    assert username not in html
    # every counter equals its rows
    article.refresh_from_db()
    assert article.like_count == Like.objects.filter(article=article).count() == 1
    assert article.favorite_count == Favorite.objects.filter(article=article).count() == 0
    creator = Creator.objects.get(pk=article.creator_id)
    assert creator.follower_count == Follow.objects.filter(creator=creator).count() == 1
    # and the deletion is on record, without the name
    entry = AuditEntry.objects.get(action="user.delete")
    assert entry.target_id == reader.pk
    assert entry.actor_name == "已注销用户"


def test_delete_is_rate_limited(client, reader):
    for _ in range(5):
        client.post(reverse("me:delete"), {"password": "wrong", "confirm": "注销"})
    response = client.post(reverse("me:delete"), {"password": PASSWORD, "confirm": "注销"})
    assert response.status_code == 429
    assert User.objects.filter(pk=reader.pk).exists()
