"""Webhooks: a creator account's members register receivers; the pipeline's events are
sent to them, signed, retried with backoff, logged (docs/webhooks.md).

    article_changed (articles, after the commit) ─┐
    comment_visible (engagement, after the commit) ┴▶ event_emit: a Delivery per hook
        ─(on commit)▶ webhook_deliver_task ▶ delivery_attempt ─ 2xx ▶ delivered
                                                   └─ else ▶ failed, retried at
        1 min, 5 min, 30 min, 2 h, 6 h (run_after) ▶ gave up (the 6th failure)

``delivery_attempt`` is the one place a delivery is sent. The task calls it, the
sweep ``zixun webhooks-sweep`` calls it for whatever is due (the repair path, and the
retry path when the task backend cannot defer), and tests call it directly. It
claims the delivery with one conditional UPDATE, so two workers never send the
same attempt.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta
from functools import lru_cache, partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from zixun.accounts.models import User
from zixun.articles.services.checks import NOT_A_MEMBER, is_member
from zixun.audit.services import audit_record
from zixun.core.errors import ServiceError
from zixun.core.safefetch import (
    FetchError,
    IPNetwork,
    UnsafeURLError,
    networks_parse,
    safe_request,
    url_vet,
)
from zixun.creators.models import Creator
from zixun.webhooks import payloads, selectors
from zixun.webhooks.models import Delivery, Webhook
from zixun.webhooks.signing import body_encode, delivery_headers, secret_generate

logger = logging.getLogger(__name__)

Event = Webhook.Event
Status = Delivery.Status

# The waits after the 1st … 5th failed attempt; the 6th failure gives up (~8.6 h in all).
BACKOFF_SECONDS = (60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
DISABLE_AFTER = 20  # deliveries in a row that gave up switch the hook off
TIMEOUT_SECONDS = 5.0  # to connect, and for each read
RESPONSE_MAX_BYTES = 4096
MAX_REDIRECTS = 3
# A claimed attempt is not claimed again for this long: longer than the slowest attempt
# (a connection and a read per address and redirect, 5 s each).
LEASE_SECONDS = 120
MAX_WEBHOOKS = 10  # per account
RETENTION_DAYS = 30
KEEP_PER_WEBHOOK = 200
URL_MAX = 500
SUBSCRIBABLE = [e for e in Event.values if e != Event.WEBHOOK_TEST]
ARTICLE_EVENTS = {
    "published": Event.ARTICLE_PUBLISHED,
    "revised": Event.ARTICLE_UPDATED,
    "taken_down": Event.ARTICLE_TAKEN_DOWN,
}

URL_REQUIRED = _("请填写接收通知的地址")
URL_TOO_LONG = _("地址不能超过 %(limit)s 个字符")
EVENTS_REQUIRED = _("请至少选择一种事件")
EVENT_UNKNOWN = _("未知的事件")
WEBHOOK_LIMIT = _("每个账号最多添加 %(limit)s 个通知地址")
ACCOUNT_SUSPENDED = _("账号“%(name)s”已被停用，不能添加或启用通知地址")
WEBHOOK_INACTIVE = _("通知地址已停用，请先启用再重新发送")
NOT_REDELIVERABLE = _("只有失败或已放弃的投递可以重新发送")


class WebhookError(ServiceError):
    pass


@lru_cache(maxsize=4)
def _networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return networks_parse(values)


def allowed_networks() -> tuple[IPNetwork, ...]:
    """The private networks the operator allows (ZIXUN_WEBHOOK_ALLOWED_NETWORKS)."""
    return _networks(tuple(settings.ZIXUN_WEBHOOK_ALLOWED_NETWORKS))


def webhook_url_check(url: str) -> str:
    """``url`` stripped, if hooks may be sent to it now; raises a ServiceError that says why."""
    url = url.strip()
    if not url:
        raise WebhookError(URL_REQUIRED)
    if len(url) > URL_MAX:
        raise WebhookError(URL_TOO_LONG, limit=URL_MAX)
    url_vet(url, allowed_networks=allowed_networks())  # UnsafeURLError: a ServiceError
    return url


def _events_clean(events: list[str]) -> list[str]:
    if any(event not in SUBSCRIBABLE for event in events):
        raise WebhookError(EVENT_UNKNOWN)
    cleaned = [event for event in SUBSCRIBABLE if event in events]
    if not cleaned:
        raise WebhookError(EVENTS_REQUIRED)
    return cleaned


def _require_member(user: User, creator: Creator) -> None:
    """Members only, not editors: a hook sends the account's events where its members say."""
    if not is_member(user, creator):
        raise PermissionDenied(NOT_A_MEMBER)


