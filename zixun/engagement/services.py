"""Readers taking part: likes, favourites, shares, comments (跟贴).

Counters stay exact under concurrency: a row and its counter change in one
transaction, the row guarded by a unique constraint, the counter moved with an
atomic ``F()`` update only when the row really changed. A replayed request
finds the row already there (or gone) and changes nothing. `zixun recount`
rebuilds every counter from the rows.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Count, F, Model, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.articles.services.counters import (
    article_counter_add,
    article_counters_recompute,
    article_ids_lock,
)
from zixun.audit.services import audit_record
from zixun.core.counters import counted_row_set
from zixun.core.errors import ServiceError
from zixun.core.moderation import Verdict
from zixun.creators.selectors import creator_suspended_for_member
from zixun.engagement.models import Comment, CommentBan, Favorite, Like, Reading, Share
from zixun.events.services import Kind, event_record

ARTICLE_UNAVAILABLE = _("文章不存在或已下线")
SHARE_CHANNEL_INVALID = _("未知的分享方式")
COMMENT_EMPTY = _("跟贴不能为空")
COMMENT_TOO_LONG = _("跟贴不能超过 %(limit)s 个字符")
COMMENT_NOT_FOUND = _("跟贴不存在")
COMMENT_REPLY_UNAVAILABLE = _("不能回复已删除或未公开的跟贴")
COMMENT_NOT_YOURS = _("只能修改或删除自己的跟贴")
COMMENT_BLOCKED = _("跟贴包含不允许的内容")
COMMENT_BLOCKED_RULE = _("跟贴含有“%(rule)s”词库中的违规内容，请修改后再发")
COMMENT_BANNED = _("你已被禁言至 %(until)s（理由：%(reason)s），暂时不能发表或修改跟贴")
COMMENT_BANNED_FOREVER = _("你已被禁言（理由：%(reason)s），不能发表或修改跟贴")
BAN_REASON_REQUIRED = _("请写明禁言理由")
BAN_UNTIL_PAST = _("禁言结束时间须晚于现在")
COMMENT_EDITORS_ONLY = _("只有编辑可以审核跟贴")
COMMENT_SUSPENDED = _("你所在的账号“%(name)s”已被停用，不能发表或修改跟贴")


class EngagementError(ServiceError):
    pass


# Sent (robustly) after the commit that shows a comment for the first time (posted, or
# approved by an editor), with ``comment_id``. The webhooks app listens (comment.created).
comment_visible = Signal()
# Sent (robustly) after the commit of any change to what an article's pages show of its
# comments (one shown, edited while shown, deleted, hidden or held again), with
# ``article_id``. The web app listens: it forgets the article's cached pages.
comment_changed = Signal()


def _comment_changed(article_id: int) -> None:
    transaction.on_commit(
        partial(comment_changed.send_robust, sender=Comment, article_id=article_id)
    )


def _article_for_engagement(article_id: int, *, lock: bool = False) -> Article:
    queryset = Article.objects.filter(
        pk=article_id, status=Article.Status.PUBLISHED, deleted_at__isnull=True
    ).select_related("creator")
    if lock:
        queryset = queryset.select_for_update()
    article = queryset.first()
    if article is None:
        raise EngagementError(ARTICLE_UNAVAILABLE)
    return article


# 点赞 and 收藏 ------------------------------------------------------------------------------


def _toggle(model: type[Like] | type[Favorite], counter: str, kind: Kind, *, user: User,
            article_id: int, on: bool) -> int:  # fmt: skip
    """Add or remove the (user, article) row and move the counter with it; returns the count.
    The ranking event is recorded only when the row really changed."""
    article = _article_for_engagement(article_id)
    return counted_row_set(
        on=on,
        rows=model.objects.all(),
        values={"user": user, "article_id": article_id},
        move=partial(_counter_move, article, counter, kind, user),
    )


def _counter_move(article: Article, field: str, kind: Kind, user: User, delta: int) -> int:
    if delta:
        event_record(kind, user_id=user.pk, article_id=article.pk, creator_id=article.creator_id)
    return article_counter_add(article_id=article.pk, field=field, delta=delta)


def article_like(*, user: User, article_id: int) -> int:
    return _toggle(Like, "like_count", Kind.LIKE, user=user, article_id=article_id, on=True)


def article_unlike(*, user: User, article_id: int) -> int:
    return _toggle(Like, "like_count", Kind.UNLIKE, user=user, article_id=article_id, on=False)


def article_favorite(*, user: User, article_id: int) -> int:
    kind = Kind.FAVORITE
    return _toggle(Favorite, "favorite_count", kind, user=user, article_id=article_id, on=True)


def article_unfavorite(*, user: User, article_id: int) -> int:
    kind = Kind.UNFAVORITE
    return _toggle(Favorite, "favorite_count", kind, user=user, article_id=article_id, on=False)


# 分享 ----------------------------------------------------------------------------------------


@transaction.atomic
def article_share(*, user: User | None, article_id: int, channel: str) -> int:
    """Count one use of the share menu; returns the new share count."""
    if channel not in Share.Channel.values:
        raise EngagementError(SHARE_CHANNEL_INVALID)
    article = _article_for_engagement(article_id)
    Share.objects.create(article_id=article_id, user=user, channel=channel)
    event_record(Kind.SHARE, user_id=user.pk if user else None, article_id=article_id,
                 creator_id=article.creator_id)  # fmt: skip
    return article_counter_add(article_id=article_id, field="share_count", delta=1)


# 读完 (read-through) ---------------------------------------------------------------------------


def article_read_through(*, article_id: int, user_id: int | None, reader: str) -> bool:
    """A reader reached the end of the article (the page tells, after a while on it): a
    ranking event, once per reader and article per ZIXUN_VIEW_WINDOW_SECONDS; True if
    counted. ``reader`` identifies an anonymous reader (a digest of address and browser)."""
    _article_for_engagement(article_id)
    who = f"u{user_id}" if user_id is not None else reader
    key = f"readthrough:{article_id}:{who}"
    if not caches["shared"].add(key, 1, settings.ZIXUN_VIEW_WINDOW_SECONDS):
        return False
    event_record(Kind.READ, user_id=user_id, article_id=article_id)
    return True


# 跟贴 ----------------------------------------------------------------------------------------


def _screen(body: str, *, user: User, article: Article) -> Verdict:
    """The comment filter hook (ZIXUN_COMMENT_SCREEN): a Verdict (or, from a simpler hook, just
    its action: "allow", "review" or "block"). A block raises with the rule's name."""
    screen = import_string(settings.ZIXUN_COMMENT_SCREEN)
    verdict: Verdict | str = screen(body, user=user, article=article)
    if isinstance(verdict, str):
        verdict = Verdict(action=verdict, text=body)  # type: ignore[arg-type]
    if verdict.action == "block":
        if verdict.rule:
            raise EngagementError(COMMENT_BLOCKED_RULE, rule=verdict.rule)
        raise EngagementError(COMMENT_BLOCKED)
    return verdict


