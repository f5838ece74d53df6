"""Abuse limits and account enumeration (docs/security.md, "Abuse limits").

Each limit is filled by real requests until the next one is a 429. The limits are
allauth's (ACCOUNT_RATE_LIMITS in config/settings.py, with its defaults for sign-up and
password reset), the site's (zixun/core/ratelimit.py) and the API's (zixun/api/limits.py).
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from zixun.accounts.adapter import EMAIL_PASSWORD_MISMATCH, TOO_MANY_SIGN_IN_ATTEMPTS
from zixun.accounts.models import User
from zixun.accounts.tests.factories import UserFactory
from zixun.api.limits import READS_PER_MINUTE, WRITES_PER_MINUTE
from zixun.api.tokens import token_create_personal
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.errors import message_format
from zixun.core.ratelimit import RATE_LIMITED
from zixun.web.views.engagement import COMMENTS_PER_MINUTE

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # UserFactory's
ADDRESS = "198.51.100.20"
OTHER_ADDRESS = "203.0.113.9"
# allauth's defaults for the actions ACCOUNT_RATE_LIMITS leaves alone
SIGNUPS_PER_MINUTE_PER_ADDRESS = 20
RESETS_PER_MINUTE_PER_EMAIL = 5


def member(**fields):
    user = UserFactory(**fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(client, email, password, address=ADDRESS):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def page_without_tokens(response) -> str:
    """The page, without what differs on every request (the CSRF token) or echoes the input."""
    page = response.content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r'value="[^"]*@example\.com"', "", page)


# --- Sign-in ----------------------------------------------------------------------------


def test_sign_in_is_limited_per_account_and_address(client):
    # given five wrong passwords for one account from one address
    owner = member()
    for _ in range(5):
        assert sign_in(client, owner.email, "not the password").status_code == 200
    # when the right password comes from there next
    response = sign_in(client, owner.email, PASSWORD)
    # then it is refused with a 429 that points to the e-mailed code
    assert response.status_code == 429
    assert str(TOO_MANY_SIGN_IN_ATTEMPTS) in response.content.decode()
    assert "_auth_user_id" not in client.session
    # and the owner, from their own address, is not locked out
    assert sign_in(Client(), owner.email, PASSWORD, address=OTHER_ADDRESS).status_code == 302


def test_sign_in_is_limited_per_address_across_accounts(client):
    # given ten failed sign-ins from one address, each on another (unknown) account
    for n in range(10):
        assert sign_in(client, f"guess{n}@example.com", "not the password").status_code == 200
    # when that address tries a real account with its right password
    owner = member()
    response = sign_in(client, owner.email, PASSWORD)
    # then it is refused too
    assert response.status_code == 429
    # and the same account from another address signs in
    assert sign_in(Client(), owner.email, PASSWORD, address=OTHER_ADDRESS).status_code == 302


def test_sign_in_says_the_same_for_an_unknown_email_and_a_wrong_password(client):
    owner = member(email="owner@example.com")
    known = sign_in(client, owner.email, "not the password", address="192.0.2.1")
    unknown = sign_in(Client(), "nobody@example.com", "not the password", address="192.0.2.2")
    assert known.status_code == unknown.status_code == 200
    assert str(EMAIL_PASSWORD_MISMATCH) in known.content.decode()
    assert page_without_tokens(known) == page_without_tokens(unknown)


# --- Sign-up ----------------------------------------------------------------------------


def sign_up(client, email, username, password=PASSWORD + " 2", **extra):
    data = {"email": email, "username": username, "password1": password, "password2": password}
    return client.post(reverse("account_signup"), data, **extra)


def test_sign_up_is_limited_per_address(client):
    for n in range(SIGNUPS_PER_MINUTE_PER_ADDRESS):
        response = sign_up(client, f"new{n}@example.com", f"new{n}", REMOTE_ADDR=ADDRESS)
        assert response.status_code == 302, n
    response = sign_up(client, "one.more@example.com", "onemore", REMOTE_ADDR=ADDRESS)
    assert response.status_code == 429
    assert not User.objects.filter(email="one.more@example.com").exists()
    assert "请求太频繁" in response.content.decode()  # the site's 429 page, not allauth's English
    assert (
        sign_up(
            Client(), "elsewhere@example.com", "elsewhere", REMOTE_ADDR=OTHER_ADDRESS
        ).status_code
        == 302
    )


def test_sign_up_with_a_taken_email_looks_like_any_other(client):
    owner = member(email="taken@example.com", username="taken")
    fresh = sign_up(client, "fresh@example.com", "freshname")
    taken = sign_up(Client(), owner.email, "othername")
    # the same answer: on to "check your mail"; the owner's mail says someone tried
    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"]
    assert User.objects.filter(email=owner.email).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["fresh@example.com", "taken@example.com"]


# --- Password reset ---------------------------------------------------------------------


def reset(client, email, address=ADDRESS):
    return client.post(reverse("account_reset_password"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_answers_the_same_whether_the_email_exists(client):
    owner = member(email="owner@example.com")
    known = reset(client, owner.email)
    unknown = reset(Client(), "nobody@example.com", address=OTHER_ADDRESS)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # each address gets a mail: the reset link, or "no account here"
    assert sorted(m.to[0] for m in mail.outbox) == ["nobody@example.com", "owner@example.com"]


@pytest.mark.parametrize("email", ["owner@example.com", "nobody@example.com"])
def test_password_reset_is_limited_per_email(client, email):
    member(email="owner@example.com")
    for n in range(RESETS_PER_MINUTE_PER_EMAIL):
        assert reset(client, email, address=f"192.0.2.{n + 1}").status_code == 302
    response = reset(client, email, address="192.0.2.200")
    assert response.status_code == 429
    assert len(mail.outbox) == RESETS_PER_MINUTE_PER_EMAIL


# --- Comments, reports ------------------------------------------------------------------


def test_comments_are_limited_per_reader(client, creator):
    article = ArticleFactory(creator=creator)
    client.force_login(UserFactory())
    url = reverse("web:comment-create", args=[article.id])
    for n in range(COMMENTS_PER_MINUTE):
        assert client.post(url, {"body": f"第{n}条跟贴，内容不同。"}).status_code == 302
    response = client.post(url, {"body": "再来一条跟贴。"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    text = message_format(RATE_LIMITED, seconds=response["Retry-After"])
    assert text in response.content.decode()


def test_reports_are_limited_per_reader(client, settings, creator):
    articles = [
        ArticleFactory(creator=creator) for _ in range(settings.ZIXUN_REPORTS_PER_MINUTE + 1)
    ]
    client.force_login(UserFactory())
    for article in articles[:-1]:
        url = reverse("web:report", args=["article", article.id])
        assert client.post(url, {"reason": "spam"}).status_code == 302
    url = reverse("web:report", args=["article", articles[-1].id])
    assert client.post(url, {"reason": "spam"}).status_code == 429


# --- The API ----------------------------------------------------------------------------


def test_api_reads_are_limited_per_client(client):
    for _ in range(READS_PER_MINUTE):
        assert client.get("/api/v1/channels", REMOTE_ADDR=ADDRESS).status_code == 200
    response = client.get("/api/v1/channels", REMOTE_ADDR=ADDRESS)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    assert client.get("/api/v1/channels", REMOTE_ADDR=OTHER_ADDRESS).status_code == 200


def test_api_writes_are_limited_per_credential(client):
    """Every unsafe request counts, refused or not: a made-up token's included."""
    bearer = {"HTTP_AUTHORIZATION": "Bearer zx_madeupid_" + "x" * 43}
    for _ in range(WRITES_PER_MINUTE):
        assert client.delete("/api/v1/me/likes/1", **bearer).status_code == 401
    response = client.delete("/api/v1/me/likes/1", **bearer)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0


def test_an_api_action_has_its_own_tighter_limit(client, creator):
    user = UserFactory()
    secret = token_create_personal(
        user=user, name="脚本", scopes=["comments:create"], expires_at=None
    ).secret
    article = ArticleFactory(creator=creator)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    for n in range(COMMENTS_PER_MINUTE):
        body = {"article_id": article.id, "body": f"第{n}条跟贴，内容不同。"}
        response = client.post(
            "/api/v1/me/comments", body, content_type="application/json", **bearer
        )
        assert response.status_code == 201, response.content
    body = {"article_id": article.id, "body": "再来一条跟贴。"}
    response = client.post("/api/v1/me/comments", body, content_type="application/json", **bearer)
    assert response.status_code == 429