def _audit_data(webhook: Webhook) -> dict[str, Any]:
    # The host only: a receiver's path or query may hold its own token.
    host = webhook.url.split("//", 1)[-1].split("/", 1)[0].split("?", 1)[0]
    return {"creator_id": webhook.creator_id, "host": host, "events": webhook.events}


def webhook_create(*, creator: Creator, by: User, url: str, events: list[str]) -> tuple[Webhook, str]:  # fmt: skip
    """Register a receiver; returns it and its secret, which the member sees this once."""
    _require_member(by, creator)
    events = _events_clean(events)
    url = webhook_url_check(url)  # resolves the name: before the transaction, not in it
    with transaction.atomic():
        creator = Creator.objects.select_for_update().get(pk=creator.pk)  # serializes the count
        if creator.is_suspended:
            raise WebhookError(ACCOUNT_SUSPENDED, name=creator.name)
        if Webhook.objects.filter(creator=creator).count() >= MAX_WEBHOOKS:
            raise WebhookError(WEBHOOK_LIMIT, limit=MAX_WEBHOOKS)
        secret = secret_generate()
        webhook = Webhook.objects.create(
            creator=creator, url=url, secret=secret, events=events, created_by=by
        )
        audit_record(actor=by, action="webhook.create", target=webhook, data=_audit_data(webhook))
    return webhook, secret


@transaction.atomic
def webhook_update(*, webhook: Webhook, by: User, events: list[str], is_active: bool) -> Webhook:
    """Change the events a hook wants, or switch it off or on (on again: its failures reset)."""
    webhook = Webhook.objects.select_for_update().select_related("creator").get(pk=webhook.pk)
    _require_member(by, webhook.creator)
    webhook.events = _events_clean(events)
    if is_active and not webhook.is_active:
        if webhook.creator.is_suspended:
            raise WebhookError(ACCOUNT_SUSPENDED, name=webhook.creator.name)
        webhook.failure_count = 0
        webhook.disabled_at = None
    previous = "active" if webhook.is_active else "inactive"
    webhook.is_active = is_active
    webhook.save()
    audit_record(actor=by, action="webhook.update", target=webhook, from_state=previous,
                 to_state="active" if is_active else "inactive", data=_audit_data(webhook))  # fmt: skip
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook, by: User) -> None:
    """Remove a hook and its delivery log; a delivery in flight finds it gone and stops."""
    webhook = Webhook.objects.select_for_update().select_related("creator").get(pk=webhook.pk)
    _require_member(by, webhook.creator)
    audit_record(actor=by, action="webhook.delete", target=webhook, data=_audit_data(webhook))
    webhook.delete()


@transaction.atomic
def webhook_test_send(*, webhook: Webhook, by: User) -> Delivery:
    """发送测试: one webhook.test delivery, sent at once (even to a hook switched off), with
    no retries: the member watching the log presses again."""
    webhook = Webhook.objects.select_related("creator").get(pk=webhook.pk)
    _require_member(by, webhook.creator)
    return _delivery_add(webhook, Event.WEBHOOK_TEST, payloads.test_data(webhook.creator))


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery, by: User) -> Delivery:
    """Send a failed delivery again, now, with a fresh round of retries; same event id."""
    delivery = (
        Delivery.objects.select_for_update().select_related("webhook__creator").get(pk=delivery.pk)
    )
    _require_member(by, delivery.webhook.creator)
    if delivery.status not in {Status.FAILED, Status.GAVE_UP}:
        raise WebhookError(NOT_REDELIVERABLE)
    if not delivery.webhook.is_active and delivery.event != Event.WEBHOOK_TEST:
        raise WebhookError(WEBHOOK_INACTIVE)
    previous = delivery.status
    delivery.status = Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save()
    audit_record(actor=by, action="webhook.redeliver", target=delivery.webhook,
                 from_state=previous, to_state=Status.PENDING,
                 data={"delivery": str(delivery.event_id), "event": delivery.event})  # fmt: skip
    transaction.on_commit(partial(_enqueue, delivery_id=delivery.pk))
    return delivery


