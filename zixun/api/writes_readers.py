"""The readers' endpoints under /api/v1/me/: follow, like, favourite, comment, 不感兴趣.

A personal token (读者令牌) with the action's scope, or the session with its CSRF
token: the article, account and 为你推荐 pages' scripts call these
(zixun/web/static/web/site.js). The same services and the same rate limits
(scope and key) as the pages' form posts (zixun/web/views/engagement.py,
foryou.py), so a reader has one allowance whichever way they press. PUT adds
and DELETE removes, and repeating either changes nothing: the answer is the
state and the counter after it. A comment that is not the reader's own is a
404, as one that does not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from zixun.api.auth import (
    Actor,
    actor_of,
    not_found,
    rate_check,
    scope_require,
    service_problem,
    signed_in,
)
from zixun.api.models import ApiToken
from zixun.api.writes import ID_MAX, Id, json_body
from zixun.core.clientaddr import client_address
from zixun.creators.services import FollowError, creator_follow, creator_unfollow
from zixun.engagement import services
from zixun.engagement.models import Comment
from zixun.engagement.services import COMMENT_NOT_FOUND, COMMENT_NOT_YOURS, EngagementError
from zixun.ranking.models import Dislike
from zixun.ranking.services import HotError, article_dislike

router = Router(tags=["readers"], auth=signed_in)

PERSONAL = ApiToken.Kind.PERSONAL
TOGGLES_PER_MINUTE = 30  # the pages' like, favourite and follow limits
COMMENTS_PER_MINUTE = 5  # the page's comment limit (web.views.engagement)
COMMENT_EDITS_PER_MINUTE = 20  # the page's edit and delete limit, one scope for both
DISLIKES_PER_MINUTE = 30
COMMENT_HELD = _("跟贴已提交，审核后显示")
COMMENT_PUBLISHED = _("跟贴已发布")
EDIT_HELD = _("修改已提交，审核后显示")
EDIT_SAVED = _("跟贴已修改")
DISLIKED = _("已减少这类推荐")


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
    return Status(201, _comment_answer(comment, held=COMMENT_HELD, shown=COMMENT_PUBLISHED))


def _comment_answer(comment: Comment, *, held: Any, shown: Any) -> dict[str, Any]:
    is_held = comment.status != Comment.Status.VISIBLE
    return {
        "id": comment.pk,
        "article_id": comment.article_id,
        "status": comment.status,
        "held": is_held,
        "message": str(held if is_held else shown),
    }


class CommentEditIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(
        max_length=settings.ZIXUN_COMMENT_MAX_CHARS,
        description=f"The new text, up to {settings.ZIXUN_COMMENT_MAX_CHARS} characters.",
    )


def _own_comment_problem(error: EngagementError) -> Exception:
    """Another reader's comment is a 404, as one that does not exist or was deleted."""
    if error.message is COMMENT_NOT_YOURS or error.message is COMMENT_NOT_FOUND:
        return not_found()
    return service_problem(error)


@router.patch("/comments/{comment_id}", response=CommentOut, url_name="me-comment-edit")
@json_body
def comment_edit_api(request: HttpRequest, comment_id: Id, payload: CommentEditIn) -> Any:
    """编辑 one's own comment (scope ``comments:edit``): the page's rules; under
    premoderation a shown comment goes back to review (``pending``) until an editor
    lets the new text through."""
    actor = _reader(request, "comments:edit", "comment-edit", COMMENT_EDITS_PER_MINUTE)
    try:
        comment = services.comment_edit(user=actor.user, comment_id=comment_id, body=payload.body)
    except EngagementError as error:
        raise _own_comment_problem(error) from None
    return _comment_answer(comment, held=EDIT_HELD, shown=EDIT_SAVED)


@router.delete("/comments/{comment_id}", response={204: None}, url_name="me-comment-delete")
def comment_delete_api(request: HttpRequest, comment_id: Id) -> Status[None]:
    """删除 one's own comment (scope ``comments:edit``): its text goes; a thread with
    replies keeps its place (该跟贴已删除). Deleting it again is a 404."""
    actor = _reader(request, "comments:edit", "comment-edit", COMMENT_EDITS_PER_MINUTE)
    try:
        services.comment_delete(user=actor.user, comment_id=comment_id)
    except EngagementError as error:
        raise _own_comment_problem(error) from None
    return Status(204, None)


class DislikeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Dislike.Reason = Field(
        description="account (不想看这个账号: its other articles go too), topic (不想看这类"
        "内容: the channel's articles go and its interest is dropped) or seen (看过了)."
    )


class DislikeOut(Schema):
    article_id: int
    reason: str
    message: str = Field(description="What the 为你推荐 page says in the item's place.")


@router.put("/dislikes/{article_id}", response=DislikeOut, url_name="me-dislike")
@json_body
def dislike_api(request: HttpRequest, article_id: Id, payload: DislikeIn) -> dict[str, Any]:
    """不感兴趣 on an article of 为你推荐 (scope ``feed:feedback``): it leaves the reader's
    feed at once, and with ``account`` or ``topic`` its account's or channel's articles
    too. Sending it again with another reason changes the reason; 我的兴趣 (/me/interests/)
    undoes it."""
    actor = _reader(request, "feed:feedback", "dislike", DISLIKES_PER_MINUTE)
    try:
        dislike = article_dislike(user=actor.user, article_id=article_id, reason=payload.reason)
    except HotError as error:
        raise service_problem(error) from None
    return {
        "article_id": dislike.article_id,
        "reason": payload.reason.value,
        "message": str(DISLIKED),
    }
