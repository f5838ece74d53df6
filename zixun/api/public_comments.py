"""Comments (跟贴) of a published article, threaded as the article page shows them."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router

from zixun.api.pagination import PageParams, next_cursor, page_request
from zixun.api.problems import NOT_FOUND_DETAIL, problem
from zixun.api.public import ID_MAX, article_published_or_404
from zixun.api.schemas import CommentItemOut, CommentList, ReplyList, ThreadOut, absolute
from zixun.engagement.models import Comment
from zixun.engagement.selectors import comment_list_for_article, comment_thread

router = Router()

REPLY_LIST = "replies"


def comment_out(comment: Comment) -> CommentItemOut:
    return CommentItemOut(**_comment_fields(comment))  # type: ignore[arg-type]


def _comment_fields(comment: Comment) -> dict[str, object]:
    deleted = comment.status == Comment.Status.DELETED
    return {
        "id": comment.pk,
        "author": comment.user.get_username() if comment.user and not deleted else None,
        "body": None if deleted else comment.body,
        "is_deleted": deleted,
        "created_at": comment.created_at,
        "edited_at": None if deleted else comment.edited_at,
        "region": "" if deleted else comment.region,
        "reply_count": comment.reply_count,
    }


def thread_out(request: HttpRequest, comment: Comment) -> ThreadOut:
    replies = getattr(comment, "shown_replies", [])
    url = reverse("api:comment_replies_api", kwargs={"comment_id": comment.pk})
    return ThreadOut(
        **_comment_fields(comment),  # type: ignore[arg-type]
        replies=[comment_out(reply) for reply in replies],
        replies_url=absolute(request, url),
    )


class CommentParams(PageParams):
    sort: Literal["hot", "new"] = Field(
        "hot", description="`hot` (最热: most replies first) or `new` (最新: newest first)."
    )


@router.get(
    "/articles/{int:article_id}/comments",
    response=CommentList,
    tags=["comments"],
    summary="An article's comments (跟贴)",
)
def article_comments_api(
    request: HttpRequest, article_id: int, page: Query[CommentParams]
) -> CommentList:
    """Visible top-level comments, each with its first replies; a deleted comment that has
    replies keeps its place without its text."""
    sort = page.sort
    article = article_published_or_404(article_id)
    list_name = f"comments-{sort}"
    listed = comment_list_for_article(
        article=article, sort=sort, page=page_request(list_name, page.cursor), size=page.limit
    )
    return CommentList(
        items=[thread_out(request, comment) for comment in listed.items],
        next_cursor=next_cursor(list_name, listed),
    )


@router.get(
    "/comments/{int:comment_id}/replies",
    response=ReplyList,
    tags=["comments"],
    summary="A comment's replies",
)
def comment_replies_api(
    request: HttpRequest, comment_id: int, page: Query[PageParams]
) -> ReplyList:
    """A visible top-level comment of a published article and its replies, oldest first."""
    if comment_id > ID_MAX:
        raise problem(404, "not_found", NOT_FOUND_DETAIL)
    try:
        parent, listed = comment_thread(
            comment_id=comment_id, page=page_request(REPLY_LIST, page.cursor), size=page.limit
        )
    except Comment.DoesNotExist:
        raise problem(404, "not_found", NOT_FOUND_DETAIL) from None
    return ReplyList(
        parent=comment_out(parent),
        items=[comment_out(reply) for reply in listed.items],
        next_cursor=next_cursor(REPLY_LIST, listed),
    )