# Events -------------------------------------------------------------------------------------


# The namespace of the event ids derived from a source's key (uuid5): one event per hook.
EVENT_NAMESPACE = uuid.UUID("0b6f5a52-8d0e-4c57-9a57-2f1b8d6f0e11")


def _delivery_add(
    webhook: Webhook, event: str, data: dict[str, Any], *, event_id: uuid.UUID | None = None
) -> Delivery:
    """A pending delivery of ``event``, sent after the commit; the hook's log trimmed."""
    delivery = Delivery(webhook=webhook, event=event, next_attempt_at=timezone.now())
    if event_id is not None:
        delivery.event_id = event_id
    delivery.payload = payloads.envelope(event=event, event_id=delivery.event_id, data=data)
    delivery.save()
    _log_trim(webhook.pk)
    transaction.on_commit(partial(_enqueue, delivery_id=delivery.pk))
    return delivery


@transaction.atomic
def event_emit(
    *, creator_id: int, event: str, data: dict[str, Any], key: str = ""
) -> list[Delivery]:
    """A delivery of ``event`` to each of the account's active hooks that wants it; with a
    ``key`` (what happened, e.g. a change of an article), only to the hooks that have not had it yet."""
    hooks = selectors.webhooks_listening(creator_id=creator_id, event=event)
    if not key:
        return [_delivery_add(hook, event, data) for hook in hooks]
    added = []
    for hook in hooks:
        # The event id comes from the key and the hook: a second emission of the same thing
        # (a follow-up run again) finds its delivery and adds nothing.
        event_id = uuid.uuid5(EVENT_NAMESPACE, f"{key}:{hook.pk}")
        if Delivery.objects.filter(event_id=event_id).exists():
            continue
        try:
            with transaction.atomic():
                added.append(_delivery_add(hook, event, data, event_id=event_id))
        except IntegrityError:
            continue  # the same emission, at the same moment, in another process
    return added


def article_event_emit(*, article_id: int, change: str, change_id: int = 0) -> list[Delivery]:
    """The webhook event of an article's change (``change`` as the pipeline names it), once
    per ``change_id`` when it is given."""
    event = ARTICLE_EVENTS.get(change)
    if event is None:
        return []
    article = selectors.article_for_event(article_id=article_id)
    if article is None or not selectors.webhooks_listening(creator_id=article.creator_id, event=event):  # fmt: skip
        return []
    return event_emit(
        creator_id=article.creator_id, event=event, data=payloads.article_data(article),
        key=f"article-change:{change_id}" if change_id else "",
    )  # fmt: skip


def comment_event_emit(*, comment_id: int) -> list[Delivery]:
    """comment.created for a comment shown for the first time (still visible now)."""
    comment = selectors.comment_for_event(comment_id=comment_id)
    if comment is None:
        return []
    creator_id = comment.article.creator_id
    if not selectors.webhooks_listening(creator_id=creator_id, event=Event.COMMENT_CREATED):
        return []
    return event_emit(
        creator_id=creator_id, event=Event.COMMENT_CREATED, data=payloads.comment_data(comment)
    )


# Delivery -----------------------------------------------------------------------------------


def _enqueue(*, delivery_id: int, at: datetime | None = None) -> None:
    from django_tasks import default_task_backend

    if at is None:
        webhook_deliver_task.enqueue(delivery_id=delivery_id)
    elif default_task_backend.supports_defer:
        webhook_deliver_task.using(run_after=at).enqueue(delivery_id=delivery_id)
    # Otherwise (the immediate backend) the sweep, `zixun webhooks-sweep`, sends it when due.


