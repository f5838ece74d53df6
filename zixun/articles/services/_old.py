"""Writes of articles: drafts, the publishing state machine, revisions, soft delete.

The states and who may move an article between them:

    draft ──submit──▶ pending ──approve──▶ scheduled ──(due)──▶ published
      ▲   (trusted accounts skip pending)  │    └──────────────▶ published
      │                       └──reject──▶ rejected
      └── edit (pending, scheduled, rejected, unpublished go back to draft)
    published ──unpublish──▶ unpublished;  any ──delete──▶ deleted (deleted_at) ──restore──▶ back

Creators (members of the account) write, submit, unpublish and delete; editors
approve, reject and restore. Every state change writes an audit entry in the
same transaction, and the follow-up work runs after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from zixun.accounts.models import User
from zixun.articles.importing import MAX_TAGS, TAG_MAX, TITLE_MAX
from zixun.articles.markdown import MarkdownError, markdown_render, markdown_validate
from zixun.articles.models import Article, Image, Revision
from zixun.articles.sanitize import summary_from_text
from zixun.articles.selectors import blocks_invalidate
from zixun.channels.models import Channel
from zixun.creators.models import Creator
from zixun.moderation.services import audit_record

Status = Article.Status

NOT_A_MEMBER = "你不是该账号的成员 / You are not a member of this account"
EDITORS_ONLY = "只有编辑可以这样做 / Only editors can do this"
TITLE_REQUIRED = "请填写标题 / A title is required"
TITLE_TOO_LONG = f"标题不能超过 {TITLE_MAX} 个字符 / A title has at most {TITLE_MAX} characters"
TOO_MANY_TAGS = f"标签最多 {MAX_TAGS} 个，每个不超过 {TAG_MAX} 字 / At most {MAX_TAGS} tags of {TAG_MAX} characters"
CHANNEL_INVALID = "请选择一个频道 / Choose a channel"
COVER_INVALID = "封面须是本账号上传的图片 / The cover must be an image of this account"
SUMMARY_TOO_LONG = "摘要不能超过 200 个字符 / A summary has at most 200 characters"
SCHEDULE_IN_PAST = "定时发布时间须晚于现在至少 5 分钟 / Schedule at least 5 minutes from now"
SCHEDULE_TOO_FAR = "定时发布时间不能超过 30 天后 / Schedule at most 30 days ahead"
REASON_REQUIRED = "请写明理由 / Give a reason"
WRONG_STATE = "当前状态“{state}”下不能{action} / Cannot {action_en} an article that is {state_en}"
DELETED = "文章已删除 / The article is deleted"

SCHEDULE_MIN = timedelta(minutes=5)
SCHEDULE_MAX = timedelta(days=30)


class ArticleError(ValueError):
    pass


@dataclass(frozen=True)
class ArticleInput:
    """What the studio's editor sends."""

    title: str
    body_source: str
    channel_id: int | None
    tags: list[str] = field(default_factory=list)
    is_original: bool = False
    summary: str = ""
    cover_image_id: int | None = None


def _is_member(user: User, creator: Creator) -> bool:
    return creator.members.filter(pk=user.pk).exists()


def _require_member(user: User, article: Article) -> None:
    if not (_is_member(user, article.creator) or user.is_editor):
        raise PermissionDenied(NOT_A_MEMBER)


def _require_editor(user: User) -> None:
    if not user.is_editor:
        raise PermissionDenied(EDITORS_ONLY)


def _wrong_state(article: Article, action: str, action_en: str) -> ArticleError:
    return ArticleError(
        WRONG_STATE.format(
            state=article.get_status_display(), action=action, action_en=action_en,
            state_en=article.status,
        )
    )  # fmt: skip


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in (t.strip() for t in tags):
        if len(tag) > TAG_MAX:
            raise ArticleError(TOO_MANY_TAGS)
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ArticleError(TOO_MANY_TAGS)
    return cleaned


