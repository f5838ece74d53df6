"""The readers' endpoints: the pages' services, counters and rate limits."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zixun.api import tokens
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.errors import message_format
from zixun.creators.models import Creator, Follow
from zixun.creators.services import FOLLOW_SELF
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement.models import Comment, Favorite, Like
from zixun.engagement.services import ARTICLE_UNAVAILABLE

pytestmark = pytest.mark.django_db


def reader_headers(user, scopes=None) -> dict[str, Any]:
    new = tokens.token_create_personal(
        user=user, name="阅读器", scopes=scopes or list(tokens.PERSONAL_SCOPES), expires_at=None
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {new.secret}"}


def comment(client: Client, headers: dict[str, Any], **body: object):
    return client.post(
        reverse("api:me-comment"), data=json.dumps(body), content_type="application/json",
        **headers,
    )  # fmt: skip


def test_likes_and_favourites_move_the_same_counters_as_the_page(client, writer):
    article = ArticleFactory()
    headers = reader_headers(writer)
    liked = client.put(reverse("api:me-like", args=[article.pk]), **headers)
    assert liked.status_code == 200
    assert liked.json() == {"active": True, "count": 1}
    # repeating changes nothing
    assert client.put(reverse("api:me-like", args=[article.pk]), **headers).json()["count"] == 1
    assert Article.objects.get(pk=article.pk).like_count == 1
    # the page's button sees it and undoes it
    client.force_login(writer)
    client.post(reverse("web:like", args=[article.pk]), {"action": "off"})
    assert not Like.objects.exists()
    assert Article.objects.get(pk=article.pk).like_count == 0
    client.logout()
    favorite = client.put(reverse("api:me-favorite", args=[article.pk]), **headers)
    assert favorite.json() == {"active": True, "count": 1}
    assert Favorite.objects.filter(user=writer, article=article).exists()
    unfavorite = client.delete(reverse("api:me-unfavorite", args=[article.pk]), **headers)
    assert unfavorite.json() == {"active": False, "count": 0}
    assert Article.objects.get(pk=article.pk).favorite_count == 0


def test_follows_move_the_accounts_followers(client, writer):
    account = CreatorFactory()
    headers = reader_headers(writer)
    followed = client.put(reverse("api:me-follow", args=[account.pk]), **headers)
    assert followed.json() == {"active": True, "count": 1}
    assert Follow.objects.filter(user=writer, creator=account).exists()
    assert Creator.objects.get(pk=account.pk).follower_count == 1
    unfollowed = client.delete(reverse("api:me-unfollow", args=[account.pk]), **headers)
    assert unfollowed.json() == {"active": False, "count": 0}


def test_a_service_refusal_is_a_problem_with_its_message(client, writer, creator):
    headers = reader_headers(writer)
    own = client.put(reverse("api:me-follow", args=[creator.pk]), **headers)
    assert own.status_code == 400
    assert own.json()["detail"] == message_format(FOLLOW_SELF)
    offline = ArticleFactory(status=Article.Status.UNPUBLISHED)
    refused = client.put(reverse("api:me-like", args=[offline.pk]), **headers)
    assert refused.status_code == 400
    assert refused.json()["detail"] == message_format(ARTICLE_UNAVAILABLE)
    assert not Follow.objects.exists()
    assert not Like.objects.exists()


def test_a_comment_through_the_api_is_a_comment_like_the_pages(client, writer):
    article = ArticleFactory()
    headers = reader_headers(writer)
    response = comment(client, headers, article_id=article.pk, body="写得好，赞一个")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "visible"
    first = Comment.objects.get()
    assert Article.objects.get(pk=article.pk).comment_count == 1
    reply = comment(client, headers, article_id=article.pk, body="补充一句", reply_to=first.pk)
    assert reply.status_code == 201
    assert Comment.objects.get(pk=reply.json()["id"]).parent == first
    page = client.get(reverse("web:comments", args=[article.pk]))
    assert "写得好，赞一个" in page.content.decode()


def test_bad_comment_bodies_are_refused_and_nothing_is_stored(client, writer, settings):
    article = ArticleFactory()
    headers = reader_headers(writer)
    assert comment(client, headers, article_id=article.pk, body="x", rating=5).status_code == 422
    too_long = "长" * (settings.ZIXUN_COMMENT_MAX_CHARS + 1)
    assert comment(client, headers, article_id=article.pk, body=too_long).status_code == 422
    assert comment(client, headers, article_id=article.pk, body="   ").status_code == 400
    as_form = client.post(reverse("api:me-comment"), {"article_id": article.pk, "body": "x"},
                          **headers)  # fmt: skip
    assert as_form.status_code == 415
    assert not Comment.objects.exists()


def test_comments_share_the_pages_rate_limit(client, writer):
    article = ArticleFactory()
    headers = reader_headers(writer)
    client.force_login(writer)
    for n in range(5):  # the page's allowance of five a minute
        client.post(reverse("web:comment-create", args=[article.pk]), {"body": f"第{n}条跟贴"})
    client.logout()
    response = comment(client, headers, article_id=article.pk, body="第六条")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0
    assert Comment.objects.count() == 5


def test_likes_are_rate_limited_like_the_page(client, writer):
    article = ArticleFactory()
    headers = reader_headers(writer)
    statuses = [
        client.put(reverse("api:me-like", args=[article.pk]), **headers).status_code
        for _ in range(31)
    ]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_scopes_and_kinds_of_tokens(client, writer, creator):
    article = ArticleFactory()
    only_likes = reader_headers(writer, scopes=["articles:like"])
    assert client.put(reverse("api:me-like", args=[article.pk]), **only_likes).status_code == 200
    refused = client.put(reverse("api:me-favorite", args=[article.pk]), **only_likes)
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    account = tokens.token_create_for_account(
        creator=creator, by=writer, name="脚本", scopes=list(tokens.ACCOUNT_SCOPES),
        expires_at=None,
    )  # fmt: skip
    as_account = client.put(
        reverse("api:me-follow", args=[CreatorFactory().pk]),
        HTTP_AUTHORIZATION=f"Bearer {account.secret}",
    )
    assert as_account.status_code == 403
    assert not Favorite.objects.exists()
    assert not Follow.objects.exists()


def test_the_session_needs_its_csrf_token_and_anonymous_callers_are_401(writer):
    article = ArticleFactory()
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.put(reverse("api:me-like", args=[article.pk])).status_code == 401
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    refused = client.put(reverse("api:me-like", args=[article.pk]))
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert not Like.objects.exists()
    client.get(reverse("web:article", args=[article.pk]))
    token = client.cookies["csrftoken"].value
    liked = client.put(reverse("api:me-like", args=[article.pk]), HTTP_X_CSRFTOKEN=token)
    assert liked.json() == {"active": True, "count": 1}
