"""Review: submit a draft, approve or reject it (editors), and save-then-submit."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.articles.services.checks import (
    DELETED,
    REASON_REQUIRED,
    ArticleError,
    ArticleInput,
    content_screen,
    input_apply,
    input_of,
    require_editor,
    require_member,
    require_not_suspended,
    require_not_taken_down,
    wrong_state,
)
from zixun.articles.services.drafts import article_save_draft
from zixun.articles.services.publishing import go_live
from zixun.audit.services import audit_record

Status = Article.Status

SCHEDULE_IN_PAST = _("定时发布时间须晚于现在至少 %(minutes)s 分钟")
SCHEDULE_TOO_FAR = _("定时发布时间不能超过 %(days)s 天后")
SCHEDULE_MIN = timedelta(minutes=5)
SCHEDULE_MAX = timedelta(days=30)


def _check_schedule(scheduled_at: datetime | None) -> None:
    if scheduled_at is None:
        return
    now = timezone.now()
    if scheduled_at < now + SCHEDULE_MIN:
        raise ArticleError(SCHEDULE_IN_PAST, minutes=SCHEDULE_MIN.seconds // 60)
    if scheduled_at > now + SCHEDULE_MAX:
        raise ArticleError(SCHEDULE_TOO_FAR, days=SCHEDULE_MAX.days)


@transaction.atomic
def article_submit(*, article: Article, by: User, scheduled_at: datetime | None = None) -> Article:
    """Send a draft to review, or, for a trusted account, publish it (now or at ``scheduled_at``)."""
    article = Article.objects.select_for_update().select_related("creator").get(pk=article.pk)
    require_member(by, article)
    if article.deleted_at:
        raise ArticleError(DELETED)
    require_not_taken_down(article)
    if article.status not in {Status.DRAFT, Status.REJECTED, Status.UNPUBLISHED}:
        raise wrong_state(article, _("提交"))
    require_not_suspended(article.creator)
    _check_schedule(scheduled_at)
    # A submitted article must be complete: re-check what the draft let through.
    input_apply(article, input_of(article), strict=True)
    article.review_flags = content_screen(article)
    previous = article.status
    article.scheduled_at = scheduled_at
    article.reject_reason = ""
    if article.creator.is_trusted and not article.review_flags:
        audit_record(
            actor=by, action="article.submit", target=article, from_state=previous,
            to_state=Status.PENDING, reason="trusted account: no review",
        )  # fmt: skip
        return go_live(article, by=by, from_state=previous)
    article.status = Status.PENDING
    article.save()
    audit_record(
        actor=by, action="article.submit", target=article, from_state=previous,
        to_state=Status.PENDING, data={"flags": article.review_flags} if article.review_flags else None,
    )  # fmt: skip
    return article


@transaction.atomic
def article_save_and_submit(
    *, article: Article, by: User, data: ArticleInput, scheduled_at: datetime | None = None
) -> Article:
    """The studio's 提交: save the form, then submit, in one transaction.

    If the submit is refused (an incomplete article, a schedule in the past), the
    save is rolled back with it: an article waiting for review or its schedule
    stays where it was, and nothing the reader sees changes.
    """
    article = article_save_draft(article=article, by=by, data=data)
    return article_submit(article=article, by=by, scheduled_at=scheduled_at)


@transaction.atomic
def article_approve(*, article: Article, by: User) -> Article:
    """An editor lets a pending article go live (at its scheduled time, if it has one)."""
    require_editor(by)
    article = Article.objects.select_for_update().select_related("creator").get(pk=article.pk)
    if article.status != Status.PENDING or article.deleted_at:
        raise wrong_state(article, _("通过"))
    require_not_suspended(article.creator)
    if article.scheduled_at and article.scheduled_at <= timezone.now():
        article.scheduled_at = None  # the time passed while it waited: publish now
    audit_record(
        actor=by, action="article.approve", target=article, from_state=Status.PENDING,
        to_state=Status.SCHEDULED if article.scheduled_at else Status.PUBLISHED,
    )  # fmt: skip
    return go_live(article, by=by, from_state=Status.PENDING)


@transaction.atomic
def article_reject(*, article: Article, by: User, reason: str) -> Article:
    require_editor(by)
    if not reason.strip():
        raise ArticleError(REASON_REQUIRED)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Status.PENDING or article.deleted_at:
        raise wrong_state(article, _("退回"))
    article.status = Status.REJECTED
    article.reject_reason = reason.strip()
    article.scheduled_at = None
    article.save()
    audit_record(
        actor=by, action="article.reject", target=article, from_state=Status.PENDING,
        to_state=Status.REJECTED, reason=article.reject_reason,
    )  # fmt: skip
    return article
