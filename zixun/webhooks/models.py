import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zixun.core.models import BaseModel
from zixun.creators.models import Creator


class Webhook(BaseModel):
    """A creator account's receiver: the events it wants are POSTed, signed, to ``url``."""

    class Event(models.TextChoices):
        ARTICLE_PUBLISHED = "article.published", _("文章发布")
        ARTICLE_UPDATED = "article.updated", _("文章修改")
        ARTICLE_TAKEN_DOWN = "article.taken_down", _("文章被下架")
        COMMENT_CREATED = "comment.created", _("新跟贴")
        WEBHOOK_TEST = "webhook.test", _("测试")

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="webhooks")
    url = models.CharField(max_length=500)
    # Kept as it is: every delivery is signed with it. Shown to the member once, on
    # creation; the pages show only its last 4 characters afterwards.
    secret = models.CharField(max_length=80)
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # Deliveries in a row that gave up; a success resets it. At DISABLE_AFTER the hook is
    # switched off (``disabled_at`` set, an audit entry written).
    failure_count = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.creator_id}: {self.url}"

    @property
    def secret_hint(self) -> str:
        return f"…{self.secret[-4:]}"


class Delivery(BaseModel):
    """One event sent to one webhook, with its attempts; the studio's delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("等待发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("失败，将重试")
        GAVE_UP = "gave_up", _("已放弃")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=Webhook.Event.choices)
    # The idempotency key the receiver sees (X-Zixun-Delivery and the body's "id"): the
    # same for every attempt and redelivery of this event to this hook.
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    # When the next attempt is due (None once delivered or given up); also the lease
    # that keeps a second worker from sending the same attempt.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["webhook", "-id"], name="delivery_by_webhook"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → webhook {self.webhook_id} ({self.status})"
