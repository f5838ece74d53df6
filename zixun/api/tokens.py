"""API tokens: make, revoke, list, and check one at use time (docs/api.md, Tokens).

A token reads ``zx_<public id>_<secret>``: 8 lowercase letters or digits that
find the row, then 43 URL-safe characters (32 random bytes). Only the SHA-256
of the whole token is kept, compared in constant time; the token itself is
returned once, by the service that makes it, and is never logged, audited or
shown again.

Whether a token still works is decided when it is used, not when something
else changes: it stops working once revoked or expired, when its user is
deactivated or deleted, and, for an account token, when the member who made it
leaves the account or the account is suspended.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zixun.accounts.models import User
from zixun.api.models import ApiToken
from zixun.articles.services.checks import is_member
from zixun.audit.services import audit_record
from zixun.core.errors import ServiceError
from zixun.creators.models import Creator

Kind = ApiToken.Kind

# What an account token may do; a session member may do all of it.
ACCOUNT_SCOPES: dict[str, Promise] = {
    "articles:create": _("新建草稿"),
    "articles:edit": _("修改草稿和已发布的文章"),
    "images:upload": _("上传图片"),
    "articles:schedule": _("定时发布"),
    "articles:publish": _("提交发布"),
    "articles:unpublish": _("下线文章"),
}
# What a personal token may do: the reader actions of the article, account and 为你推荐 pages.
PERSONAL_SCOPES: dict[str, Promise] = {
    "accounts:follow": _("关注和取消关注账号"),
    "articles:like": _("点赞和取消点赞"),
    "articles:favorite": _("收藏和取消收藏"),
    "comments:create": _("发表跟贴"),
    "comments:edit": _("修改和删除自己的跟贴"),
    "feed:feedback": _("在为你推荐中标记不感兴趣"),
}
SCOPES = {Kind.ACCOUNT: ACCOUNT_SCOPES, Kind.PERSONAL: PERSONAL_SCOPES}

NAME_MAX = 40
# Live (neither revoked nor expired) tokens at a time: enough for a few tools each.
ACCOUNT_TOKENS_MAX = 10
PERSONAL_TOKENS_MAX = 5
EXPIRY_MAX = timedelta(days=366)
# last_used_at is written at most this often per token: one UPDATE a minute at most.
TOUCH_EVERY = timedelta(minutes=1)
# Revoked and expired tokens stay listed this long, then only the audit log has them.
LISTED_AFTER_END = timedelta(days=30)

PREFIX = "zx"
PUBLIC_ID_LENGTH = 8
_PUBLIC_ID_ALPHABET = string.ascii_lowercase + string.digits
_TOKEN = re.compile(r"zx_([a-z0-9]{8})_([A-Za-z0-9_-]{43})")

NAME_REQUIRED = _("请给令牌起个名字")
NAME_TOO_LONG = _("令牌名称不能超过 %(limit)s 个字符")
SCOPES_REQUIRED = _("请至少选择一项权限")
SCOPE_UNKNOWN = _("未知的权限：%(scope)s")
EXPIRY_PAST = _("到期时间须晚于现在")
EXPIRY_TOO_FAR = _("令牌最长有效 %(days)s 天")
TOO_MANY_TOKENS = _("有效的令牌最多 %(limit)s 个，请先撤销不用的令牌")
NOT_A_MEMBER = _("你不是该账号的成员")
ACCOUNT_SUSPENDED = _("账号“%(name)s”已被停用，不能创建令牌")
TOKEN_NOT_YOURS = _("只能撤销自己的令牌或所在账号的令牌")

TOKEN_INVALID = _("令牌无效")
TOKEN_REVOKED = _("令牌已撤销")
TOKEN_EXPIRED = _("令牌已过期")
TOKEN_USER_INACTIVE = _("令牌所属的用户已停用或注销")
TOKEN_MEMBER_LEFT = _("创建令牌的成员已不在该账号")
TOKEN_ACCOUNT_SUSPENDED = _("令牌所属的账号已被停用")


class TokenError(ServiceError):
    pass


@dataclass(frozen=True)
class NewToken:
    """A token just made: ``secret`` is the whole token, to show once and forget."""

    token: ApiToken
    secret: str


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# Services ------------------------------------------------------------------------------------


def _checked(kind: str, name: str, scopes: list[str], expires_at: datetime | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise TokenError(NAME_REQUIRED)
    if len(name) > NAME_MAX:
        raise TokenError(NAME_TOO_LONG, limit=NAME_MAX)
    if not scopes:
        raise TokenError(SCOPES_REQUIRED)
    for scope in scopes:
        if scope not in SCOPES[Kind(kind)]:
            raise TokenError(SCOPE_UNKNOWN, scope=scope[:40])
    if expires_at is not None:
        now = timezone.now()
        if expires_at <= now:
            raise TokenError(EXPIRY_PAST)
        if expires_at > now + EXPIRY_MAX:
            raise TokenError(EXPIRY_TOO_FAR, days=EXPIRY_MAX.days)
    return name


def _live() -> Q:
    return Q(revoked_at__isnull=True) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )


def _new(
    *, kind: str, user: User, creator: Creator | None, name: str, scopes: list[str],
    expires_at: datetime | None,
) -> NewToken:  # fmt: skip
    public_id = "".join(secrets.choice(_PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))
    while ApiToken.objects.filter(public_id=public_id).exists():  # 1 in 2.8e12
        public_id = "".join(secrets.choice(_PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))
    secret = f"{PREFIX}_{public_id}_{secrets.token_urlsafe(32)}"
    ordered = [scope for scope in SCOPES[Kind(kind)] if scope in set(scopes)]
    token = ApiToken.objects.create(
        kind=kind, public_id=public_id, secret_hash=token_hash(secret), name=name, user=user,
        creator=creator, scopes=ordered, expires_at=expires_at,
    )  # fmt: skip
    audit_record(
        actor=user, action="token.create", target=token,
        data={"kind": kind, "name": name, "scopes": ordered,
              "creator_id": creator.pk if creator else None,
              "expires_at": expires_at.isoformat() if expires_at else None},
    )  # fmt: skip
    return NewToken(token=token, secret=secret)


@transaction.atomic
def token_create_for_account(
    *, creator: Creator, by: User, name: str, scopes: list[str], expires_at: datetime | None
) -> NewToken:
    """An account token of ``creator``, made by one of its members (an editor who is not a
    member may not: the token would act as them on an account they do not run)."""
    name = _checked(Kind.ACCOUNT, name, scopes, expires_at)
    # The account's row lock makes the limit hold against two requests at once.
    creator = Creator.objects.select_for_update().get(pk=creator.pk)
    if not is_member(by, creator):
        raise TokenError(NOT_A_MEMBER)
    if creator.is_suspended:
        raise TokenError(ACCOUNT_SUSPENDED, name=creator.name)
    if ApiToken.objects.filter(_live(), creator=creator).count() >= ACCOUNT_TOKENS_MAX:
        raise TokenError(TOO_MANY_TOKENS, limit=ACCOUNT_TOKENS_MAX)
    return _new(kind=Kind.ACCOUNT, user=by, creator=creator, name=name, scopes=scopes,
                expires_at=expires_at)  # fmt: skip


@transaction.atomic
def token_create_personal(
    *, user: User, name: str, scopes: list[str], expires_at: datetime | None
) -> NewToken:
    """A personal token of ``user`` for the reader actions."""
    name = _checked(Kind.PERSONAL, name, scopes, expires_at)
    User.objects.select_for_update().filter(pk=user.pk).first()  # the limit, as above
    live = ApiToken.objects.filter(_live(), user=user, kind=Kind.PERSONAL).count()
    if live >= PERSONAL_TOKENS_MAX:
        raise TokenError(TOO_MANY_TOKENS, limit=PERSONAL_TOKENS_MAX)
    return _new(kind=Kind.PERSONAL, user=user, creator=None, name=name, scopes=scopes,
                expires_at=expires_at)  # fmt: skip


def _may_manage(user: User, token: ApiToken) -> bool:
    if token.kind == Kind.PERSONAL:
        return token.user_id == user.pk
    return token.creator is not None and is_member(user, token.creator)


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a personal token (its owner) or an account token (any member of the account).
    Revoking a revoked token changes nothing."""
    token = (
        ApiToken.objects.select_for_update(of=("self",)).select_related("creator").get(pk=token.pk)
    )
    if not _may_manage(by, token):
        raise TokenError(TOKEN_NOT_YOURS)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(
        actor=by, action="token.revoke", target=token, from_state="live", to_state="revoked",
        data={"kind": token.kind, "name": token.name, "creator_id": token.creator_id},
    )  # fmt: skip
    return token


