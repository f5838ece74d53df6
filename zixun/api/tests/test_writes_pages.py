"""The endpoints the pages' scripts call besides the toggles: a comment's edit and delete,
分享 and 不感兴趣; and a comment made through the API on the cached article pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.api import tokens
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.errors import message_format
from zixun.creators.models import Creator
from zixun.engagement.models import Comment, Share
from zixun.engagement.services import COMMENT_EMPTY, comment_create, comment_hide
from zixun.ranking.models import Dislike
from zixun.ranking.services import HOT_ARTICLE_UNAVAILABLE

pytestmark = pytest.mark.django_db

JSON = "application/json"


def bearer(user, scopes=None) -> dict[str, Any]:
    new = tokens.token_create_personal(
        user=user, name="阅读器", scopes=scopes or list(tokens.PERSONAL_SCOPES), expires_at=None
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {new.secret}"}


def send(client: Client, method: str, url: str, body: object = None, **headers: Any):
    data = json.dumps(body) if body is not None else ""
    call = getattr(client, method.lower())
    return call(url, data=data, content_type=JSON, **headers)


def edit_url(comment: Comment) -> str:
    return reverse("api:me-comment-edit", args=[comment.pk])


def session_with_csrf(user) -> tuple[Client, dict[str, str]]:
    """A browser-like client: CSRF enforced, its token read from a page as the script does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("web:home"))
    return client, {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


# The cached article pages --------------------------------------------------------------------


def test_a_comment_through_the_api_is_on_the_cached_article_pages_at_once(
    client, writer, django_capture_on_commit_callbacks
):
    # given: the article page cached for anonymous readers, in both comment orders
    article = ArticleFactory()
    url = article.get_absolute_url()
    for query in ("", "?comments=new"):
        assert "还没有跟贴" in client.get(url + query).content.decode()
    assert "还没有跟贴" in client.get(url).content.decode()  # served from the cache
    headers = bearer(writer)
    # when: a reader comments through the API (no request of the page's host involved)
    with django_capture_on_commit_callbacks(execute=True):
        made = send(client, "POST", reverse("api:me-comment"),
                    {"article_id": article.pk, "body": "接口发的跟贴"}, **headers)  # fmt: skip
    assert made.status_code == 201
    # then: the next anonymous GET of either order shows it
    for query in ("", "?comments=new"):
        assert "接口发的跟贴" in client.get(url + query).content.decode()
    comment = Comment.objects.get()
    # and: an edit and a delete through the API show at once too
    with django_capture_on_commit_callbacks(execute=True):
        edited = send(client, "PATCH", edit_url(comment), {"body": "改过的跟贴"}, **headers)
    assert edited.status_code == 200
    page = client.get(url).content.decode()
    assert "改过的跟贴" in page
    assert "接口发的跟贴" not in page
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.delete(reverse("api:me-comment-delete", args=[comment.pk]), **headers)
    assert deleted.status_code == 204
    assert "改过的跟贴" not in client.get(url).content.decode()


def test_a_signed_in_readers_cached_page_shows_a_comment_made_elsewhere(
    writer, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    reader = Client()
    reader.force_login(UserFactory())
    assert "还没有跟贴" in reader.get(article.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(user=writer, article_id=article.pk, body="别处发的跟贴")
    assert "别处发的跟贴" in reader.get(article.get_absolute_url()).content.decode()


def test_a_comment_hidden_by_an_editor_leaves_the_cached_page(
    client, writer, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    comment = comment_create(user=writer, article_id=article.pk, body="要被屏蔽的跟贴")
    assert "要被屏蔽的跟贴" in client.get(article.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        comment_hide(comment_id=comment.pk, by=EditorFactory(), reason="广告")
    assert "要被屏蔽的跟贴" not in client.get(article.get_absolute_url()).content.decode()


# Edit and delete -----------------------------------------------------------------------------


def test_a_reader_edits_and_deletes_their_comment(client, writer):
    article = ArticleFactory()
    comment = comment_create(user=writer, article_id=article.pk, body="原来的跟贴")
    headers = bearer(writer)
    edited = send(client, "PATCH", edit_url(comment), {"body": "改过的跟贴"}, **headers)
    assert edited.status_code == 200, edited.content
    assert edited.json() == {"id": comment.pk, "article_id": article.pk, "status": "visible",
                             "held": False, "message": "跟贴已修改"}  # fmt: skip
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at is not None) == ("改过的跟贴", True)
    deleted = client.delete(reverse("api:me-comment-delete", args=[comment.pk]), **headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.DELETED
    assert Article.objects.get(pk=article.pk).comment_count == 0
    again = client.delete(reverse("api:me-comment-delete", args=[comment.pk]), **headers)
    assert again.status_code == 404
    assert Article.objects.get(pk=article.pk).comment_count == 0


def test_an_edit_under_premoderation_is_held_again(client, writer):
    article = ArticleFactory()
    comment = comment_create(user=writer, article_id=article.pk, body="原来的跟贴")
    Creator.objects.filter(pk=article.creator_id).update(comments_premoderated=True)
    edited = send(client, "PATCH", edit_url(comment), {"body": "改过的跟贴"}, **bearer(writer))
    assert edited.status_code == 200
    assert edited.json()["status"] == "pending"
    assert edited.json()["held"] is True
    assert edited.json()["message"] == "修改已提交，审核后显示"
    assert Article.objects.get(pk=article.pk).comment_count == 0


def test_another_readers_comment_is_a_404_and_nothing_changes(client, writer):
    article = ArticleFactory()
    theirs = comment_create(user=UserFactory(), article_id=article.pk, body="别人的跟贴")
    headers = bearer(writer)
    edit = send(client, "PATCH", edit_url(theirs), {"body": "改掉"}, **headers)
    delete = client.delete(reverse("api:me-comment-delete", args=[theirs.pk]), **headers)
    missing = client.delete(reverse("api:me-comment-delete", args=[theirs.pk + 1000]), **headers)
    for response in (edit, delete, missing):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    # the same answer as a comment that does not exist: nothing says it is someone's
    assert edit.json() == missing.json()
    theirs.refresh_from_db()
    assert (theirs.body, theirs.status, theirs.edited_at) == ("别人的跟贴", "visible", None)
    assert Article.objects.get(pk=article.pk).comment_count == 1


def test_edits_need_their_scope_and_refuse_bad_bodies(client, writer, settings):
    article = ArticleFactory()
    comment = comment_create(user=writer, article_id=article.pk, body="原来的跟贴")
    only_create = bearer(writer, scopes=["comments:create"])
    refused = send(client, "PATCH", edit_url(comment), {"body": "改"}, **only_create)
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    assert "comments:edit" in refused.json()["detail"]
    gone = client.delete(reverse("api:me-comment-delete", args=[comment.pk]), **only_create)
    assert gone.status_code == 403
    headers = bearer(writer, scopes=["comments:edit"])
    empty = send(client, "PATCH", edit_url(comment), {"body": "  "}, **headers)
    assert empty.status_code == 400
    assert empty.json()["detail"] == message_format(COMMENT_EMPTY)
    too_long = "长" * (settings.ZIXUN_COMMENT_MAX_CHARS + 1)
    assert (
        send(client, "PATCH", edit_url(comment), {"body": too_long}, **headers).status_code == 422
    )
    unknown = send(client, "PATCH", edit_url(comment), {"body": "改", "pinned": True}, **headers)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.payload.pinned"
    as_form = client.patch(edit_url(comment), "body=x", content_type="application/x-www-form-urlencoded", **headers)  # fmt: skip
    assert as_form.status_code == 415
    assert client.patch(reverse("api:me-comment-edit", args=[0]), "{}", content_type=JSON,
                        **headers).status_code == 422  # fmt: skip
    assert Comment.objects.get(pk=comment.pk).body == "原来的跟贴"


def test_the_session_needs_its_csrf_token_to_edit(writer):
    comment = comment_create(user=writer, article_id=ArticleFactory().pk, body="原来的跟贴")
    client, csrf = session_with_csrf(writer)
    refused = send(client, "PATCH", edit_url(comment), {"body": "改过"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert Comment.objects.get(pk=comment.pk).body == "原来的跟贴"
    assert send(client, "PATCH", edit_url(comment), {"body": "改过"}, **csrf).status_code == 200
    assert Comment.objects.get(pk=comment.pk).body == "改过"
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.delete(reverse("api:me-comment-delete", args=[comment.pk])).status_code == 401


def test_edits_and_deletes_share_the_pages_rate_limit(client, writer):
    article = ArticleFactory()
    comment = comment_create(user=writer, article_id=article.pk, body="原来的跟贴")
    client.force_login(writer)
    for n in range(20):  # the page's allowance of twenty a minute, edits and deletes together
        client.post(reverse("web:comment-edit", args=[comment.pk]), {"body": f"第{n}次修改"})
    client.logout()
    headers = bearer(writer)
    limited = send(client, "PATCH", edit_url(comment), {"body": "再改一次"}, **headers)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "秒后再试" in limited.json()["detail"]
    deleted = client.delete(reverse("api:me-comment-delete", args=[comment.pk]), **headers)
    assert deleted.status_code == 429
    assert Comment.objects.get(pk=comment.pk).body == "第19次修改"


# 分享 ----------------------------------------------------------------------------------------


def share(client: Client, article_id: int, body: object, **headers: Any):
    url = reverse("api:article-share", args=[article_id])
    return send(client, "POST", url, body, **headers)


def test_anonymous_readers_count_shares_without_a_token(writer):
    article = ArticleFactory()
    anonymous = Client(enforce_csrf_checks=True)  # a cached page has no CSRF token
    response = share(anonymous, article.pk, {"channel": "link"})
    assert response.status_code == 201, response.content
    assert response.json() == {"count": 1}
    assert share(anonymous, article.pk, {"channel": "qr"}).json() == {"count": 2}
    shares = Share.objects.order_by("pk").values_list("user_id", "channel")
    assert list(shares) == [(None, "link"), (None, "qr")]
    assert Article.objects.get(pk=article.pk).share_count == 2


def test_a_signed_in_readers_share_is_theirs_and_needs_the_csrf_token(client, writer):
    article = ArticleFactory()
    session, csrf = session_with_csrf(writer)
    refused = share(session, article.pk, {"channel": "link"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert not Share.objects.exists()
    assert share(session, article.pk, {"channel": "link"}, **csrf).status_code == 201
    reader = UserFactory()
    assert share(client, article.pk, {"channel": "qr"}, **bearer(reader)).status_code == 201
    bad_token = share(client, article.pk, {"channel": "qr"}, HTTP_AUTHORIZATION="Bearer zx_nope")
    assert bad_token.status_code == 401
    assert bad_token.json()["code"] == "invalid_token"
    assert list(Share.objects.order_by("pk").values_list("user_id", flat=True)) == [
        writer.pk, reader.pk,
    ]  # fmt: skip


def test_bad_shares_are_problems_and_count_nothing(client):
    article = ArticleFactory()
    offline = ArticleFactory(status=Article.Status.UNPUBLISHED)
    unknown = share(client, article.pk, {"channel": "fax"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.payload.channel"
    assert share(client, article.pk, {"channel": "qr", "n": 2}).status_code == 422
    assert share(client, article.pk, {}).status_code == 422
    as_form = client.post(reverse("api:article-share", args=[article.pk]), {"channel": "qr"})
    assert as_form.status_code == 415
    broken = client.post(reverse("api:article-share", args=[article.pk]), "{", content_type=JSON)
    assert broken.status_code == 400
    assert broken.json()["code"] == "invalid_json"
    for missing in (offline.pk, article.pk + 1000):
        response = share(client, missing, {"channel": "qr"})
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    assert share(client, 2**63, {"channel": "qr"}).status_code == 422
    assert not Share.objects.exists()
    assert Article.objects.get(pk=article.pk).share_count == 0


def test_shares_share_the_pages_rate_limit(client):
    article = ArticleFactory()
    for _ in range(30):  # the social buttons' form posts: thirty a minute per address
        client.post(reverse("web:share", args=[article.pk]), {"channel": "weibo"})
    limited = share(client, article.pk, {"channel": "link"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert Share.objects.count() == 30


# 不感兴趣 ------------------------------------------------------------------------------------


def dislike(client: Client, article_id: int, body: object, **headers: Any):
    return send(client, "PUT", reverse("api:me-dislike", args=[article_id]), body, **headers)


def feed_of(client: Client) -> str:
    page = client.get(reverse("web:foryou")).content.decode()
    feed = page[page.index('<ol class="feed-list">') :]
    return feed[: feed.index("</ol>")]


def test_not_interested_leaves_the_feed_at_once(client, writer):
    article = ArticleFactory(title="不想再看的文章")
    reader = Client()
    reader.force_login(writer)
    assert "不想再看的文章" in feed_of(reader)
    headers = bearer(writer, scopes=["feed:feedback"])
    response = dislike(client, article.pk, {"reason": "seen"}, **headers)
    assert response.status_code == 200, response.content
    assert response.json() == {"article_id": article.pk, "reason": "seen",
                               "message": "已减少这类推荐"}  # fmt: skip
    again = dislike(client, article.pk, {"reason": "account"}, **headers)
    assert again.json()["reason"] == "account"
    assert list(Dislike.objects.values_list("user_id", "article_id", "reason")) == [
        (writer.pk, article.pk, "account")
    ]
    assert "不想再看的文章" not in feed_of(reader)


def test_not_interested_needs_its_scope_a_reader_and_a_good_body(client, writer, creator):
    article = ArticleFactory()
    refused = dislike(client, article.pk, {"reason": "seen"}, **bearer(writer, ["articles:like"]))
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    account = tokens.token_create_for_account(
        creator=creator, by=writer, name="脚本", scopes=list(tokens.ACCOUNT_SCOPES),
        expires_at=None,
    )  # fmt: skip
    as_account = dislike(client, article.pk, {"reason": "seen"},
                         HTTP_AUTHORIZATION=f"Bearer {account.secret}")  # fmt: skip
    assert as_account.status_code == 403
    assert dislike(client, article.pk, {"reason": "seen"}).status_code == 401
    headers = bearer(writer)
    assert dislike(client, article.pk, {"reason": "bored"}, **headers).status_code == 422
    assert dislike(client, article.pk, {"reason": "seen", "x": 1}, **headers).status_code == 422
    missing = dislike(client, article.pk + 1000, {"reason": "seen"}, **headers)
    assert missing.status_code == 400
    assert missing.json()["detail"] == message_format(HOT_ARTICLE_UNAVAILABLE)
    session, csrf = session_with_csrf(writer)
    assert dislike(session, article.pk, {"reason": "seen"}).json()["code"] == "csrf_failed"
    assert not Dislike.objects.exists()
    assert dislike(session, article.pk, {"reason": "seen"}, **csrf).status_code == 200


def test_not_interested_is_rate_limited(client, writer):
    article = ArticleFactory()
    headers = bearer(writer)
    statuses = [
        dislike(client, article.pk, {"reason": "seen"}, **headers).status_code for _ in range(31)
    ]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_the_pages_script_gets_refusals_in_the_pages_language_and_script(client, writer):
    """The script asks in the page's language (Accept-Language: its <html lang>); a 繁體
    reader's problems are converted like the pages."""
    from django.utils import translation

    from zixun.web.modes import HANT, SCRIPT_COOKIE
    from zixun.web.script import text_to_hant

    article = ArticleFactory()
    client.force_login(writer)
    url = reverse("api:me-comment")
    body = {"article_id": article.pk, "body": " "}
    zh = send(client, "POST", url, body, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert zh.json()["detail"] == "跟贴不能为空"
    en = send(client, "POST", url, body, HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        assert en.json()["detail"] == message_format(COMMENT_EMPTY) != "跟贴不能为空"
    client.cookies[SCRIPT_COOKIE] = HANT
    hant = send(client, "POST", url, body, HTTP_ACCEPT_LANGUAGE="zh-Hant")
    assert hant["Content-Type"] == "application/problem+json"
    assert hant.json()["detail"] == text_to_hant("跟贴不能为空") != "跟贴不能为空"
