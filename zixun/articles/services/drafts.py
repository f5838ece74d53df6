"""Writing: new drafts, saving (and autosaving) drafts, revising published articles."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.articles.services.checks import (
    DELETED,
    ArticleError,
    ArticleInput,
    content_screen,
    default_channel,
    input_apply,
    require_member,
    require_member_of,
    require_not_suspended,
    require_not_taken_down,
    wrong_state,
)
from zixun.articles.services.publishing import after_change, revision_add
from zixun.audit.services import audit_record
from zixun.creators.models import Creator

Status = Article.Status


@transaction.atomic
def article_create(*, creator: Creator, by: User, data: ArticleInput) -> Article:
    """A new draft of ``creator``, written by a member."""
    require_member_of(by, creator)
    article = Article(creator=creator, status=Status.DRAFT, channel=default_channel())
    input_apply(article, data, strict=False)
    article.save()
    audit_record(actor=by, action="article.create", target=article, to_state=Status.DRAFT)
    return article


@transaction.atomic
def article_save_draft(*, article: Article, by: User, data: ArticleInput) -> Article:
    """Save (or autosave) the draft. An article waiting for review or its schedule goes
    back to draft: it must be submitted again. Published articles use article_revise."""
    article = Article.objects.select_for_update().select_related("creator").get(pk=article.pk)
    require_member(by, article)
    if article.deleted_at:
        raise ArticleError(DELETED)
    require_not_taken_down(article)
    if article.status == Status.PUBLISHED:
        raise wrong_state(article, _("保存为草稿"))
    input_apply(article, data, strict=False)
    previous = article.status
    if previous != Status.DRAFT:
        article.status = Status.DRAFT
        article.scheduled_at = None
        audit_record(
            actor=by, action="article.edit", target=article, from_state=previous,
            to_state=Status.DRAFT,
        )  # fmt: skip
    article.save()
    return article


@transaction.atomic
def article_revise(*, article: Article, by: User, data: ArticleInput, note: str = "") -> Article:
    """Edit a published article; the change is kept as a new revision.

    A trusted account's edit goes live at once. An untrusted account's edited
    article goes back to the review queue (offline until approved), so that an
    approved article cannot be swapped for another afterwards. Validation happens
    before anything is written: a failed edit leaves the published text and every
    earlier revision as they were.
    """
    article = Article.objects.select_for_update().select_related("creator").get(pk=article.pk)
    require_member(by, article)
    if article.status != Status.PUBLISHED or article.deleted_at:
        raise wrong_state(article, _("修改已发布的文章"))
    require_not_suspended(article.creator)
    input_apply(article, data, strict=True)
    article.review_flags = content_screen(article)
    article.revised_at = timezone.now()
    if article.review_flags or not (article.creator.is_trusted or by.is_editor):
        article.status = Status.PENDING
        article.pending_note = note[:200]
        article.save()
        audit_record(
            actor=by, action="article.revise", target=article, from_state=Status.PUBLISHED,
            to_state=Status.PENDING, reason=note,
            data={"flags": article.review_flags} if article.review_flags else None,
        )  # fmt: skip
        after_change(article)
        return article
    article.save()
    revision_add(article, by=by, note=note[:200])
    audit_record(actor=by, action="article.revise", target=article, reason=note)
    after_change(article, change="revised")
    return article
