"""分享: count one use of an article's share menu. Public, like the menu itself.

Anonymous callers count too (the article page's script on a cached page has
no session); a signed-in session must send its CSRF token (X-CSRFToken), as
every session write does, and a token must be valid: the share is then the
caller's. The page's own limit (30 a minute per reader or address, the same
scope and key as the social buttons' form post, zixun/web/views/engagement.py)
holds whichever way the reader shares.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.utils import check_csrf
from pydantic import ConfigDict

from zixun.accounts.models import User
from zixun.api.auth import CSRF_DETAIL, CSRF_FAILED, TokenAuth, not_found, service_problem
from zixun.api.problems import Problem, rate_limited_problem
from zixun.api.writes import Id, json_body
from zixun.core.clientaddr import client_address
from zixun.core.ratelimit import rate_limit_hit
from zixun.engagement import services
from zixun.engagement.models import Share
from zixun.engagement.services import ARTICLE_UNAVAILABLE, EngagementError

router = Router(tags=["articles"])

SHARES_PER_MINUTE = 30  # the page's share limit (web.views.engagement.article_share)


class ShareIn(Schema):
    model_config = ConfigDict(extra="forbid")

    channel: Share.Channel = Field(
        description="How it was shared: link (复制链接), qr (二维码), weibo, qq, qzone, douban."
    )


class ShareOut(Schema):
    count: int = Field(description="The article's shares, this one included.")


def _sharer(request: HttpRequest) -> User | None:
    """Who shares: a token's user (a bad token is a 401), a signed-in session's user (with
    its CSRF token, else a 403), or nobody."""
    if "Authorization" in request.headers:
        actor = TokenAuth()(request)
        return actor.user if actor is not None else None
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    if check_csrf(request) is not None:
        raise Problem(403, "csrf_failed", CSRF_FAILED, CSRF_DETAIL)
    return user


@router.post(
    "/articles/{article_id}/shares", response={201: ShareOut}, url_name="article-share",
    auth=None,
)  # fmt: skip
@json_body
def article_share_api(request: HttpRequest, article_id: Id, payload: ShareIn) -> Status[Any]:
    """Count a share of a published article (no credentials needed). With a token or the
    session, the share is the reader's."""
    user = _sharer(request)
    who = f"u{user.pk}" if user is not None else f"ip{client_address(request)}"
    wait = rate_limit_hit(scope="share", who=who, per_minute=SHARES_PER_MINUTE)
    if wait:
        raise rate_limited_problem(wait)
    try:
        count = services.article_share(user=user, article_id=article_id, channel=payload.channel)
    except EngagementError as error:
        if error.message is ARTICLE_UNAVAILABLE:
            raise not_found() from None
        raise service_problem(error) from None
    return Status(201, {"count": count})
