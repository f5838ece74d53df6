"""The readers' endpoints under /api/v1/me/: follow, like, favourite, comment.

A personal token (读者令牌) with the action's scope, or the session with its CSRF
token: the article and account pages' buttons call these (zixun/web/static/web/site.js).
The same services and the same rate limits (scope and key) as the pages'
form posts (zixun/web/views/engagement.py), so a reader has one allowance
whichever way they press. PUT adds and DELETE removes, and repeating either
changes nothing: the answer is the state and the counter after it.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from zixun.api.auth import Actor, actor_of, rate_check, scope_require, service_problem, signed_in
from zixun.api.models import ApiToken
from zixun.api.writes import ID_MAX, Id, json_body
from zixun.core.clientaddr import client_address
from zixun.creators.services import FollowError, creator_follow, creator_unfollow
from zixun.engagement import services
from zixun.engagement.models import Comment
from zixun.engagement.services import EngagementError

router = Router(tags=["readers"], auth=signed_in)

PERSONAL = ApiToken.Kind.PERSONAL
TOGGLES_PER_MINUTE = 30  # the pages' like, favourite and follow limits
COMMENTS_PER_MINUTE = 5  # the page's comment limit (web.views.engagement)


class ToggleOut(Schema):
    active: bool = Field(description="Whether the reader now likes / favourites / follows it.")
    count: int = Field(description="The article's likes or favourites, the account's followers.")


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    article_id: Id
    body: str = Field(
        max_length=settings.ZIXUN_COMMENT_MAX_CHARS,
        description=f"Up to {settings.ZIXUN_COMMENT_MAX_CHARS} characters.",
    )
    reply_to: Annotated[int, Field(ge=1, le=ID_MAX)] | None = Field(
        None, description="The comment this one answers (a reply joins its thread)."
    )


class CommentOut(Schema):
    id: int
    article_id: int
    status: str = Field(description="visible, or pending: held for an editor first.")
    held: bool
    message: str


def _reader(request: HttpRequest, scope: str, limit_scope: str, per_minute: int) -> Actor:
    actor = actor_of(request)
    scope_require(actor, scope, kind=PERSONAL)
    rate_check(actor, limit_scope, per_minute)
    return actor


def _toggle(request: HttpRequest, scope: str, limit: str, call: Any, **target: int) -> Any:
    actor = _reader(request, scope, limit, TOGGLES_PER_MINUTE)
    try:
        count = call(user=actor.user, **target)
    except (EngagementError, FollowError) as error:
        raise service_problem(error) from None
    return count


@router.put("/likes/{article_id}", response=ToggleOut, url_name="me-like")
def like_api(request: HttpRequest, article_id: Id) -> dict[str, Any]:
    """点赞 (scope ``articles:like``)."""
    count = _toggle(request, "articles:like", "like", services.article_like, article_id=article_id)
    return {"active": True, "count": count}


@router.delete("/likes/{article_id}", response=ToggleOut, url_name="me-unlike")
def unlike_api(request: HttpRequest, article_id: Id) -> dict[str, Any]:
    count = _toggle(
        request, "articles:like", "like", services.article_unlike, article_id=article_id
    )
    return {"active": False, "count": count}


@router.put("/favorites/{article_id}", response=ToggleOut, url_name="me-favorite")
def favorite_api(request: HttpRequest, article_id: Id) -> dict[str, Any]:
    """收藏 (scope ``articles:favorite``)."""
    count = _toggle(
        request, "articles:favorite", "favorite", services.article_favorite, article_id=article_id
    )
    return {"active": True, "count": count}


@router.delete("/favorites/{article_id}", response=ToggleOut, url_name="me-unfavorite")
def unfavorite_api(request: HttpRequest, article_id: Id) -> dict[str, Any]:
    count = _toggle(
        request, "articles:favorite", "favorite", services.article_unfavorite,
        article_id=article_id,
    )  # fmt: skip
    return {"active": False, "count": count}


@router.put("/follows/{account_id}", response=ToggleOut, url_name="me-follow")
def follow_api(request: HttpRequest, account_id: Id) -> dict[str, Any]:
    """关注 an account (scope ``accounts:follow``); ``count`` is its 关注度."""
    count = _toggle(request, "accounts:follow", "follow", creator_follow, creator_id=account_id)
    return {"active": True, "count": count}


@router.delete("/follows/{account_id}", response=ToggleOut, url_name="me-unfollow")
def unfollow_api(request: HttpRequest, account_id: Id) -> dict[str, Any]:
    count = _toggle(request, "accounts:follow", "follow", creator_unfollow, creator_id=account_id)
    return {"active": False, "count": count}


@router.post("/comments", response={201: CommentOut}, url_name="me-comment")
@json_body
def comment_create_api(request: HttpRequest, payload: CommentIn) -> Status[Any]:
    """跟贴 (scope ``comments:create``): the page's rules, filter and premoderation; a held
    comment (``pending``) shows once an editor lets it through. Sending the same text
    twice within a minute answers the first comment again."""
    actor = _reader(request, "comments:create", "comment", COMMENTS_PER_MINUTE)
    try:
        comment = services.comment_create(
            user=actor.user,
            article_id=payload.article_id,
            body=payload.body,
            parent_id=payload.reply_to,
            ip=client_address(request),
        )
    except EngagementError as error:
        raise service_problem(error) from None
    held = comment.status != Comment.Status.VISIBLE
    message = _("跟贴已提交，审核后显示") if held else _("跟贴已发布")
    return Status(
        201,
        {
            "id": comment.pk,
            "article_id": comment.article_id,
            "status": comment.status,
            "held": held,
            "message": message,
        },
    )
