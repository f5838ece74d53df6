"""Going live and going offline: publish, schedule, unpublish, take down, delete,
restore, pin, with the background tasks of the pipeline beside them.

The states and who may move an article between them:

    draft ──submit──▶ pending ──approve──▶ scheduled ──(due)──▶ published
      ▲   (trusted accounts skip pending)  │    └──────────────▶ published
      │                       └──reject──▶ rejected
      └── edit (pending, scheduled, rejected, unpublished go back to draft)
    published ──unpublish──▶ unpublished;  any ──delete──▶ deleted (deleted_at) ──restore──▶ back
    published, scheduled ──takedown (an editor, not a member; reason)──▶ taken_down
    taken_down ──lift (an editor only)──▶ unpublished

Creators (members of the account) write, submit, unpublish and delete; editors
approve, reject, take down, lift, restore and pin. An editor's unpublish of an
article of an account they are not a member of is a takedown (已下架): its
members can neither submit it, edit it back to draft nor revise it, and a
delete then restore brings it back taken down, not live. Only
``article_takedown_lift`` ends it, back to unpublished, from where the account
edits and submits it as usual. A takedown also marks every revision the article
had (``Revision.taken_down_at``): the public history never shows them again.

A suspended account (``Creator.is_suspended``) publishes nothing: submit,
approve and revise are refused, and its scheduled articles stay scheduled (the
due sweep skips them) until the suspension ends.

Every state change writes an audit entry in the same transaction, and the
follow-up work runs after the commit (``article_after_change_task``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from zixun.accounts.models import User
from zixun.articles.models import Article, PendingChange, Revision
from zixun.articles.services.checks import (
    DELETED,
    REASON_REQUIRED,
    ArticleError,
    is_member,
    require_editor,
    require_member,
    wrong_state,
)
from zixun.articles.services.counters import creator_articles_recount
from zixun.audit.services import audit_record
from zixun.core.search import search_backend
from zixun.core.sitecache import site_version_bump
from zixun.events.services import Kind, event_record

Status = Article.Status
# Sent by the pipeline after any change an article's readers may see (publish, edit,
# unpublish, takedown, delete, restore) with ``article_id`` and ``change``: what happened,
# for the receivers that tell someone ("published", "revised", "taken_down"; "" for the
# rest), and ``change_id``: the PendingChange's id (0 with no change), the same on every run
# of that change's follow-up, for receivers to send their event once. Apps above articles
# (ranking, webhooks) listen; receivers take **kwargs and recompute from the database.
article_changed = Signal()
PUBLISH_NOTE = _("发布")


def revision_add(article: Article, *, by: User | None, note: str = "") -> Revision:
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


def go_live(article: Article, *, by: User | None, from_state: str) -> Article:
    """Publish now, or schedule and enqueue the publish for ``scheduled_at``.
    Call inside the transaction holding the article's row lock."""
    if article.scheduled_at is None:
        return _publish(article, by=by, from_state=from_state, at=timezone.now())
    article.status = Status.SCHEDULED
    article.save()
    audit_record(
        actor=by, action="article.schedule", target=article, from_state=from_state,
        to_state=Status.SCHEDULED, data={"scheduled_at": article.scheduled_at.isoformat()},
    )  # fmt: skip
    when = article.scheduled_at
    transaction.on_commit(partial(_enqueue_due, when=when, article_id=article.pk))
    return article


def _enqueue_due(*, when: datetime, article_id: int) -> None:
    from django_tasks import default_task_backend

    if default_task_backend.supports_defer:
        article_publish_due_task.using(run_after=when).enqueue(article_id=article_id)
    # Without deferral (the immediate backend), `zixun publish-due` or the next
    # worker sweep publishes it; see article_publish_due.