def _apply(article: Article, data: ArticleInput, *, strict: bool) -> None:
    """Validate ``data`` and copy it onto ``article`` (not saved). Raises ArticleError.

    ``strict`` (submit, revise) also requires a title, a body and alt text on
    every image; a draft may be incomplete.
    """
    title = " ".join(data.title.split())
    if len(title) > TITLE_MAX:
        raise ArticleError(TITLE_TOO_LONG)
    if strict and not title:
        raise ArticleError(TITLE_REQUIRED)
    if len(data.summary) > 200:
        raise ArticleError(SUMMARY_TOO_LONG)
    if strict or data.body_source.strip():
        try:
            markdown_validate(data.body_source)
        except MarkdownError as error:
            raise ArticleError(str(error)) from error
    channel = None
    if data.channel_id is not None:
        channel = Channel.objects.filter(pk=data.channel_id, is_active=True).first()
    if channel is None and (strict or data.channel_id is not None):
        raise ArticleError(CHANNEL_INVALID)
    cover = None
    if data.cover_image_id is not None:
        cover = Image.objects.filter(pk=data.cover_image_id, creator_id=article.creator_id).first()
        if cover is None:
            raise ArticleError(COVER_INVALID)
    body_html, body_text = markdown_render(data.body_source)
    article.title = title
    article.body_source = data.body_source
    article.body_html = body_html
    article.body_text = body_text
    article.summary = data.summary.strip() or summary_from_text(body_text)
    if channel is not None:
        article.channel = channel
    article.tags = _clean_tags(data.tags)
    article.is_original = data.is_original
    if cover is not None:
        article.cover_image = cover.file.name
        article.cover_alt = cover.alt


def _default_channel() -> Channel:
    channel = Channel.objects.filter(is_active=True).first()
    if channel is None:
        raise ArticleError(CHANNEL_INVALID)
    return channel


@transaction.atomic
def article_create(*, creator: Creator, by: User, data: ArticleInput) -> Article:
    """A new draft of ``creator``, written by a member."""
    if not (_is_member(by, creator) or by.is_editor):
        raise PermissionDenied(NOT_A_MEMBER)
    article = Article(creator=creator, status=Status.DRAFT, channel=_default_channel())
    _apply(article, data, strict=False)
    article.save()
    audit_record(actor=by, action="article.create", target=article, to_state=Status.DRAFT)
    return article


