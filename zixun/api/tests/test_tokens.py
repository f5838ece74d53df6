"""API tokens: made, stored hashed, checked at use time, revoked, limited, audited."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zixun.accounts.tests.factories import UserFactory
from zixun.api import tokens
from zixun.api.models import ApiToken
from zixun.audit.models import AuditEntry
from zixun.core.errors import message_format
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db

ALL_ACCOUNT = list(tokens.ACCOUNT_SCOPES)
ALL_PERSONAL = list(tokens.PERSONAL_SCOPES)


def account_token(creator, user, **kwargs):
    options = {"name": "发稿脚本", "scopes": ALL_ACCOUNT, "expires_at": None, **kwargs}
    return tokens.token_create_for_account(creator=creator, by=user, **options)


def me(client: Client, secret: str):
    return client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_token_is_shown_once_and_stored_only_as_its_hash(creator, writer):
    # when
    new = account_token(creator, writer)
    # then
    prefix, public_id, secret = new.secret.split("_", 2)
    assert (prefix, len(public_id)) == ("zx", 8)
    assert len(secret) >= 43
    row = ApiToken.objects.get()
    assert row.public_id == public_id
    assert row.secret_hash == hashlib.sha256(new.secret.encode()).hexdigest()
    assert new.secret not in str(ApiToken.objects.values_list().get())  # no column holds the secret


def test_making_and_revoking_are_audited_without_the_secret(creator, writer):
    new = account_token(creator, writer)
    tokens.token_revoke(token=new.token, by=writer)
    entries = AuditEntry.objects.filter(target_type="api.apitoken").order_by("id")
    assert [entry.action for entry in entries] == ["token.create", "token.revoke"]
    assert entries[0].data["scopes"] == ALL_ACCOUNT
    for entry in entries:
        assert new.secret not in str(entry.data) + entry.reason
        assert new.token.secret_hash not in str(entry.data)


def test_a_working_token_names_its_account_and_scopes(client, creator, writer):
    new = account_token(creator, writer, scopes=["articles:create"])
    response = me(client, new.secret)
    assert response.status_code == 200
    assert response.json() == {
        "user": writer.username,
        "auth": "account_token",
        "account_id": creator.pk,
        "scopes": ["articles:create"],
        "expires_at": None,
    }


@pytest.mark.parametrize(
    "header",
    [
        "Bearer zx_abcdefgh_" + "A" * 43,  # well formed, unknown
        "Bearer zx_short_x",  # malformed
        "Bearer ",  # empty
        "Basic dXNlcjpwYXNz",  # another scheme
        "Bearer " + "x" * 5000,  # huge
    ],
)
def test_unknown_malformed_and_foreign_credentials_are_401_problems(client, header):
    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith('Bearer realm="zixun"')
    assert header.split(" ", 1)[-1] not in response.content.decode() or header == "Bearer "


def test_a_wrong_secret_for_a_real_id_is_401(client, creator, writer):
    new = account_token(creator, writer)
    forged = new.secret[:-4] + ("AAAA" if not new.secret.endswith("AAAA") else "BBBB")
    response = me(client, forged)
    assert response.status_code == 401
    assert response.json()["detail"] == message_format(tokens.TOKEN_INVALID)


def test_no_credentials_is_401_with_a_challenge(client):
    response = client.get(reverse("api:me"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="zixun"'
    assert response.json()["code"] == "unauthorized"


def test_a_revoked_token_stops_at_once(client, creator, writer):
    new = account_token(creator, writer)
    assert me(client, new.secret).status_code == 200
    tokens.token_revoke(token=new.token, by=writer)
    response = me(client, new.secret)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert response.json()["detail"] == message_format(tokens.TOKEN_REVOKED)
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_an_expired_token_is_401(client, creator, writer):
    new = account_token(creator, writer, expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.filter(pk=new.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = me(client, new.secret)
    assert response.status_code == 401
    assert response.json()["detail"] == message_format(tokens.TOKEN_EXPIRED)


def test_a_member_who_leaves_takes_their_tokens_with_them(client, creator, writer):
    new = account_token(creator, writer)
    creator.members.remove(writer)
    response = me(client, new.secret)
    assert response.status_code == 401
    assert response.json()["detail"] == message_format(tokens.TOKEN_MEMBER_LEFT)


def test_a_suspended_account_and_a_deactivated_user_stop_their_tokens(client, creator, writer):
    new = account_token(creator, writer)
    personal = tokens.token_create_personal(
        user=writer, name="阅读器", scopes=ALL_PERSONAL, expires_at=None
    )
    creator.is_suspended = True
    creator.save()
    assert me(client, new.secret).json()["detail"] == message_format(tokens.TOKEN_ACCOUNT_SUSPENDED)
    assert me(client, personal.secret).status_code == 200
    writer.is_active = False
    writer.save()
    response = me(client, personal.secret)
    assert response.status_code == 401
    assert response.json()["detail"] == message_format(tokens.TOKEN_USER_INACTIVE)


def test_a_deleted_user_takes_every_token(client, creator, writer):
    from zixun.privacy.services import user_delete

    personal = tokens.token_create_personal(
        user=writer, name="阅读器", scopes=ALL_PERSONAL, expires_at=None
    )
    new = account_token(creator, writer)
    user_delete(user=writer, by=writer)
    assert me(client, personal.secret).status_code == 401
    assert me(client, new.secret).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(client, creator, writer):
    new = account_token(creator, writer)
    assert me(client, new.secret).status_code == 200
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    me(client, new.secret)
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    me(client, new.secret)
    assert ApiToken.objects.get().last_used_at > first


def test_only_members_make_account_tokens(creator):
    outsider = UserFactory()
    with pytest.raises(tokens.TokenError) as refused:
        account_token(creator, outsider)
    assert str(refused.value) == message_format(tokens.NOT_A_MEMBER)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"name": "  "}, tokens.NAME_REQUIRED),
        ({"name": "长" * 41}, tokens.NAME_TOO_LONG),
        ({"scopes": []}, tokens.SCOPES_REQUIRED),
        ({"scopes": ["articles:like"]}, tokens.SCOPE_UNKNOWN),
        ({"expires_at": timezone.now() - timedelta(days=1)}, tokens.EXPIRY_PAST),
        ({"expires_at": timezone.now() + timedelta(days=400)}, tokens.EXPIRY_TOO_FAR),
    ],
)
def test_bad_token_requests_are_refused(creator, writer, options, message):
    with pytest.raises(tokens.TokenError) as refused:
        account_token(creator, writer, **options)
    assert refused.value.message is message
    assert not ApiToken.objects.exists()


def test_live_tokens_are_limited_per_account_and_per_user(creator, writer):
    for n in range(tokens.ACCOUNT_TOKENS_MAX):
        account_token(creator, writer, name=f"t{n}")
    with pytest.raises(tokens.TokenError):
        account_token(creator, writer, name="one more")
    # a revoked token frees its place
    tokens.token_revoke(token=ApiToken.objects.first(), by=writer)
    account_token(creator, writer, name="one more")
    for n in range(tokens.PERSONAL_TOKENS_MAX):
        tokens.token_create_personal(user=writer, name=f"p{n}", scopes=ALL_PERSONAL,
                                     expires_at=None)  # fmt: skip
    with pytest.raises(tokens.TokenError):
        tokens.token_create_personal(user=writer, name="p", scopes=ALL_PERSONAL, expires_at=None)


def test_members_revoke_the_accounts_tokens_and_nobody_else_does(creator, writer):
    new = account_token(creator, writer)
    colleague = UserFactory()
    creator.members.add(colleague)
    stranger = UserFactory()
    with pytest.raises(tokens.TokenError):
        tokens.token_revoke(token=new.token, by=stranger)
    assert ApiToken.objects.get().revoked_at is None
    tokens.token_revoke(token=new.token, by=colleague)
    assert ApiToken.objects.get().revoked_by == colleague
    # revoking again changes nothing
    tokens.token_revoke(token=new.token, by=writer)
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1


def test_a_personal_token_cannot_touch_another_account(writer):
    other = CreatorFactory()
    personal = tokens.token_create_personal(
        user=writer, name="阅读器", scopes=ALL_PERSONAL, expires_at=None
    )
    with pytest.raises(ApiToken.DoesNotExist):
        tokens.token_get_for_manage(user=UserFactory(), token_id=personal.token.pk)
    assert other.api_tokens.count() == 0


def test_tokens_never_reach_the_logs_or_the_answers(client, creator, writer, caplog, settings):
    settings.DEBUG = True  # ninja's own Bearer class logs a bad header when DEBUG is on
    new = account_token(creator, writer)
    tokens.token_revoke(token=new.token, by=writer)
    with caplog.at_level("DEBUG"):
        revoked = me(client, new.secret)
        other_scheme = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {new.secret}")
    assert (revoked.status_code, other_scheme.status_code) == (401, 401)
    for text in (caplog.text, revoked.content.decode(), other_scheme.content.decode()):
        assert new.secret not in text
        # the random part (after zx_ and the public id; it may itself hold "_")
        assert new.secret.split("_", 2)[2] not in text