def _publish(article: Article, *, by: User | None, from_state: str, at: datetime) -> Article:
    """Go live. A re-approved edit keeps its first publication time (and shows 更新于)."""
    article.status = Status.PUBLISHED
    first = article.published_at is None
    if first or article.revised_at is None:
        article.published_at = at
    article.scheduled_at = None
    note, article.pending_note = article.pending_note or str(PUBLISH_NOTE), ""
    article.save()
    revision_add(article, by=by, note=note)
    audit_record(actor=by, action="article.publish", target=article, from_state=from_state,
                 to_state=Status.PUBLISHED)  # fmt: skip
    if first:
        event_record(Kind.PUBLISH, article_id=article.pk, creator_id=article.creator_id, at=at)
    after_change(article, change="published")
    return article


@transaction.atomic
def article_publish_due(*, article_id: int) -> bool:
    """Publish a scheduled article whose time has come; True if this call published it.

    Safe to call any number of times, from any number of workers: the row lock
    and the state check let exactly one call publish.
    """
    article = (
        Article.objects.select_for_update()
        .filter(
            pk=article_id,
            status=Status.SCHEDULED,
            deleted_at__isnull=True,
            creator__is_suspended=False,  # waits, scheduled, until the suspension ends
        )
        .first()
    )
    if article is None or article.scheduled_at is None or article.scheduled_at > timezone.now():
        return False
    _publish(article, by=None, from_state=Status.SCHEDULED, at=article.scheduled_at)
    return True


def articles_publish_due() -> int:
    """Publish every scheduled article that is due (the repair sweep); returns how many."""
    due = Article.objects.filter(
        status=Status.SCHEDULED,
        scheduled_at__lte=timezone.now(),
        deleted_at__isnull=True,
        creator__is_suspended=False,
    ).values_list("pk", flat=True)
    return sum(article_publish_due(article_id=pk) for pk in list(due))


@transaction.atomic
def article_unpublish(*, article: Article, by: User, reason: str = "") -> Article:
    """Take a published or scheduled article offline.

    A member's unpublish is 已下线, which the account may edit and submit again. An
    editor's unpublish of another account's article is a takedown (已下架, with a
    reason): only an editor lifts it (``article_takedown_lift``).
    """
    article = Article.objects.select_for_update().select_related("creator").get(pk=article.pk)
    require_member(by, article)
    if article.status not in {Status.PUBLISHED, Status.SCHEDULED} or article.deleted_at:
        raise wrong_state(article, _("下线"))
    if not is_member(by, article.creator):
        return _take_down(article, by=by, reason=reason)
    previous = article.status
    article.status = Status.UNPUBLISHED
    article.scheduled_at = None
    article.save()
    audit_record(
        actor=by, action="article.unpublish", target=article, from_state=previous,
        to_state=Status.UNPUBLISHED, reason=reason.strip(),
    )  # fmt: skip
    after_change(article)
    return article


@transaction.atomic
def article_takedown(*, article: Article, by: User, reason: str) -> Article:
    """已下架 by an editor (a report's decision, the review page), whoever the editor is."""
    require_editor(by)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status not in {Status.PUBLISHED, Status.SCHEDULED} or article.deleted_at:
        raise wrong_state(article, _("下架"))
    return _take_down(article, by=by, reason=reason)


@transaction.atomic
def article_reinstate(*, article: Article, by: User, reason: str) -> Article:
    """An appeal upheld: a taken-down article goes live again as it was, keeping its first
    publication time; the revisions the takedown hid are public again."""
    require_editor(by)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Status.TAKEN_DOWN or article.deleted_at:
        raise wrong_state(article, _("恢复发布"))
    article.status = Status.PUBLISHED
    article.takedown_reason = ""
    if article.published_at is None:
        article.published_at = timezone.now()
    article.save()
    article.revisions.update(taken_down_at=None)
    audit_record(actor=by, action="article.reinstate", target=article,
                 from_state=Status.TAKEN_DOWN, to_state=Status.PUBLISHED, reason=reason)  # fmt: skip
    after_change(article, change="published")
    return article


WRONG_LABEL = _("未知的标注")
LABEL_URL_REQUIRED = _("请给出证据链接（http 或 https 开头）")
LABEL_NOTE_TOO_LONG = _("说明不能超过 %(limit)s 个字符")


