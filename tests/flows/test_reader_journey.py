"""The reader journey over HTTP, the same story as tests/browser/test_reader_journey.py:
a reader with a verified email signs in, follows an account, likes, favourites and
comments on its article, finds it in the follow feed (/feed/) and on the /me/ pages,
downloads their data, and deletes the account: the likes, favourites and follows go with
their counts, and the comment stays, signed 已注销用户."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from zixun.accounts.models import User
from zixun.accounts.tests.factories import UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.creators import services as creator_services
from zixun.creators.models import Creator, Follow
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement import services as engagement
from zixun.engagement.models import Comment, Favorite, Like, Reading
from zixun.engagement.viewcount import view_buffer

from .steps import article_ids, page_text, signed_in

pytestmark = pytest.mark.django_db

EMAIL = "xiaohong@example.com"
USERNAME = "xiaohong"
PASSWORD = "Chun-feng-2024-du"
COMMENT = "数据很扎实，期待下一篇关于房贷利率的分析。"
# A person's browser: the view counter rightly skips bots and clients without one.
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0.0.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _empty_view_buffer():
    view_buffer.flush()
    yield
    view_buffer.flush()


def counts(article):
    article = Article.objects.get(pk=article.pk)
    return {
        "likes": article.like_count,
        "favorites": article.favorite_count,
        "comments": article.comment_count,
        "followers": Creator.objects.get(pk=article.creator_id).follower_count,
    }


def test_reader_journey(visitor, django_capture_on_commit_callbacks):
    # given: an account with two articles, another account, and a reader who was here first
    followed = CreatorFactory(name="晨读财经")
    older = ArticleFactory(creator=followed, channel=channel("money"), title="一季度存款增长放缓")
    article = ArticleFactory(creator=followed, channel=channel("money"), title="房贷利率再创新低")
    other = ArticleFactory(creator=CreatorFactory(name="夜航体育"), title="中超第五轮爆冷")
    earlier = UserFactory()
    creator_services.creator_follow(user=earlier, creator_id=followed.pk)
    engagement.article_like(user=earlier, article_id=article.pk)
    user = User.objects.create_user(username=USERNAME, email=EMAIL, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    assert counts(article) == {"likes": 1, "favorites": 0, "comments": 0, "followers": 1}
    url = article.get_absolute_url()
    assert COMMENT not in page_text(visitor, url)  # the anonymous page is cached now

    # a. Sign in with the verified email, and open the article.
    reader = signed_in(Client(headers={"User-Agent": BROWSER}), email=EMAIL, password=PASSWORD)
    assert article.title in page_text(reader, url)

    # b. 关注, 点赞, 收藏, as the page's buttons call the API: each answers with the new
    # count and state.
    follow = reverse("api:me-follow", args=[followed.pk])
    assert reader.put(follow).json() == {"active": True, "count": 2}
    assert reader.put(reverse("api:me-like", args=[article.pk])).json()["count"] == 2
    assert reader.put(reverse("api:me-favorite", args=[article.pk])).json()["count"] == 1

    # c. 跟贴: the form posts and comes back to the article with the comment on it (its
    # commit makes the article's cached pages forget their copies).
    with django_capture_on_commit_callbacks(execute=True):
        response = reader.post(
            reverse("web:comment-create", args=[article.pk]), {"body": COMMENT}, follow=True
        )
    assert response.redirect_chain[-1][0].startswith(url)
    html = response.content.decode()
    assert "跟贴已发布" in html
    assert COMMENT in html
    assert counts(article) == {"likes": 2, "favorites": 1, "comments": 1, "followers": 2}
    # and: anonymous visitors see it at once, signed with the reader's name
    html = page_text(visitor, url)
    assert COMMENT in html
    assert f"<strong>{USERNAME}</strong>" in html

    # d. The follow feed has the followed account's articles, newest first, and no other.
    assert article_ids(page_text(reader, reverse("web:feed"))) == [article.pk, older.pk]

    # e. 我的: follows, favourites, history (views are buffered: write them now), comments.
    view_buffer.flush()
    assert followed.get_absolute_url() in page_text(reader, reverse("me:follows"))
    favorites = page_text(reader, reverse("me:favorites"))
    assert article.title in favorites
    assert older.title not in favorites
    assert article.title in page_text(reader, reverse("me:history"))
    assert COMMENT in page_text(reader, reverse("me:comments"))

    # f. The data export holds all of it.
    response = reader.get(reverse("me:data"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert (data["profile"]["username"], data["profile"]["email"]) == (USERNAME, EMAIL)
    assert [f["account_id"] for f in data["follows"]] == [followed.pk]
    assert [like["article_id"] for like in data["likes"]] == [article.pk]
    assert [f["article_id"] for f in data["favorites"]] == [article.pk]
    assert [(c["article_id"], c["body"]) for c in data["comments"]] == [(article.pk, COMMENT)]
    assert [r["article_id"] for r in data["reading_history"]] == [article.pk]
    assert other.pk not in {r["article_id"] for r in data["reading_history"]}

    # g. Deleting the account needs the password and the word 注销.
    delete = reverse("me:delete")
    assert page_text(reader, delete)
    refused = reader.post(delete, {"password": PASSWORD, "confirm": "删除"})
    assert refused.status_code == 400
    assert User.objects.filter(pk=user.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = reader.post(delete, {"password": PASSWORD, "confirm": "注销"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert reader.get(reverse("me:home")).status_code == 302  # signed out

    # then: the reader's likes, favourites, follows and history are gone, with their counts
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Like.objects.filter(article=article).exclude(user=earlier).exists()
    assert not Favorite.objects.exists()
    assert list(Follow.objects.values_list("user_id", flat=True)) == [earlier.pk]
    assert not Reading.objects.exists()
    assert counts(article) == {"likes": 1, "favorites": 0, "comments": 1, "followers": 1}
    # and: the comment stays, anonymised
    comment = Comment.objects.get()
    assert (comment.user_id, comment.body, comment.status) == (None, COMMENT, "visible")
    # and: the counters agree with the rows (a full recount changes nothing)
    call_command("engagement_recount")
    assert counts(article) == {"likes": 1, "favorites": 0, "comments": 1, "followers": 1}
    # and: the comment pages show it signed 已注销用户
    html = page_text(visitor, reverse("web:comments", args=[article.pk]))
    assert COMMENT in html
    assert USERNAME not in html
    assert "<strong>已注销用户</strong>" in html


def test_a_deleted_readers_name_leaves_the_cached_article_page(
    client, visitor, django_capture_on_commit_callbacks
):
    # given: a reader's comment on an article page that is cached for visitors
    article = ArticleFactory()
    user = UserFactory(username=USERNAME)
    engagement.comment_create(user=user, article_id=article.pk, body=COMMENT)
    assert f"<strong>{USERNAME}</strong>" in page_text(visitor, article.get_absolute_url())
    # when: the reader deletes their account
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("me:delete"), {"password": "correct horse battery", "confirm": "注销"}
        )
    assert response.status_code == 302
    # then: visitors no longer see the name
    html = page_text(visitor, article.get_absolute_url())
    assert COMMENT in html
    assert USERNAME not in html
