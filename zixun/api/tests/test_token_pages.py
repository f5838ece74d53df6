"""The token pages: 创作者令牌 in the studio, 读者令牌 on 我的."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zixun.accounts.tests.factories import UserFactory
from zixun.api import tokens
from zixun.api.models import ApiToken
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'value="(zx_[a-z0-9]{8}_[A-Za-z0-9_-]{43})"')


def _create(client, creator, **fields):
    form = {
        "creator": creator.pk,
        f"c{creator.pk}-name": "发稿脚本",
        f"c{creator.pk}-scopes": ["articles:create", "images:upload"],
        f"c{creator.pk}-expiry": "90",
        **fields,
    }
    return client.post(reverse("web:studio-tokens"), form)


def test_the_studio_and_me_link_to_their_token_pages(client, writer, creator):
    client.force_login(writer)
    assert reverse("web:studio-tokens") in client.get(reverse("web:studio")).content.decode()
    assert reverse("me:tokens") in client.get(reverse("me:home")).content.decode()


def test_an_account_token_is_shown_once_and_works(client, writer, creator):
    client.force_login(writer)
    # when
    response = _create(client, creator)
    # then the secret is on the answer, once, and the page is not stored anywhere
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = SECRET.search(response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.creator == creator
    assert token.user == writer
    assert token.scopes == ["articles:create", "images:upload"]
    assert token.expires_at is not None
    page = client.get(reverse("web:studio-tokens")).content.decode()
    assert secret not in page
    assert "发稿脚本" in page
    assert f"zx_{token.public_id}_" in page
    me = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.json()["account_id"] == creator.pk


def test_a_bad_form_makes_nothing(client, writer, creator):
    client.force_login(writer)
    response = _create(client, creator, **{f"c{creator.pk}-scopes": []})
    assert response.status_code == 400
    response = _create(client, creator, **{f"c{creator.pk}-scopes": ["articles:like"]})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_only_the_accounts_members_make_and_revoke_its_tokens(client, writer, creator):
    other = CreatorFactory()
    client.force_login(writer)
    assert _create(client, other).status_code == 404
    assert not ApiToken.objects.exists()
    owner = UserFactory()
    other.members.add(owner)
    foreign = tokens.token_create_for_account(
        creator=other, by=owner, name="别人的", scopes=["articles:create"], expires_at=None
    )
    revoke = reverse("web:studio-token-revoke", args=[foreign.token.pk])
    assert client.post(revoke).status_code == 404
    assert ApiToken.objects.get(pk=foreign.token.pk).revoked_at is None


def test_a_member_revokes_an_account_token(client, writer, creator):
    colleague = UserFactory()
    creator.members.add(colleague)
    new = tokens.token_create_for_account(
        creator=creator, by=colleague, name="同事的脚本", scopes=["articles:create"],
        expires_at=None,
    )  # fmt: skip
    client.force_login(writer)
    page = client.get(reverse("web:studio-tokens")).content.decode()
    assert "同事的脚本" in page
    response = client.post(reverse("web:studio-token-revoke", args=[new.token.pk]), follow=True)
    assert "已撤销" in response.content.decode()
    assert ApiToken.objects.get().revoked_by == writer
    assert (
        client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {new.secret}").status_code == 401
    )


def test_a_reader_makes_and_revokes_a_personal_token(client, writer):
    client.force_login(writer)
    response = client.post(
        reverse("me:tokens"),
        {"name": "RSS 阅读器", "scopes": ["accounts:follow"], "expiry": "never"},
    )
    assert response.status_code == 200
    secret = SECRET.search(response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.kind == ApiToken.Kind.PERSONAL
    assert token.expires_at is None
    # another reader cannot revoke it, and an account token's page does not list it
    other = UserFactory()
    client.force_login(other)
    assert client.post(reverse("me:token-revoke", args=[token.pk])).status_code == 404
    client.force_login(writer)
    assert client.post(reverse("web:studio-token-revoke", args=[token.pk])).status_code == 404
    client.post(reverse("me:token-revoke", args=[token.pk]))
    assert ApiToken.objects.get().revoked_at is not None
    assert client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_token_pages_need_a_signed_in_user(client):
    for url in (reverse("web:studio-tokens"), reverse("me:tokens")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
