"""The creators' endpoints: publish with images through the API alone, scopes, accounts
kept apart, bad bodies refused with nothing changed."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from zixun.accounts.tests.factories import UserFactory
from zixun.api import tokens
from zixun.articles.models import Article, Image, Revision
from zixun.articles.services.checks import TITLE_REQUIRED
from zixun.articles.tests.factories import ArticleFactory
from zixun.channels.models import Channel
from zixun.core.errors import message_format
from zixun.core.ratelimit import rate_limit_hit
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db


def _photo(size: tuple[int, int] = (800, 500)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (30, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


class Api:
    """A client that sends one token on every request."""

    def __init__(self, secret: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}

    def get(self, url: str, **extra):
        return self.client.get(url, **self.headers, **extra)

    def send(self, method: str, url: str, body: object = None, **extra):
        data = json.dumps(body) if body is not None else ""
        call = getattr(self.client, method)
        return call(url, data=data, content_type="application/json", **self.headers, **extra)

    def post(self, url: str, body: object = None, **extra):
        return self.send("post", url, body, **extra)

    def patch(self, url: str, body: object = None, **extra):
        return self.send("patch", url, body, **extra)

    def upload(self, data: bytes, alt: str = "江边的球场", **fields: object):
        form = {"file": SimpleUploadedFile("photo.jpg", data, "image/jpeg"), "alt": alt, **fields}
        return self.client.post(reverse("api:me-image-upload"), form, **self.headers)


def account_api(creator, user, scopes=None) -> Api:
    new = tokens.token_create_for_account(
        creator=creator, by=user, name="脚本", scopes=scopes or list(tokens.ACCOUNT_SCOPES),
        expires_at=None,
    )  # fmt: skip
    return Api(new.secret)


@pytest.fixture
def trusted(writer):
    creator = CreatorFactory(is_trusted=True)
    creator.members.add(writer)
    return creator


def _article_url(article_id: int, action: str = "") -> str:
    name = {"": "api:me-article", "submit": "api:me-article-submit",
            "unpublish": "api:me-article-unpublish"}[action]  # fmt: skip
    return reverse(name, args=[article_id])


def test_a_creator_publishes_an_article_with_images_through_the_api_alone(client, trusted, writer):
    api = account_api(trusted, writer)
    # given two uploaded images, one for the body and one for the cover
    figure = api.upload(_photo(), alt="江边的球场")
    assert figure.status_code == 201, figure.content
    cover = api.upload(_photo((1200, 675)), alt="比赛开始前的球场全景")
    assert cover.status_code == 201
    channel = Channel.objects.filter(is_active=True).first()
    assert channel is not None
    # when a draft is made with Markdown that references the figure and the cover
    body = f"第一段正文，写比赛。\n\n{figure.json()['markdown']}\n\n第二段正文，写赛后。"
    created = api.post(
        reverse("api:me-articles"),
        {
            "title": "江边球场迎来新赛季",
            "body_markdown": body,
            "channel_id": channel.pk,
            "tags": ["足球", "城市"],
            "cover_image_id": cover.json()["id"],
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft"
    assert created.json()["url"] is None
    article_id = created.json()["id"]
    # and submitted
    submitted = api.post(_article_url(article_id, "submit"))
    # then it is live on its page, with the figure and the cover
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "published"
    assert submitted.json()["url"].endswith(f"/article/{article_id}/")
    page = client.get(reverse("web:article", args=[article_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "江边球场迎来新赛季" in html
    assert figure.json()["path"] in html
    assert figure.json()["url"].startswith("http")
    article = Article.objects.get(pk=article_id)
    assert article.cover_alt == "比赛开始前的球场全景"
    assert article.creator == trusted


def test_an_untrusted_accounts_article_waits_for_review_and_a_schedule_needs_its_scope(
    creator, writer
):
    article = ArticleFactory(creator=creator, status=Article.Status.DRAFT, published_at=None,
                             body_source="正文一段。")  # fmt: skip
    publisher = account_api(creator, writer, scopes=["articles:publish"])
    when = (timezone.now() + timedelta(hours=2)).isoformat()
    refused = publisher.post(_article_url(article.pk, "submit"), {"scheduled_at": when})
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT
    scheduler = account_api(creator, writer, scopes=["articles:schedule"])
    response = scheduler.post(_article_url(article.pk, "submit"), {"scheduled_at": when})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"  # an editor looks first
    assert Article.objects.get(pk=article.pk).scheduled_at is not None


def test_a_scope_missing_is_a_403_and_changes_nothing(creator, writer):
    article = ArticleFactory(creator=creator, status=Article.Status.DRAFT, published_at=None)
    api = account_api(creator, writer, scopes=["articles:create"])
    response = api.patch(_article_url(article.pk), {"title": "改过的标题"})
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert "articles:edit" in response.json()["detail"]
    assert Article.objects.get(pk=article.pk).title == article.title
    assert api.upload(_photo()).status_code == 403
    assert not Image.objects.exists()


def test_a_token_of_account_a_can_do_nothing_to_account_b(writer):
    # given two accounts, each with a draft and a published article, both run by the
    # token's maker: the token, not the user, sets the limit
    a, b = CreatorFactory(is_trusted=True), CreatorFactory(is_trusted=True)
    a.members.add(writer)
    b.members.add(writer, UserFactory())
    b_draft = ArticleFactory(creator=b, status=Article.Status.DRAFT, published_at=None)
    b_live = ArticleFactory(creator=b)
    before = list(Article.objects.order_by("pk").values())
    api = account_api(a, writer)
    # when A's token tries every write endpoint on B
    for article in (b_draft, b_live):
        assert api.get(_article_url(article.pk)).status_code == 404
        assert api.patch(_article_url(article.pk), {"title": "被改了"}).status_code == 404
        assert api.post(_article_url(article.pk, "submit")).status_code == 404
        assert api.post(_article_url(article.pk, "unpublish")).status_code == 404
    created = api.post(reverse("api:me-articles"), {"title": "写到别人号上", "account_id": b.pk})
    assert created.status_code == 403
    assert created.json()["code"] == "not_a_member"
    assert api.upload(_photo(), account_id=b.pk).status_code == 403
    listed = api.get(reverse("api:me-articles")).json()["items"]
    # then nothing of B changed and nothing of B is listed
    assert list(Article.objects.order_by("pk").values()) == before
    assert not Image.objects.exists()
    assert listed == []
    # and the 404 of B's draft reads the same as an id that does not exist
    assert api.get(_article_url(b_draft.pk)).json() == api.get(_article_url(10**9)).json()


def test_a_personal_token_cannot_write_articles(writer, creator):
    personal = tokens.token_create_personal(
        user=writer, name="阅读器", scopes=list(tokens.PERSONAL_SCOPES), expires_at=None
    )
    api = Api(personal.secret)
    response = api.post(reverse("api:me-articles"), {"title": "读者令牌写稿"})
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert api.get(reverse("api:me-articles")).status_code == 403
    assert not Article.objects.exists()


def test_editing_saves_a_draft_and_revises_a_live_article(trusted, writer):
    api = account_api(trusted, writer)
    draft = api.post(reverse("api:me-articles"), {"title": "草稿", "body_markdown": "正文。"})
    draft_id = draft.json()["id"]
    saved = api.patch(_article_url(draft_id), {"summary": "新的摘要"})
    assert saved.status_code == 200
    assert saved.json()["title"] == "草稿"  # fields not sent stay
    assert saved.json()["summary"] == "新的摘要"
    live = ArticleFactory(creator=trusted, body_source="原来的正文。")
    revised = api.patch(_article_url(live.pk), {"body_markdown": "改过的正文。", "note": "改错字"})
    assert revised.status_code == 200, revised.content
    assert revised.json()["status"] == "published"
    assert Revision.objects.filter(article=live, note="改错字").exists()


def test_a_refusal_is_a_problem_with_the_services_message_and_changes_nothing(trusted, writer):
    api = account_api(trusted, writer)
    draft = api.post(reverse("api:me-articles"), {"body_markdown": "没有标题的正文。"}).json()
    response = api.post(_article_url(draft["id"], "submit"))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == message_format(TITLE_REQUIRED)
    assert Article.objects.get(pk=draft["id"]).status == Article.Status.DRAFT
    # a live article cannot be submitted again: a conflict
    live = ArticleFactory(creator=trusted)
    assert api.post(_article_url(live.pk, "submit")).status_code == 409


def test_unpublish_takes_a_live_article_offline(trusted, writer):
    live = ArticleFactory(creator=trusted)
    api = account_api(trusted, writer, scopes=["articles:unpublish"])
    response = api.post(_article_url(live.pk, "unpublish"))
    assert response.status_code == 200
    assert response.json()["status"] == "unpublished"
    assert api.post(_article_url(live.pk, "unpublish")).status_code == 409


def test_the_accounts_articles_are_listed_with_a_cursor(trusted, writer):
    for n in range(5):
        ArticleFactory(creator=trusted, status=Article.Status.DRAFT, title=f"草稿{n}",
                       published_at=None)  # fmt: skip
    ArticleFactory()  # another account's
    api = account_api(trusted, writer)
    first = api.get(reverse("api:me-articles"), data={"limit": 3}).json()
    assert len(first["items"]) == 3
    second = api.get(reverse("api:me-articles"), data={"limit": 3, "cursor": first["next_cursor"]})
    assert [item["title"] for item in second.json()["items"]] == ["草稿1", "草稿0"]
    assert second.json()["next_cursor"] is None


def test_session_writes_need_the_csrf_token(trusted, writer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    api = Api(client=client)
    refused = api.post(reverse("api:me-articles"), {"title": "会话写稿"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert not Article.objects.exists()
    # with the page's token (cookie + header) it goes through
    client.get(reverse("web:studio"))
    token = client.cookies["csrftoken"].value
    accepted = api.post(reverse("api:me-articles"), {"title": "会话写稿"}, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201, accepted.content
    # reads need no CSRF token
    assert api.get(reverse("api:me-articles")).status_code == 200


def test_a_10_mb_body_is_413_and_nothing_is_stored(trusted, writer):
    api = account_api(trusted, writer)
    huge = {"title": "大", "body_markdown": "字" * (10 * 1024 * 1024 // 3)}
    response = api.post(reverse("api:me-articles"), huge)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    big_image = b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024 + 100 * 1024)
    assert api.upload(big_image).status_code == 413
    assert not Article.objects.exists()
    assert not Image.objects.exists()


def test_a_wrong_content_type_is_415(trusted, writer):
    api = account_api(trusted, writer)
    response = api.client.post(
        reverse("api:me-articles"), data="title=x", content_type="text/plain", **api.headers
    )
    assert response.status_code == 415
    as_json = api.client.post(
        reverse("api:me-image-upload"), data=json.dumps({"alt": "x"}),
        content_type="application/json", **api.headers,
    )  # fmt: skip
    assert as_json.status_code == 415
    assert not Article.objects.exists()


def test_unknown_fields_and_bad_values_are_422(trusted, writer):
    api = account_api(trusted, writer)
    unknown = api.post(reverse("api:me-articles"), {"title": "x", "status": "published"})
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "validation_failed"
    assert api.post(reverse("api:me-articles"), {"title": "长" * 500}).status_code == 422
    assert api.post(reverse("api:me-articles"), {"channel_id": 2**70}).status_code == 422
    assert api.post(reverse("api:me-articles"), ["not", "an", "object"]).status_code == 422
    assert api.get(_article_url(2**63)).status_code in {404, 422}
    assert not Article.objects.exists()


def test_an_image_needs_alt_text_and_real_image_bytes(trusted, writer):
    api = account_api(trusted, writer)
    assert api.upload(_photo(), alt="  ").status_code == 400
    not_an_image = api.upload(b"<svg onload=alert(1)>", alt="图")
    assert not_an_image.status_code == 400
    assert not_an_image.json()["detail"]
    assert not Image.objects.exists()


def test_uploads_share_the_studios_rate_limit(trusted, writer):
    api = account_api(trusted, writer, scopes=["images:upload"])
    for _ in range(20):  # the studio's upload allowance used up
        rate_limit_hit(scope="upload", who=f"u{writer.pk}", per_minute=20)
    response = api.upload(_photo())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert not Image.objects.exists()