def token_authenticate(*, secret: str) -> ApiToken:
    """The token ``secret`` names, if it works now; else TokenError with the reason.

    Unknown, malformed and wrong secrets get one message, so that an attacker learns
    nothing about which ids exist. Records the use (``token_touch``).
    """
    match = _TOKEN.fullmatch(secret)
    if match is None:
        raise TokenError(TOKEN_INVALID)
    token = (
        ApiToken.objects.select_related("user", "creator").filter(public_id=match.group(1)).first()
    )
    expected = token.secret_hash if token is not None else token_hash("")
    if not hmac.compare_digest(expected, token_hash(secret)) or token is None:
        raise TokenError(TOKEN_INVALID)
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenError(TOKEN_REVOKED)
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenError(TOKEN_EXPIRED)
    if not token.user.is_active:
        raise TokenError(TOKEN_USER_INACTIVE)
    if token.creator is not None:
        if token.creator.is_suspended:
            raise TokenError(TOKEN_ACCOUNT_SUSPENDED)
        if not is_member(token.user, token.creator):
            raise TokenError(TOKEN_MEMBER_LEFT)
    token_touch(token=token, now=now)
    return token


def token_touch(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record a use, at most once a minute: one conditional UPDATE, no read."""
    now = now or timezone.now()
    if token.last_used_at is not None and token.last_used_at > now - TOUCH_EVERY:
        return
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_EVERY), pk=token.pk
    ).update(last_used_at=now)
    token.last_used_at = now


# Selectors -----------------------------------------------------------------------------------


def _listed() -> Q:
    since = timezone.now() - LISTED_AFTER_END
    return (Q(revoked_at__isnull=True) | Q(revoked_at__gt=since)) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=since)
    )


def token_list_for_account(*, creator: Creator) -> list[ApiToken]:
    """The account's tokens, newest first: the live ones, and those that ended in the last
    30 days. At most ACCOUNT_TOKENS_MAX are live, so the list stays short."""
    tokens = ApiToken.objects.filter(_listed(), creator=creator).select_related("user")
    return list(tokens[:50])


def token_list_personal(*, user: User) -> list[ApiToken]:
    tokens = ApiToken.objects.filter(_listed(), user=user, kind=Kind.PERSONAL)
    return list(tokens[:50])


def token_get_for_manage(*, user: User, token_id: int) -> ApiToken:
    """A token ``user`` may revoke; raises ApiToken.DoesNotExist otherwise (a 404)."""
    token = ApiToken.objects.select_related("creator").filter(pk=token_id).first()
    if token is None or not _may_manage(user, token):
        raise ApiToken.DoesNotExist
    return token


def token_state(token: ApiToken) -> str:
    """The token's state for the token pages: live, revoked or expired."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return "expired"
    return "live"