def delivery_attempt(*, delivery_id: int) -> Delivery | None:
    """Send a due delivery once and record the outcome; None if it was not due (sent,
    given up, not yet time, or claimed by another worker)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS), last_attempt_at=now)
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None:  # its hook was deleted since
        return None
    webhook = delivery.webhook
    if not webhook.is_active and delivery.event != Event.WEBHOOK_TEST:
        return _outcome_record(delivery, code=None, error="webhook switched off", final=True)
    body = body_encode(delivery.payload)
    timestamp = int(time.time())
    headers = delivery_headers(
        secret=webhook.secret, event=delivery.event, event_id=str(delivery.event_id),
        timestamp=timestamp, body=body,
    )  # fmt: skip
    code: int | None = None
    try:
        response = safe_request(
            webhook.url, method="POST", body=body, headers=headers,
            allowed_networks=allowed_networks(), timeout=TIMEOUT_SECONDS,
            max_redirects=MAX_REDIRECTS, max_body=RESPONSE_MAX_BYTES,
        )  # fmt: skip
        code = response.status
        error = "" if 200 <= code < 300 else f"HTTP {code}"
    except UnsafeURLError as refused:
        error = f"refused: {refused.reason}"
    except FetchError as failed:
        error = str(failed)
    return _outcome_record(delivery, code=code, error=error, final=False)


@transaction.atomic
def _outcome_record(delivery: Delivery, *, code: int | None, error: str, final: bool) -> Delivery | None:  # fmt: skip
    """Store one attempt's outcome: delivered, retried later, or given up (and count it)."""
    row = Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
    if row is None:  # the hook was deleted meanwhile
        return None
    delivery = row
    now = timezone.now()
    delivery.attempts += 1
    delivery.response_code = code
    delivery.error = error[:200]
    delivery.last_attempt_at = now
    is_test = delivery.event == Event.WEBHOOK_TEST
    if not error:
        delivery.status = Status.DELIVERED
        delivery.next_attempt_at = None
        if not is_test:
            Webhook.objects.filter(pk=delivery.webhook_id, failure_count__gt=0).update(
                failure_count=0
            )
    elif final or is_test or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = Status.GAVE_UP
        delivery.next_attempt_at = None
        if not (final or is_test):
            _failure_count(delivery.webhook_id)
    else:
        delivery.status = Status.FAILED
        delivery.next_attempt_at = now + timedelta(seconds=BACKOFF_SECONDS[delivery.attempts - 1])
        retry_at = delivery.next_attempt_at
        transaction.on_commit(partial(_enqueue, delivery_id=delivery.pk, at=retry_at))
    delivery.save()
    return delivery


def _failure_count(webhook_id: int) -> None:
    """One more delivery gave up; at DISABLE_AFTER in a row the hook is switched off."""
    Webhook.objects.filter(pk=webhook_id).update(failure_count=F("failure_count") + 1)
    webhook = Webhook.objects.select_for_update().get(pk=webhook_id)
    if webhook.is_active and webhook.failure_count >= DISABLE_AFTER:
        webhook.is_active = False
        webhook.disabled_at = timezone.now()
        webhook.save(update_fields=["is_active", "disabled_at", "updated_at"])
        audit_record(actor=None, action="webhook.disable", target=webhook, from_state="active",
                     to_state="inactive", data={"failures": webhook.failure_count})  # fmt: skip
        logger.warning("webhook %s switched off after %s failures", webhook_id, DISABLE_AFTER)


def deliveries_due_attempt(*, limit: int = 500) -> int:
    """The sweep: attempt every delivery that is due (a lost task, a retry the backend
    could not defer, a worker that died mid-attempt); returns how many were attempted."""
    due = Delivery.objects.filter(
        status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at", "id")
    ids = list(due.values_list("id", flat=True)[:limit])
    return sum(delivery_attempt(delivery_id=pk) is not None for pk in ids)


def _log_trim(webhook_id: int) -> int:
    """Keep the hook's newest KEEP_PER_WEBHOOK deliveries (and any still being sent)."""
    edge = list(
        Delivery.objects.filter(webhook_id=webhook_id)
        .order_by("-id")
        .values_list("id", flat=True)[KEEP_PER_WEBHOOK : KEEP_PER_WEBHOOK + 1]
    )
    if not edge:
        return 0
    old = Delivery.objects.filter(
        webhook_id=webhook_id, id__lte=edge[0], status__in=[Status.DELIVERED, Status.GAVE_UP]
    )
    return old.delete()[0]


def deliveries_prune(*, now: datetime | None = None) -> int:
    """Drop deliveries older than RETENTION_DAYS (their retries ended hours after they
    began); returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=RETENTION_DAYS)
    return Delivery.objects.filter(created_at__lt=cutoff).delete()[0]


@task()
def webhook_deliver_task(*, delivery_id: int) -> str:
    """Send one delivery (an attempt, or a retry at its run_after)."""
    delivery = delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else "not due"