def _clean_body(body: str) -> str:
    body = "\n".join(line.rstrip() for line in body.strip().splitlines())
    limit = settings.ZIXUN_COMMENT_MAX_CHARS
    if not body:
        raise EngagementError(COMMENT_EMPTY)
    if len(body) > limit:
        raise EngagementError(COMMENT_TOO_LONG, limit=limit)
    return body


def _require_not_suspended(user: User) -> None:
    """Members of a suspended account, and readers banned from commenting (禁言), neither
    comment nor edit their comments."""
    suspended = creator_suspended_for_member(user=user)
    if suspended is not None:
        raise EngagementError(COMMENT_SUSPENDED, name=suspended.name)
    ban = CommentBan.objects.filter(user=user).first()
    if ban is None:
        return
    if ban.until is None:
        raise EngagementError(COMMENT_BANNED_FOREVER, reason=ban.reason)
    if ban.until > timezone.now():
        until = timezone.localtime(ban.until).strftime("%Y-%m-%d %H:%M")
        raise EngagementError(COMMENT_BANNED, until=until, reason=ban.reason)


def _held(verdict: Verdict, article: Article) -> bool:
    """Whether a new or edited comment waits for an editor: the filter hook asks for it,
    or comments are premoderated site-wide or on the article's account."""
    return (
        verdict.action == "review"
        or settings.ZIXUN_COMMENT_PREMODERATION
        or article.creator.comments_premoderated
    )


