"""Who is calling the API: a token (``Authorization: Bearer zx_…``) or the site's session.

``signed_in`` is the ``auth=`` of every endpoint that acts for someone. A Bearer
header wins over a session cookie; a bad token is a 401 at once (the session is
not tried), so that a tool with a revoked token learns it. A session needs the
CSRF token (the ``X-CSRFToken`` header) on unsafe methods, as every form does.

Each endpoint then checks what the caller may do: ``scope_require`` (a session
may do everything its user may; a token only its scopes) and, for an account
token, that the object belongs to its account. Nothing here logs a header or
a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from zixun.accounts.models import User
from zixun.api.models import ApiToken
from zixun.api.problems import (
    WWW_AUTHENTICATE,
    Problem,
    problem,
    rate_limited_problem,
    service_error_problem,
)
from zixun.api.tokens import TokenError, token_authenticate
from zixun.articles.services.checks import (
    ACCOUNT_SUSPENDED,
    DELETED,
    TAKEN_DOWN,
)
from zixun.articles.services.checks import NOT_A_MEMBER as ARTICLE_NOT_A_MEMBER
from zixun.articles.services.checks import WRONG_STATE as WRONG_STATE_MESSAGE
from zixun.core.errors import ServiceError, message_format
from zixun.core.ratelimit import rate_limit_hit

NO_CREDENTIALS = _("请在 Authorization 头中提供令牌（Bearer），或先登录")
INSUFFICIENT_SCOPE = _("令牌的权限不够")
SCOPE_MISSING = _("这个操作需要令牌具有“%(scope)s”权限")
READER_TOKEN_ONLY = _("这个操作需要读者令牌或登录")
ACCOUNT_TOKEN_ONLY = _("这个操作需要创作者令牌或登录")
NOT_A_MEMBER = _("不是该账号的成员")
CSRF_FAILED = _("CSRF 校验失败")
CSRF_DETAIL = _("用登录状态调用时，请在 X-CSRFToken 头中带上页面的 CSRF 令牌")


@dataclass(frozen=True)
class Actor:
    """The caller: a user, through a token or their session (``token`` None)."""

    user: User
    token: ApiToken | None = None

    @property
    def is_session(self) -> bool:
        return self.token is None

    @property
    def creator_id(self) -> int | None:
        """The account an account token is limited to; None for a session or a personal token."""
        return self.token.creator_id if self.token is not None else None

    @property
    def who(self) -> str:
        """The rate limits' key: the same as the pages', so both share one allowance."""
        return f"u{self.user.pk}"


def actor_of(request: HttpRequest) -> Actor:
    actor = getattr(request, "auth", None)
    assert isinstance(actor, Actor)
    return actor


def unauthorized(detail: str | Promise, *, error: str = "") -> Problem:
    """401 with the RFC 6750 challenge; ``error="invalid_token"`` when a bad token was sent."""
    challenge = f'{WWW_AUTHENTICATE}, error="{error}"' if error else WWW_AUTHENTICATE
    return problem(401, error or "unauthorized", detail, headers={"WWW-Authenticate": challenge})


class TokenAuth(HttpBearer):
    """``Authorization: Bearer zx_…``. Overrides ninja's ``__call__``, which logs the whole
    header when DEBUG is on and another scheme is sent."""

    def __call__(self, request: HttpRequest) -> Any:
        value = request.headers.get(self.header)
        if not value:
            return None
        scheme, _space, secret = value.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise unauthorized(NO_CREDENTIALS, error="invalid_request")
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Actor:
        try:
            found = token_authenticate(secret=token)
        except TokenError as error:
            raise unauthorized(str(error), error="invalid_token") from None
        return Actor(user=found.user, token=found)


class SessionAuth(APIKeyCookie):
    """The site's session, with Django's CSRF check on unsafe methods. The last of the
    ``auth`` list: with no session either, it answers the 401."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            raise unauthorized(NO_CREDENTIALS)
        if check_csrf(request) is not None:
            raise Problem(403, "csrf_failed", CSRF_FAILED, CSRF_DETAIL)
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor:
        user = request.user
        assert isinstance(user, User)
        return Actor(user=user)


signed_in = [TokenAuth(), SessionAuth()]


def scope_require(actor: Actor, scope: str, *, kind: str) -> None:
    """403 ``insufficient_scope`` unless the caller may use ``scope``: a session may (the
    services then check the user), a token only of the right kind and with the scope."""
    token = actor.token
    if token is None:
        return
    if token.kind != kind:
        detail = ACCOUNT_TOKEN_ONLY if kind == ApiToken.Kind.ACCOUNT else READER_TOKEN_ONLY
        raise Problem(403, "insufficient_scope", INSUFFICIENT_SCOPE, detail)
    if scope not in token.scopes:
        raise Problem(
            403, "insufficient_scope", INSUFFICIENT_SCOPE, message_format(SCOPE_MISSING, scope=scope),
            headers={"WWW-Authenticate": f'Bearer realm="zixun", error="insufficient_scope", scope="{scope}"'},
        )  # fmt: skip


def rate_check(actor: Actor, scope: str, per_minute: int) -> None:
    """429 with Retry-After once ``actor`` passes ``per_minute`` in ``scope``: the pages'
    own scope and key, so that the page and the API share one allowance."""
    wait = rate_limit_hit(scope=scope, who=actor.who, per_minute=per_minute)
    if wait:
        raise rate_limited_problem(wait)


# The article services' refusals that mean "not in this state": 409, not 400.
_CONFLICTS = (WRONG_STATE_MESSAGE, DELETED, TAKEN_DOWN, ACCOUNT_SUSPENDED)


def service_problem(error: ServiceError | PermissionDenied) -> Problem:
    """A service's refusal as a problem, its message (in the caller's language) the detail."""
    if isinstance(error, PermissionDenied):
        detail = str(error) or str(ARTICLE_NOT_A_MEMBER)
        return Problem(403, "not_a_member", NOT_A_MEMBER, detail)
    if any(error.message is message for message in _CONFLICTS):
        return problem(409, "conflict", str(error))
    return service_error_problem(error)


def not_found() -> Problem:
    return problem(404, "not_found")