@transaction.atomic
def article_save_draft(*, article: Article, by: User, data: ArticleInput) -> Article:
    """Save (or autosave) the draft. An article waiting for review or its schedule goes
    back to draft: it must be submitted again. Published articles use article_revise."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    _require_member(by, article)
    if article.deleted_at:
        raise ArticleError(DELETED)
    if article.status == Status.PUBLISHED:
        raise _wrong_state(article, "保存为草稿", "save as a draft")
    _apply(article, data, strict=False)
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
    _require_member(by, article)
    if article.status != Status.PUBLISHED or article.deleted_at:
        raise _wrong_state(article, "修改已发布的文章", "revise")
    _apply(article, data, strict=True)
    article.revised_at = timezone.now()
    if not (article.creator.is_trusted or by.is_editor):
        article.status = Status.PENDING
        article.pending_note = note[:200]
        article.save()
        audit_record(
            actor=by, action="article.revise", target=article, from_state=Status.PUBLISHED,
            to_state=Status.PENDING, reason=note,
        )  # fmt: skip
        _after_change(article)
        return article
    article.save()
    _revision_add(article, by=by, note=note[:200])
    audit_record(actor=by, action="article.revise", target=article, reason=note)
    _after_change(article)
    return article


def _revision_add(article: Article, *, by: User | None, note: str = "") -> Revision:
    last = article.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return Revision.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        body_source=article.body_source,
        body_html=article.body_html,
        summary=article.summary,
        author=by,
        note=note,
    )


def _check_schedule(scheduled_at: datetime | None) -> None:
    if scheduled_at is None:
        return
    now = timezone.now()
    if scheduled_at < now + SCHEDULE_MIN:
        raise ArticleError(SCHEDULE_IN_PAST)
    if scheduled_at > now + SCHEDULE_MAX:
        raise ArticleError(SCHEDULE_TOO_FAR)


@transaction.atomic
def article_submit(*, article: Article, by: User, scheduled_at: datetime | None = None) -> Article:
    """Send a draft to review, or, for a trusted account, publish it (now or at ``scheduled_at``)."""
    article = Article.objects.select_for_update().select_related("creator").get(pk=article.pk)
    _require_member(by, article)
    if article.deleted_at:
        raise ArticleError(DELETED)
    if article.status not in {Status.DRAFT, Status.REJECTED, Status.UNPUBLISHED}:
        raise _wrong_state(article, "提交", "submit")
    _check_schedule(scheduled_at)
    # A submitted article must be complete: re-check what the draft let through.
    _apply(article, _input_of(article), strict=True)
    previous = article.status
    article.scheduled_at = scheduled_at
    article.reject_reason = ""
    if article.creator.is_trusted:
        audit_record(
            actor=by, action="article.submit", target=article, from_state=previous,
            to_state=Status.PENDING, reason="trusted account: no review",
        )  # fmt: skip
        return _go_live(article, by=by, from_state=previous)
    article.status = Status.PENDING
    article.save()
    audit_record(
        actor=by, action="article.submit", target=article, from_state=previous,
        to_state=Status.PENDING,
    )  # fmt: skip
    return article


def _input_of(article: Article) -> ArticleInput:
    return ArticleInput(
        title=article.title,
        body_source=article.body_source,
        channel_id=article.channel_id,
        tags=list(article.tags),
        is_original=article.is_original,
        summary=article.summary,
    )


@transaction.atomic
def article_approve(*, article: Article, by: User) -> Article:
    """An editor lets a pending article go live (at its scheduled time, if it has one)."""
    _require_editor(by)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Status.PENDING or article.deleted_at:
        raise _wrong_state(article, "通过", "approve")
    if article.scheduled_at and article.scheduled_at <= timezone.now():
        article.scheduled_at = None  # the time passed while it waited: publish now
    audit_record(
        actor=by, action="article.approve", target=article, from_state=Status.PENDING,
        to_state=Status.SCHEDULED if article.scheduled_at else Status.PUBLISHED,
    )  # fmt: skip
    return _go_live(article, by=by, from_state=Status.PENDING)


@transaction.atomic
def article_reject(*, article: Article, by: User, reason: str) -> Article:
    _require_editor(by)
    if not reason.strip():
        raise ArticleError(REASON_REQUIRED)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Status.PENDING or article.deleted_at:
        raise _wrong_state(article, "退回", "reject")
    article.status = Status.REJECTED
    article.reject_reason = reason.strip()
    article.scheduled_at = None
    article.save()
    audit_record(
        actor=by, action="article.reject", target=article, from_state=Status.PENDING,
        to_state=Status.REJECTED, reason=article.reject_reason,
    )  # fmt: skip
    return article


def _go_live(article: Article, *, by: User | None, from_state: str) -> Article:
    """Publish now, or schedule and enqueue the publish for ``scheduled_at``."""
    if article.scheduled_at is None:
        return _publish(article, by=by, from_state=from_state, at=timezone.now())
    from zixun.articles.tasks import article_publish_due_task

    article.status = Status.SCHEDULED
    article.save()
    audit_record(
        actor=by, action="article.schedule", target=article, from_state=from_state,
        to_state=Status.SCHEDULED, data={"scheduled_at": article.scheduled_at.isoformat()},
    )  # fmt: skip
    when = article.scheduled_at
    transaction.on_commit(
        partial(_enqueue_at, article_publish_due_task, when=when, article_id=article.pk)
    )
    return article


def _enqueue_at(task: object, *, when: datetime, article_id: int) -> None:
    from django_tasks import default_task_backend

    if default_task_backend.supports_defer:
        task.using(run_after=when).enqueue(article_id=article_id)  # type: ignore[attr-defined]
    # Without deferral (the immediate backend), `zixun articles-publish-due` or the
    # next worker sweep publishes it; see article_publish_due.


def _publish(article: Article, *, by: User | None, from_state: str, at: datetime) -> Article:
    """Go live. A re-approved edit keeps its first publication time (and shows 更新于)."""
    article.status = Status.PUBLISHED
    if article.published_at is None or article.revised_at is None:
        article.published_at = at
    article.scheduled_at = None
    note, article.pending_note = article.pending_note or "发布 / published", ""
    article.save()
    _revision_add(article, by=by, note=note)
    audit_record(actor=by, action="article.publish", target=article, from_state=from_state,
                 to_state=Status.PUBLISHED)  # fmt: skip
    _after_change(article)
    return article


@transaction.atomic
def article_publish_due(*, article_id: int) -> bool:
    """Publish a scheduled article whose time has come; True if this call published it.

    Safe to call any number of times, from any number of workers: the row lock
    and the state check let exactly one call publish.
    """
    article = (
        Article.objects.select_for_update()
        .filter(pk=article_id, status=Status.SCHEDULED, deleted_at__isnull=True)
        .first()
    )
    if article is None or article.scheduled_at is None or article.scheduled_at > timezone.now():
        return False
    _publish(article, by=None, from_state=Status.SCHEDULED, at=article.scheduled_at)
    return True


def articles_publish_due() -> int:
    """Publish every scheduled article that is due (the repair sweep); returns how many."""
    due = Article.objects.filter(
        status=Status.SCHEDULED, scheduled_at__lte=timezone.now(), deleted_at__isnull=True
    ).values_list("pk", flat=True)
    return sum(article_publish_due(article_id=pk) for pk in list(due))


@transaction.atomic
def article_unpublish(*, article: Article, by: User, reason: str = "") -> Article:
    """Take a published or scheduled article offline (the creator or an editor)."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    _require_member(by, article)
    if article.status not in {Status.PUBLISHED, Status.SCHEDULED} or article.deleted_at:
        raise _wrong_state(article, "下线", "unpublish")
    if not _is_member(by, article.creator) and not reason.strip():
        raise ArticleError(REASON_REQUIRED)  # an editor's takedown says why
    previous = article.status
    article.status = Status.UNPUBLISHED
    article.scheduled_at = None
    article.save()
    audit_record(
        actor=by, action="article.unpublish", target=article, from_state=previous,
        to_state=Status.UNPUBLISHED, reason=reason.strip(),
    )  # fmt: skip
    _after_change(article)
    return article