def _verdict_data(verdict: Verdict) -> dict[str, object] | None:
    """What the filter matched, for the editor (never shown to the writer)."""
    if not verdict.rule:
        return None
    return {"rule": verdict.rule, "words": list(verdict.words)}


def _region(ip: str) -> str:
    if not settings.ZIXUN_IP_REGION_RESOLVER or not ip:
        return ""
    resolve = import_string(settings.ZIXUN_IP_REGION_RESOLVER)
    region: str = resolve(ip) or ""
    return region[:20]


def _became_visible(comment: Comment, step: int, *, first: bool = False) -> None:
    """Move the article's (and the parent's) counters when a comment appears (+1) or goes (-1);
    a comment shown for the ``first`` time is a ranking event."""
    if first and comment.user_id:
        event_record(Kind.COMMENT, user_id=comment.user_id, article_id=comment.article_id)
    if first:
        transaction.on_commit(
            partial(comment_visible.send_robust, sender=Comment, comment_id=comment.pk)
        )
    _comment_changed(comment.article_id)
    article_counter_add(article_id=comment.article_id, field="comment_count", delta=step)
    if comment.parent_id:
        Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count") + step)


def _recent_same_comment(
    *, user: User, article: Article, parent: Comment | None, body: str
) -> Comment | None:
    """The reader's identical comment posted within ZIXUN_COMMENT_DEDUP_SECONDS (a double
    click or a resent form), which a repeat returns instead of storing a second copy."""
    seconds = settings.ZIXUN_COMMENT_DEDUP_SECONDS
    if seconds <= 0:
        return None
    since = timezone.now() - timedelta(seconds=seconds)
    return (
        Comment.objects.filter(
            user=user, article=article, parent=parent, body=body, created_at__gte=since
        )
        .exclude(status=Comment.Status.DELETED)
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def comment_create(
    *, user: User, article_id: int, body: str, parent_id: int | None = None, ip: str = ""
) -> Comment:
    """Write a comment or a reply. A reply to a reply joins its thread (one level deep)."""
    article = _article_for_engagement(article_id)
    _require_not_suspended(user)
    body = _clean_body(body)
    parent = None
    if parent_id is not None:
        parent = (
            Comment.objects.select_for_update()
            .filter(pk=parent_id, article_id=article_id, status=Comment.Status.VISIBLE)
            .first()
        )
        if parent is None:
            raise EngagementError(COMMENT_REPLY_UNAVAILABLE)
        if parent.parent_id:
            parent = Comment.objects.get(pk=parent.parent_id)
    repeat = _recent_same_comment(user=user, article=article, parent=parent, body=body)
    if repeat is not None:
        return repeat
    verdict = _screen(body, user=user, article=article)
    held = _held(verdict, article)
    comment = Comment.objects.create(
        article=article,
        user=user,
        parent=parent,
        body=verdict.text if verdict.action == "mask" else body,
        region=_region(ip),
        status=Comment.Status.PENDING if held else Comment.Status.VISIBLE,
    )
    if not held:
        _became_visible(comment, +1, first=True)
    else:
        audit_record(actor=user, action="comment.hold", target=comment, to_state=comment.status,
                     reason=verdict.action, data=_verdict_data(verdict))  # fmt: skip
    return comment


def _own_comment(user: User, comment_id: int) -> Comment:
    comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
    if comment is None or comment.status == Comment.Status.DELETED:
        raise EngagementError(COMMENT_NOT_FOUND)
    if comment.user_id != user.pk:
        raise EngagementError(COMMENT_NOT_YOURS)
    return comment


@transaction.atomic
def comment_edit(*, user: User, comment_id: int, body: str) -> Comment:
    """Edit one's own comment. Under premoderation (or when the filter hook asks), an edit
    of a visible comment goes back to review: the new text is not shown until approved."""
    comment = _own_comment(user, comment_id)
    _require_not_suspended(user)
    comment.body = _clean_body(body)
    comment.edited_at = timezone.now()
    article = Article.objects.select_related("creator").get(pk=comment.article_id)
    verdict = _screen(comment.body, user=user, article=article)
    if verdict.action == "mask":
        comment.body = verdict.text
    if comment.status == Comment.Status.VISIBLE and _held(verdict, article):
        comment.status = Comment.Status.PENDING  # held again until an editor looks
        _became_visible(comment, -1)
        audit_record(
            actor=user, action="comment.hold", target=comment, from_state=Comment.Status.VISIBLE,
            to_state=comment.status, reason=verdict.action, data=_verdict_data(verdict),
        )  # fmt: skip
    elif comment.status == Comment.Status.VISIBLE:
        _comment_changed(comment.article_id)  # the new text, on the pages at once
    comment.save(update_fields=["body", "status", "edited_at", "updated_at"])
    return comment


@transaction.atomic
def comment_delete(*, user: User, comment_id: int) -> Comment:
    """Delete one's own comment: its text goes; a thread with replies keeps its place."""
    comment = _own_comment(user, comment_id)
    was_visible = comment.status == Comment.Status.VISIBLE
    comment.status = Comment.Status.DELETED
    comment.body = ""
    comment.save(update_fields=["status", "body", "updated_at"])
    if was_visible:
        _became_visible(comment, -1)
    return comment


@transaction.atomic
def comment_review(*, comment_id: int, by: User, approve: bool, reason: str = "") -> Comment:
    """An editor publishes or rejects a held comment."""
    if not by.is_editor:
        raise EngagementError(COMMENT_EDITORS_ONLY)
    comment = (
        Comment.objects.select_for_update()
        .filter(pk=comment_id, status=Comment.Status.PENDING)
        .first()
    )
    if comment is None:
        raise EngagementError(COMMENT_NOT_FOUND)
    comment.status = Comment.Status.VISIBLE if approve else Comment.Status.REJECTED
    comment.save(update_fields=["status", "updated_at"])
    if approve:
        _became_visible(comment, +1, first=comment.edited_at is None)
    audit_record(
        actor=by, action="comment.approve" if approve else "comment.reject", target=comment,
        from_state=Comment.Status.PENDING, to_state=comment.status, reason=reason,
    )  # fmt: skip
    return comment


# Moderation (called by the moderation app's decisions) -----------------------------------


@transaction.atomic
def comment_hide(*, comment_id: int, by: User, reason: str) -> Comment:
    """A moderator removes a comment that was shown (已屏蔽); its author sees why."""
    if not by.is_editor:
        raise EngagementError(COMMENT_EDITORS_ONLY)
    comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
    if comment is None or comment.status == Comment.Status.DELETED:
        raise EngagementError(COMMENT_NOT_FOUND)
    if comment.status == Comment.Status.HIDDEN:
        return comment
    previous = comment.status
    comment.status = Comment.Status.HIDDEN
    comment.save(update_fields=["status", "updated_at"])
    if previous == Comment.Status.VISIBLE:
        _became_visible(comment, -1)
    audit_record(actor=by, action="comment.hide", target=comment, from_state=previous,
                 to_state=comment.status, reason=reason)  # fmt: skip
    return comment


@transaction.atomic
def comment_ban(
    *, user: User, by: User, reason: str, until: datetime | None, hide_all: bool = False
) -> tuple[CommentBan, int]:
    """禁言: bar ``user`` from commenting until ``until`` (None: until lifted); with
    ``hide_all``, also hide every comment of theirs that is shown or waiting. Returns the ban
    and how many comments were hidden."""
    if not by.is_editor:
        raise EngagementError(COMMENT_EDITORS_ONLY)
    reason = " ".join(reason.split())[:200]
    if not reason:
        raise EngagementError(BAN_REASON_REQUIRED)
    if until is not None and until <= timezone.now():
        raise EngagementError(BAN_UNTIL_PAST)
    ban, _created = CommentBan.objects.update_or_create(
        user=user, defaults={"until": until, "reason": reason, "by": by}
    )
    hidden = _comments_hide_all(user) if hide_all else 0
    audit_record(actor=by, action="comment.ban", target=user, reason=reason,
                 data={"until": until.isoformat() if until else None, "hidden": hidden})  # fmt: skip
    return ban, hidden


def _comments_hide_all(user: User) -> int:
    """Hide every shown or waiting comment of ``user`` at once (a spammer may have thousands):
    one update, then the counters moved once per article and per thread."""
    shown = Comment.objects.filter(
        user=user, status__in=[Comment.Status.VISIBLE, Comment.Status.PENDING]
    )
    visible = list(
        shown.filter(status=Comment.Status.VISIBLE).values_list("article_id", "parent_id")
    )
    hidden = shown.update(status=Comment.Status.HIDDEN, updated_at=timezone.now())
    for article_id, count in Counter(article for article, _parent in visible).items():
        article_counter_add(article_id=article_id, field="comment_count", delta=-count)
        _comment_changed(article_id)
    for parent_id, count in Counter(parent for _article, parent in visible if parent).items():
        Comment.objects.filter(pk=parent_id).update(reply_count=F("reply_count") - count)
    return hidden


@transaction.atomic
def comment_ban_lift(*, user: User, by: User, reason: str = "") -> bool:
    """End a ban early (an appeal, an editor's change of mind). Hidden comments stay hidden."""
    if not by.is_editor:
        raise EngagementError(COMMENT_EDITORS_ONLY)
    deleted, _kinds = CommentBan.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=by, action="comment.ban_lift", target=user, reason=reason)
    return bool(deleted)


