import hashlib
import hmac
import io
import json
import time
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.services import drafts, publishing, review
from zixun.articles.services.checks import ArticleInput
from zixun.articles.tests.factories import channel
from zixun.audit.models import AuditEntry
from zixun.core.safefetch import URL_PRIVATE, UnsafeURLError
from zixun.core.testing import exactly
from zixun.core.tests.receiver import Answer
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement import services as engagement
from zixun.webhooks import services
from zixun.webhooks.models import Delivery, Webhook
from zixun.webhooks.services import WebhookError

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def article_input(**changes):
    data = {"title": "社区足球联赛开幕", "body_source": "周六下午，联赛在体育公园开幕。",
            "channel_id": channel("sports").pk, "tags": ["足球"]}  # fmt: skip
    data.update(changes)
    return ArticleInput(**data)


@pytest.fixture
def publish(creator, writer, django_capture_on_commit_callbacks):
    """Publish a new article of the (trusted) account through the real services."""
    creator.is_trusted = True
    creator.save()

    def run(**changes):
        draft = drafts.article_create(creator=creator, by=writer, data=article_input(**changes))
        with django_capture_on_commit_callbacks(execute=True):
            return review.article_submit(article=draft, by=writer)

    return run


def expected_signature(secret, request):
    timestamp = request.headers["X-Zixun-Timestamp"]
    signed = timestamp.encode() + b"." + request.body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def due_now(delivery):
    """Bring the next retry forward to now (the clock moved on)."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_a_publish_is_posted_signed_with_the_headers_and_the_body(make_hook, publish, receiver):
    webhook, secret = make_hook(["article.published"])
    article = publish()
    [request] = receiver.requests
    assert request.method == "POST"
    assert request.path == "/hook"
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Zixun-Webhooks/1"
    assert headers["X-Zixun-Event"] == "article.published"
    assert abs(int(headers["X-Zixun-Timestamp"]) - time.time()) < 60
    assert headers["X-Zixun-Signature"] == expected_signature(secret, request)
    assert not hmac.compare_digest(headers["X-Zixun-Signature"], expected_signature("x", request))
    body = json.loads(request.body)
    delivery = Delivery.objects.get(webhook=webhook)
    assert body["id"] == headers["X-Zixun-Delivery"] == str(delivery.event_id)
    assert body["event"] == "article.published"
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None
    assert body["data"]["article"] == {
        "id": article.pk, "title": "社区足球联赛开幕",
        "url": f"https://news.example.cn/article/{article.pk}/", "status": "published",
        "published_at": timezone.localtime(article.published_at).isoformat(timespec="seconds"),
        "updated_at": timezone.localtime(article.published_at).isoformat(timespec="seconds"),
    }  # fmt: skip
    account = body["data"]["account"]
    assert account["id"] == article.creator_id
    assert account["name"] == article.creator.name
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        Status.DELIVERED,
        1,
        200,
    )


def test_revise_takedown_and_comment_each_send_their_event(
    make_hook, publish, receiver, writer, django_capture_on_commit_callbacks
):
    make_hook()
    article = publish()
    with django_capture_on_commit_callbacks(execute=True):
        drafts.article_revise(article=article, by=writer, data=article_input(title="改过的标题"))
    reader = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        comment = engagement.comment_create(
            user=reader, article_id=article.pk, body="说得好！\n\n" + "很" * 200, ip="1.2.3.4"
        )
    with django_capture_on_commit_callbacks(execute=True):
        publishing.article_takedown(article=article, by=EditorFactory(), reason="违规内容")
    events = [r.headers["X-Zixun-Event"] for r in receiver.requests]
    assert events == ["article.published", "article.updated", "comment.created",
                      "article.taken_down"]  # fmt: skip
    updated, commented, taken_down = (json.loads(r.body)["data"] for r in receiver.requests[1:])
    assert updated["article"]["title"] == "改过的标题"
    assert commented["comment"]["id"] == comment.pk
    assert commented["comment"]["article_id"] == article.pk
    assert commented["comment"]["excerpt"].startswith("说得好！ 很很")
    assert len(commented["comment"]["excerpt"]) == 140
    assert commented["comment"]["url"].endswith(f"/article/{article.pk}/#comment-{comment.pk}")
    assert taken_down["article"]["status"] == "taken_down"
    # Nothing private: no reader, no address or region, no editor, no reason.
    raw = b"".join(r.body for r in receiver.requests).decode()
    for secret_thing in [reader.username, "1.2.3.4", "违规内容", "email"]:
        assert secret_thing not in raw
    assert len({r.headers["X-Zixun-Delivery"] for r in receiver.requests}) == 4


def test_a_held_comment_is_sent_when_an_editor_approves_it(
    make_hook, publish, receiver, settings, django_capture_on_commit_callbacks
):
    make_hook(["comment.created"])
    article = publish()
    settings.ZIXUN_COMMENT_PREMODERATION = True
    with django_capture_on_commit_callbacks(execute=True):
        comment = engagement.comment_create(user=UserFactory(), article_id=article.pk, body="好")
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        engagement.comment_review(comment_id=comment.pk, by=EditorFactory(), approve=True)
    assert [r.headers["X-Zixun-Event"] for r in receiver.requests] == ["comment.created"]


def test_only_the_accounts_active_hooks_that_want_the_event_are_sent_to(
    make_hook, publish, receiver, writer
):
    make_hook(["comment.created"], path="/comments-only")
    switched_off, _ = make_hook(["article.published"], path="/off")
    services.webhook_update(webhook=switched_off, by=writer, events=["article.published"],
                            is_active=False)  # fmt: skip
    other = CreatorFactory()
    other.members.add(writer)
    make_hook(["article.published"], path="/other-account", account=other)
    publish()
    assert receiver.requests == []
    assert Delivery.objects.count() == 0


def test_a_failing_receiver_is_retried_with_backoff_then_given_up(make_hook, publish, receiver):
    webhook, _ = make_hook(["article.published"])
    receiver.answer(*[Answer(500, body=b"boom")] * 6)
    publish()
    delivery = Delivery.objects.get()
    waits = []
    for attempt in range(1, 7):
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.response_code == 500
        assert delivery.error == "HTTP 500"
        if attempt < 6:
            assert delivery.status == Status.FAILED
            waits.append(
                round((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())
            )
            assert services.delivery_attempt(delivery_id=delivery.pk) is None  # not due yet
            due_now(delivery)
            services.delivery_attempt(delivery_id=delivery.pk)
    assert waits == [60, 300, 1800, 7200, 21600]
    assert (delivery.status, delivery.next_attempt_at) == (Status.GAVE_UP, None)
    assert len(receiver.requests) == 6
    assert len({r.headers["X-Zixun-Delivery"] for r in receiver.requests}) == 1
    webhook.refresh_from_db()
    assert webhook.failure_count == 1
    assert webhook.is_active


def test_a_timeout_is_retried_and_a_later_success_resets_the_failures(
    make_hook, publish, receiver, monkeypatch
):
    monkeypatch.setattr(services, "TIMEOUT_SECONDS", 0.2)
    webhook, _ = make_hook(["article.published"])
    Webhook.objects.filter(pk=webhook.pk).update(failure_count=7)
    receiver.answer(Answer(200, delay=0.5))
    publish()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.error, delivery.response_code) == (
        Status.FAILED,
        "timeout",
        None,
    )
    due_now(delivery)
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == (Status.DELIVERED, 2, "")
    webhook.refresh_from_db()
    assert webhook.failure_count == 0


def test_the_sweep_sends_the_retries_that_are_due(make_hook, publish, receiver):
    make_hook(["article.published"])
    receiver.answer(Answer(503))
    publish()
    delivery = Delivery.objects.get()
    call_command("webhooks_sweep", stdout=io.StringIO())
    assert len(receiver.requests) == 1  # not due yet
    due_now(delivery)
    call_command("webhooks_sweep", stdout=io.StringIO())
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED
    assert len(receiver.requests) == 2


def test_twenty_deliveries_in_a_row_that_give_up_switch_the_hook_off(
    make_hook, receiver, creator, writer
):
    webhook, _ = make_hook(["article.published"])
    receiver.answer(*[Answer(500)] * (services.DISABLE_AFTER * services.MAX_ATTEMPTS))
    for _ in range(services.DISABLE_AFTER):
        [delivery] = services.event_emit(creator_id=creator.pk, event="article.published",
                                         data={"n": 1})  # fmt: skip
        services.delivery_attempt(delivery_id=delivery.pk)
        for _ in range(services.MAX_ATTEMPTS - 1):
            due_now(delivery)
            services.delivery_attempt(delivery_id=delivery.pk)
    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.failure_count) == (False, services.DISABLE_AFTER)
    assert webhook.disabled_at is not None
    entry = AuditEntry.objects.get(action="webhook.disable")
    assert (entry.actor, entry.target_id, entry.to_state) == (None, webhook.pk, "inactive")
    assert services.event_emit(creator_id=creator.pk, event="article.published", data={}) == []
    # Switched on again by a member: the count starts over.
    services.webhook_update(
        webhook=webhook, by=writer, events=["article.published"], is_active=True
    )
    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.failure_count, webhook.disabled_at) == (True, 0, None)


def test_a_redirect_to_a_private_address_fails_the_delivery(make_hook, publish, receiver):
    make_hook(["article.published"])
    receiver.answer(Answer(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}))
    publish()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.error) == (Status.FAILED, "refused: metadata")
    assert len(receiver.requests) == 1


def test_a_receiver_that_moved_to_a_private_address_is_refused_at_delivery(
    make_hook, publish, receiver, settings
):
    make_hook(["article.published"])
    settings.ZIXUN_WEBHOOK_ALLOWED_NETWORKS = []  # the operator took the network back
    publish()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.error) == (Status.FAILED, "refused: loopback")
    assert receiver.requests == []


def test_a_failed_delivery_is_redelivered_with_the_same_event_id(
    make_hook, publish, receiver, writer, django_capture_on_commit_callbacks
):
    make_hook(["article.published"])
    receiver.answer(Answer(500))
    publish()
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.GAVE_UP, next_attempt_at=None)
    delivery.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_redeliver(delivery=delivery, by=writer)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.DELIVERED, 1)
    first, second = receiver.requests
    assert first.headers["X-Zixun-Delivery"] == second.headers["X-Zixun-Delivery"]
    assert first.body == second.body  # the same event, the same bytes
    with pytest.raises(WebhookError):
        services.delivery_redeliver(delivery=delivery, by=writer)  # delivered already
    with pytest.raises(PermissionDenied):
        services.delivery_redeliver(delivery=delivery, by=UserFactory())


def test_the_test_event_is_sent_once_without_retries_or_counting(
    make_hook, receiver, writer, django_capture_on_commit_callbacks
):
    webhook, secret = make_hook(["comment.created"])
    receiver.answer(Answer(404))
    with django_capture_on_commit_callbacks(execute=True):
        failed = services.webhook_test_send(webhook=webhook, by=writer)
    failed.refresh_from_db()
    assert (failed.status, failed.response_code, failed.attempts) == (Status.GAVE_UP, 404, 1)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.webhook_test_send(webhook=webhook, by=writer)
    sent.refresh_from_db()
    assert sent.status == Status.DELIVERED
    request = receiver.requests[-1]
    assert request.headers["X-Zixun-Event"] == "webhook.test"
    assert request.headers["X-Zixun-Signature"] == expected_signature(secret, request)
    webhook.refresh_from_db()
    assert webhook.failure_count == 0
    with pytest.raises(PermissionDenied):
        services.webhook_test_send(webhook=webhook, by=UserFactory())


def test_creation_checks_the_address_the_events_the_member_and_the_account(
    creator, writer, receiver, settings, monkeypatch
):
    url = receiver.url()
    with pytest.raises(WebhookError, match=exactly(services.EVENTS_REQUIRED)):
        services.webhook_create(creator=creator, by=writer, url=url, events=[])
    with pytest.raises(WebhookError, match=exactly(services.EVENT_UNKNOWN)):
        services.webhook_create(creator=creator, by=writer, url=url, events=["webhook.test"])
    for user in [UserFactory(), EditorFactory()]:  # editors do not manage an account's hooks
        with pytest.raises(PermissionDenied):
            services.webhook_create(creator=creator, by=user, url=url, events=["comment.created"])
    settings.ZIXUN_WEBHOOK_ALLOWED_NETWORKS = []
    with pytest.raises(UnsafeURLError, match=exactly(URL_PRIVATE)):
        services.webhook_create(creator=creator, by=writer, url=url, events=["comment.created"])
    settings.ZIXUN_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    monkeypatch.setattr(services, "MAX_WEBHOOKS", 2)
    for _ in range(2):
        webhook, secret = services.webhook_create(
            creator=creator,
            by=writer,
            url=f"  {url}  ",
            events=["comment.created", "article.published"],
        )
    assert webhook.url == url
    assert webhook.secret == secret
    assert secret.startswith("whsec_")
    assert webhook.events == ["article.published", "comment.created"]
    assert webhook.secret_hint == "…" + secret[-4:]
    with pytest.raises(WebhookError, match=exactly(services.WEBHOOK_LIMIT, limit=2)):
        services.webhook_create(creator=creator, by=writer, url=url, events=["comment.created"])
    suspended = CreatorFactory(is_suspended=True)
    suspended.members.add(writer)
    with pytest.raises(
        WebhookError, match=exactly(services.ACCOUNT_SUSPENDED, name=suspended.name)
    ):
        services.webhook_create(creator=suspended, by=writer, url=url, events=["comment.created"])
    assert [e.action for e in AuditEntry.objects.filter(target_type="webhooks.webhook")] == [
        "webhook.create", "webhook.create"
    ]  # fmt: skip
    entry = AuditEntry.objects.filter(action="webhook.create").first()
    assert secret not in json.dumps(entry.data)
    assert entry.data["host"] == f"127.0.0.1:{receiver.port}"


def test_delete_is_for_members_and_takes_the_log_with_it(make_hook, publish, writer):
    webhook, _ = make_hook(["article.published"])
    publish()
    with pytest.raises(PermissionDenied):
        services.webhook_delete(webhook=webhook, by=UserFactory())
    services.webhook_delete(webhook=webhook, by=writer)
    assert not Webhook.objects.exists()
    assert not Delivery.objects.exists()


def test_the_log_keeps_the_newest_deliveries_and_forgets_old_ones(
    make_hook, creator, receiver, monkeypatch
):
    monkeypatch.setattr(services, "KEEP_PER_WEBHOOK", 3)
    webhook, _ = make_hook(["article.published"])
    for n in range(5):
        [delivery] = services.event_emit(creator_id=creator.pk, event="article.published",
                                         data={"n": n})  # fmt: skip
        services.delivery_attempt(delivery_id=delivery.pk)
    kept = list(Delivery.objects.filter(webhook=webhook).values_list("payload__data__n", flat=True))
    assert kept == [4, 3, 2]
    Delivery.objects.filter(payload__data__n=2).update(
        created_at=timezone.now() - timedelta(days=services.RETENTION_DAYS + 1)
    )
    assert services.deliveries_prune() == 1
    assert Delivery.objects.count() == 2


def test_a_change_whose_follow_up_was_lost_is_sent_once_by_the_sweep(
    make_hook, creator, writer, receiver
):
    from zixun.articles.models import PendingChange

    webhook, _secret = make_hook(["article.published"])
    creator.is_trusted = True
    creator.save()
    # given an article published whose follow-up task was lost (the process died between the
    # commit and the enqueue: the on_commit callbacks are not run here)
    draft = drafts.article_create(creator=creator, by=writer, data=article_input())
    article = review.article_submit(article=draft, by=writer)
    [pending] = PendingChange.objects.filter(article_id=article.pk)
    assert pending.change == "published"
    assert not Delivery.objects.filter(webhook=webhook).exists()
    # when the sweep runs before it is overdue, nothing; once overdue, the change's event
    assert publishing.article_followups_repair() == 0
    PendingChange.objects.filter(pk=pending.pk).update(
        created_at=timezone.now() - timedelta(minutes=3)
    )
    assert publishing.article_followups_repair() == 1
    [delivery] = Delivery.objects.filter(webhook=webhook)
    assert delivery.event == "article.published"
    assert not PendingChange.objects.exists()
    # and the same follow-up run again (a retried task, a worker killed after sending and
    # before it ended) sends nothing more: the event id comes from the change
    publishing.article_after_change_task.call(
        article_id=article.pk, change="published", change_id=pending.pk
    )
    assert list(Delivery.objects.filter(webhook=webhook)) == [delivery]
    assert publishing.article_followups_repair(older_than=timedelta(0)) == 0


def test_a_follow_up_that_ran_leaves_no_pending_change(make_hook, publish, receiver):
    from zixun.articles.models import PendingChange

    make_hook(["article.published"])
    publish()
    assert len(receiver.requests) == 1
    assert not PendingChange.objects.exists()