@transaction.atomic
def article_label_set(*, article: Article, by: User, label: str, url: str = "", note: str = "") -> Article:  # fmt: skip
    """An editor labels an article 辟谣, 不实信息 or 有争议 with an evidence link and a note
    (shown on the page and on every card), or removes the label (``label=""``)."""
    require_editor(by)
    if label not in Article.Label.values:
        raise ArticleError(WRONG_LABEL)
    url, note = url.strip(), " ".join(note.split())
    if label and not url.startswith(("http://", "https://")):
        raise ArticleError(LABEL_URL_REQUIRED)
    if len(url) > 500:
        raise ArticleError(LABEL_URL_REQUIRED)
    if len(note) > 200:
        raise ArticleError(LABEL_NOTE_TOO_LONG, limit=200)
    article = Article.objects.select_for_update().get(pk=article.pk)
    previous = article.label
    article.label, article.label_url, article.label_note = (
        label,
        url if label else "",
        note if label else "",
    )
    article.save(update_fields=["label", "label_url", "label_note", "updated_at"])
    audit_record(actor=by, action="article.label" if label else "article.unlabel", target=article,
                 from_state=previous, to_state=label, reason=note, data={"url": url} if label else None)  # fmt: skip
    transaction.on_commit(site_version_bump)
    return article


def article_moderation_set(*, article_id: int, duplicate_of: int | None, clickbait: float) -> bool:
    """Store what the moderation pipeline found after a publish or an edit (the original this
    article nearly copies, its 标题党 score). No new site version: lists pick it up as their
    cached blocks expire. Returns whether anything changed."""
    changed = (
        Article.objects.filter(pk=article_id)
        .exclude(duplicate_of_id=duplicate_of, clickbait=clickbait)
        .update(duplicate_of_id=duplicate_of, clickbait=clickbait)
    )
    return bool(changed)


def _take_down(article: Article, *, by: User, reason: str) -> Article:
    """已下架: an editor's takedown. Call with the row locked."""
    if not reason.strip():
        raise ArticleError(REASON_REQUIRED)  # an editor's takedown says why
    previous = article.status
    now = timezone.now()
    article.status = Status.TAKEN_DOWN
    article.takedown_reason = reason.strip()
    article.scheduled_at = None
    article.pinned_at = None
    article.save()
    hidden = article.revisions.filter(taken_down_at__isnull=True).update(taken_down_at=now)
    audit_record(
        actor=by, action="article.takedown", target=article, from_state=previous,
        to_state=Status.TAKEN_DOWN, reason=article.takedown_reason,
        data={"revisions_hidden": hidden},
    )  # fmt: skip
    after_change(article, change="taken_down")
    return article


@transaction.atomic
def article_takedown_lift(*, article: Article, by: User, reason: str = "") -> Article:
    """An editor lifts a takedown: the article goes to 已下线 (unpublished), not live.

    Its account may then edit and submit it as any unpublished article (through
    review unless trusted). The revisions hidden by the takedown stay out of the
    public history; the next publish adds a new one.
    """
    require_editor(by)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Status.TAKEN_DOWN:
        raise wrong_state(article, _("解除下架"))
    article.status = Status.UNPUBLISHED
    article.takedown_reason = ""
    article.save()
    audit_record(
        actor=by, action="article.takedown_lift", target=article, from_state=Status.TAKEN_DOWN,
        to_state=Status.UNPUBLISHED, reason=reason.strip(),
    )  # fmt: skip
    after_change(article)
    return article


@transaction.atomic
def article_delete(*, article: Article, by: User) -> Article:
    """Soft-delete: hidden everywhere, kept for editors to restore."""
    article = Article.objects.select_for_update().select_related("creator").get(pk=article.pk)
    require_member(by, article)
    if article.deleted_at:
        raise ArticleError(DELETED)
    article.deleted_at = timezone.now()
    article.save(update_fields=["deleted_at", "updated_at"])
    audit_record(actor=by, action="article.delete", target=article, from_state=article.status,
                 to_state="deleted")  # fmt: skip
    after_change(article)
    return article