@transaction.atomic
def article_delete(*, article: Article, by: User) -> Article:
    """Soft-delete: hidden everywhere, kept for editors to restore."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    _require_member(by, article)
    if article.deleted_at:
        raise ArticleError(DELETED)
    article.deleted_at = timezone.now()
    article.save(update_fields=["deleted_at", "updated_at"])
    audit_record(actor=by, action="article.delete", target=article, from_state=article.status,
                 to_state="deleted")  # fmt: skip
    _after_change(article)
    return article


@transaction.atomic
def article_restore(*, article: Article, by: User) -> Article:
    _require_editor(by)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not article.deleted_at:
        raise _wrong_state(article, "恢复", "restore")
    article.deleted_at = None
    article.save(update_fields=["deleted_at", "updated_at"])
    audit_record(actor=by, action="article.restore", target=article, from_state="deleted",
                 to_state=article.status)  # fmt: skip
    _after_change(article)
    return article


def _after_change(article: Article) -> None:
    """After the commit: refresh this process's cached pages now, and run the
    follow-up pipeline (counters today; index, rank and feed in later issues)."""
    from zixun.articles.tasks import article_after_change_task

    transaction.on_commit(blocks_invalidate)
    transaction.on_commit(partial(article_after_change_task.enqueue, article_id=article.pk))


# Images -------------------------------------------------------------------------------------


@transaction.atomic
def image_upload(*, creator: Creator, by: User, data: bytes, alt: str) -> Image:
    """Store a cleaned image (type checked by content, metadata stripped, renditions made)."""
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from zixun.articles.media import ALT_REQUIRED, image_process

    if not (_is_member(by, creator) or by.is_editor):
        raise PermissionDenied(NOT_A_MEMBER)
    alt = " ".join(alt.split())[:200]
    if not alt:
        raise ArticleError(ALT_REQUIRED)
    try:
        processed = image_process(
            data, max_bytes=settings.ZIXUN_UPLOAD_MAX_BYTES,
            max_pixels=settings.ZIXUN_UPLOAD_MAX_PIXELS,
        )  # fmt: skip
    except ValueError as error:
        raise ArticleError(str(error)) from error
    original = processed.original
    image = Image(
        creator=creator, uploaded_by=by, alt=alt, width=original.width, height=original.height
    )
    image.file.save(f"{creator.pk}.{original.extension}", ContentFile(original.content), save=False)
    stem = image.file.name.rsplit(".", 1)[0]
    image.renditions = {
        str(r.width): default_storage.save(
            f"{stem}-{r.width}.{r.extension}", ContentFile(r.content)
        )
        for r in processed.renditions
    }
    image.save()
    audit_record(actor=by, action="image.upload", target=image, data={"creator_id": creator.pk})
    return image
