"""Editors' interventions on the hot list, and the pipeline's hooks into ranking.

A pin puts an article at a place on the global hot list; a removal keeps it off
every hot list. Each needs a reason, is written to the audit log in the same
transaction, takes effect at once (a new site version) and is listed on the
public 热榜说明 page until and after it ends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.audit.services import audit_record
from zixun.core.errors import ServiceError
from zixun.core.interventions import intervention_reason
from zixun.core.sitecache import site_version_bump
from zixun.events.models import Event
from zixun.events.services import event_record
from zixun.ranking.models import Dislike, HotIntervention, Impression, Interest, ReaderSettings

Action = HotIntervention.Action
Kind = Event.Kind

HOT_EDITORS_ONLY = _("只有编辑可以调整热榜")
HOT_REASON_REQUIRED = _("请填写调整热榜的理由")
HOT_REASON_TOO_LONG = _("理由不能超过 %(limit)s 个字符")
HOT_ARTICLE_UNAVAILABLE = _("文章不存在或未发布，不能上热榜")
HOT_POSITION_INVALID = _("置顶位置应在 1 到 %(limit)s 之间")
HOT_ALREADY = _("这篇文章已有一项热榜调整，请先撤销")
HOT_INTERVENTION_NOT_FOUND = _("这项热榜调整不存在或已撤销")


class HotError(ServiceError):
    pass


def _checked(by: User, reason: str) -> str:
    return intervention_reason(by.is_editor, reason, error=HotError, editors_only=HOT_EDITORS_ONLY,
                               required=HOT_REASON_REQUIRED, too_long=HOT_REASON_TOO_LONG)  # fmt: skip


def _intervene(*, article_id: int, by: User, reason: str, action: str,
               position: int | None = None) -> HotIntervention:  # fmt: skip
    reason = _checked(by, reason)
    article = Article.objects.filter(
        pk=article_id, status=Article.Status.PUBLISHED, deleted_at__isnull=True
    ).first()
    if article is None and action == Action.PIN:
        raise HotError(HOT_ARTICLE_UNAVAILABLE)
    if article is None:
        article = Article.objects.filter(pk=article_id).first()
        if article is None:
            raise HotError(HOT_ARTICLE_UNAVAILABLE)
    try:
        with transaction.atomic():
            intervention = HotIntervention.objects.create(
                article=article, action=action, position=position, reason=reason, by=by
            )
            audit_record(actor=by, action=f"hot.{action}", target=article, reason=reason,
                         data={"position": position} if position else {})  # fmt: skip
    except IntegrityError:
        raise HotError(HOT_ALREADY) from None
    transaction.on_commit(site_version_bump)
    return intervention


def hot_pin(*, article_id: int, by: User, position: int, reason: str) -> HotIntervention:
    """Pin a published article at ``position`` (1 is the top) of the global hot list."""
    limit = settings.ZIXUN_HOT_SIZE
    if not 1 <= position <= limit:
        raise HotError(HOT_POSITION_INVALID, limit=limit)
    return _intervene(article_id=article_id, by=by, reason=reason, action=Action.PIN,
                      position=position)  # fmt: skip


def hot_remove(*, article_id: int, by: User, reason: str) -> HotIntervention:
    """Keep an article off every hot list, whatever its heat."""
    return _intervene(article_id=article_id, by=by, reason=reason, action=Action.REMOVE)


@transaction.atomic
def hot_intervention_end(*, intervention_id: int, by: User, reason: str) -> HotIntervention:
    """Undo a pin or a removal: the article goes back to its place by heat."""
    reason = _checked(by, reason)
    intervention = (
        HotIntervention.objects.select_for_update()
        .filter(pk=intervention_id, ended_at__isnull=True)
        .select_related("article")
        .first()
    )
    if intervention is None:
        raise HotError(HOT_INTERVENTION_NOT_FOUND)
    intervention.ended_at = timezone.now()
    intervention.ended_by = by
    intervention.end_reason = reason
    intervention.save(update_fields=["ended_at", "ended_by", "end_reason", "updated_at"])
    audit_record(actor=by, action=f"hot.un{intervention.action}", target=intervention.article,
                 reason=reason)  # fmt: skip
    transaction.on_commit(site_version_bump)
    return intervention


# Reader controls (算法推荐的开关, interest tags, 不感兴趣): effective at once ----------------------

DISLIKE_REASON_INVALID = _("请选择不感兴趣的原因")
INTEREST_NOT_FOUND = _("这个兴趣标签不存在")


def personalization_set(*, user: User, on: bool) -> ReaderSettings:
    """Turn personalized recommendations on or off; off, the feed is hot and latest only."""
    reader, _created = ReaderSettings.objects.update_or_create(
        user=user, defaults={"personalized": on}
    )
    return reader


def interest_remove(*, user: User, interest_id: int) -> Interest:
    """Delete one of the reader's interest tags: it stops counting at once and is not learned
    again (``removed``); articles carrying a deleted keyword leave their feed."""
    interest = Interest.objects.filter(pk=interest_id, user=user).first()
    if interest is None:
        raise HotError(INTEREST_NOT_FOUND)
    interest.removed = True
    interest.weight = 0.0
    interest.save(update_fields=["removed", "weight", "updated_at"])
    return interest


def interests_clear(*, user: User) -> int:
    """Delete every interest tag the reader has (they start from nothing); returns how many."""
    return Interest.objects.filter(user=user, removed=False).update(removed=True, weight=0.0)


@transaction.atomic
def article_dislike(*, user: User, article_id: int, reason: str) -> Dislike:
    """不感兴趣: hide the article from the reader's feed at once, and with ``reason`` "account"
    or "topic" every article of that account or channel too."""
    if reason not in Dislike.Reason.values:
        raise HotError(DISLIKE_REASON_INVALID)
    article = Article.objects.filter(pk=article_id, deleted_at__isnull=True).first()
    if article is None:
        raise HotError(HOT_ARTICLE_UNAVAILABLE)
    dislike, created = Dislike.objects.update_or_create(
        user=user, article=article,
        defaults={"reason": reason, "creator_id": article.creator_id,
                  "channel_id": article.channel_id},
    )  # fmt: skip
    if created:
        event_record(Kind.DISLIKE, user_id=user.pk, article_id=article.pk,
                     creator_id=article.creator_id)  # fmt: skip
    if reason == Dislike.Reason.TOPIC and article.channel_id:
        Interest.objects.filter(
            user=user, kind=Interest.Kind.CHANNEL, key=str(article.channel_id)
        ).update(removed=True, weight=0.0)
    return dislike


def dislike_undo(*, user: User, dislike_id: int) -> None:
    Dislike.objects.filter(pk=dislike_id, user=user).delete()


def reader_ranking_forget(*, user: User) -> dict[str, int]:
    """Everything recommendations know about a reader who leaves (注销) or asks: interests,
    不感兴趣, settings and their impression log."""
    interests, _ = Interest.objects.filter(user=user).delete()
    dislikes, _ = Dislike.objects.filter(user=user).delete()
    ReaderSettings.objects.filter(user=user).delete()
    impressions, _ = Impression.objects.filter(user_id=user.pk).delete()
    return {"interests": interests, "dislikes": dislikes, "impressions": impressions}