# Repair ------------------------------------------------------------------------------------


def _counted(
    model: type[Model], field: str = "article", *conditions: Q, **filters: object
) -> Coalesce:
    """How many rows of ``model`` point at the outer row (a subquery)."""
    rows = (
        model._default_manager.filter(*conditions, **{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def engagement_recount() -> int:
    """Rebuild every article's like, favourite, share and comment counts and every
    thread's reply count from the rows; returns how many articles were updated."""
    with transaction.atomic():
        changed = article_counters_recompute(
            like_count=_counted(Like),
            favorite_count=_counted(Favorite),
            share_count=_counted(Share),
            comment_count=_counted(Comment, status=Comment.Status.VISIBLE),
        )
        Comment.objects.filter(parent__isnull=True).update(
            reply_count=_counted(Comment, "parent", status=Comment.Status.VISIBLE)
        )
    return changed


# When a user leaves (注销): called by the privacy app, in its transaction -----------------------


def likes_release(*, user: User) -> dict[str, int]:
    """Delete the user's likes and favourites and set the counters they touched from the
    rows that remain (equal to the rows, even if they had drifted).

    The touched articles are locked first: a concurrent like either committed
    before the lock (and is counted) or moves its counter after this transaction.
    Everything is a subquery, so a user with 100k likes binds no id list.
    """
    liked = Like.objects.filter(user=user).values("article_id")
    favorited = Favorite.objects.filter(user=user).values("article_id")
    articles = Article.objects.filter(Q(pk__in=liked) | Q(pk__in=favorited))
    article_ids_lock(articles=articles)
    others = ~Q(user=user)
    article_counters_recompute(
        articles=articles,
        like_count=_counted(Like, "article", others),
        favorite_count=_counted(Favorite, "article", others),
    )
    likes, _ = Like.objects.filter(user=user).delete()
    favorites, _ = Favorite.objects.filter(user=user).delete()
    return {"likes": likes, "favorites": favorites}


def comments_anonymise(*, user: User) -> int:
    """Keep the user's comments in their threads without their name; returns how many."""
    return Comment.objects.filter(user=user).update(user=None)


def reading_history_clear(*, user: User) -> int:
    """Forget every article the reader has opened; returns how many entries went."""
    deleted, _ = Reading.objects.filter(user=user).delete()
    return deleted