@transaction.atomic
def article_restore(*, article: Article, by: User) -> Article:
    require_editor(by)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not article.deleted_at:
        raise wrong_state(article, _("恢复"))
    article.deleted_at = None
    article.save(update_fields=["deleted_at", "updated_at"])
    audit_record(actor=by, action="article.restore", target=article, from_state="deleted",
                 to_state=article.status)  # fmt: skip
    after_change(article)
    return article


@transaction.atomic
def article_pin(*, article: Article, by: User, pinned: bool) -> Article:
    """置顶: an editor pins a published article to the home page, or unpins it."""
    require_editor(by)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if pinned and (article.status != Status.PUBLISHED or article.deleted_at):
        raise wrong_state(article, _("置顶"))
    if bool(article.pinned_at) == pinned:
        return article
    article.pinned_at = timezone.now() if pinned else None
    article.save(update_fields=["pinned_at", "updated_at"])
    audit_record(actor=by, action="article.pin" if pinned else "article.unpin", target=article)
    after_change(article)
    return article


def after_change(article: Article, *, change: str = "") -> None:
    """After the commit: start a new site version in this process's view at once, and run
    the follow-up pipeline. Marked for search in the change's own transaction, so that a crash
    before the index catches up leaves a mark for ``zixun search-reindex --dirty``."""
    search_backend().mark_dirty(article_ids=[article.pk])
    # A change someone is told of is recorded too, so that a lost task still tells them.
    change_id = (
        PendingChange.objects.create(article_id=article.pk, change=change).pk if change else 0
    )
    transaction.on_commit(site_version_bump)
    transaction.on_commit(
        partial(
            article_after_change_task.enqueue,
            article_id=article.pk,
            change=change,
            change_id=change_id,
        )
    )


# Tasks (django-tasks): each is idempotent -----------------------------------------------------


@task()
def article_publish_due_task(*, article_id: int) -> bool:
    """定时发布: publish the article if it is still scheduled and due."""
    return article_publish_due(article_id=article_id)


@task()
def article_after_change_task(*, article_id: int, change: str = "", change_id: int = 0) -> None:
    """publish → index → (rank → feed: the ranking app's slot, see docs/architecture.md)
    → counters and caches.

    Recomputes from the database, so a retry or a second worker changes nothing; the
    receivers send a change's event once per ``change_id``. The search index comes last but
    one: it clears the article's dirty mark (set in the change's transaction), and the
    change's PendingChange goes last, so a follow-up cut short anywhere leaves a mark for
    ``article_followups_repair``.
    """
    creator_id = Article.objects.filter(pk=article_id).values_list("creator_id", flat=True).first()
    # ranking: related lists; webhooks: the account's receivers
    article_changed.send_robust(
        sender=Article, article_id=article_id, change=change, change_id=change_id
    )
    if creator_id is not None:
        creator_articles_recount(creator_ids=[creator_id])
    search_backend().index(article_ids=[article_id])  # also drops an article gone offline
    site_version_bump()
    if change_id:
        PendingChange.objects.filter(pk=change_id).delete()


REPAIR_AFTER = timedelta(minutes=2)  # a follow-up normally ends within seconds of its change


def article_followups_repair(*, older_than: timedelta = REPAIR_AFTER, limit: int = 500) -> int:
    """Run, here and now, the follow-up of every change that has not finished it for
    ``older_than``: the task was lost (a crash between the commit and the enqueue, a worker
    killed while it ran). Returns how many ran. A change someone is told of (a PendingChange)
    runs with its kind and id, so its webhook event is sent, and only once; the rest run as a
    plain update."""
    cutoff = timezone.now() - older_than
    ran = 0
    pending = PendingChange.objects.filter(created_at__lt=cutoff).order_by("id")[:limit]
    for change_id, article_id, change in pending.values_list("pk", "article_id", "change"):
        article_after_change_task.call(article_id=article_id, change=change, change_id=change_id)
        ran += 1
    marked = search_backend().dirty_ids(limit=limit)
    stale = Article.objects.filter(pk__in=marked, updated_at__lt=cutoff).values_list(
        "pk", flat=True
    )
    for article_id in list(stale):
        article_after_change_task.call(article_id=article_id, change="")
        ran += 1
    return ran
