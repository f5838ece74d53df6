from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zixun.core.models import BaseModel


def private_storage() -> Storage:
    """Storage for files that are never served to the public (STORAGES["private"])."""
    return storages["private"]


class Creator(BaseModel):
    """A creator account (号) such as 金台资讯; one or more users run it."""

    class AccountType(models.TextChoices):
        PERSONAL = "personal", _("个人")
        MEDIA = "media", _("媒体")
        ENTERPRISE = "enterprise", _("企业")
        GOVERNMENT = "government", _("政务")
        OTHER = "other", _("其他组织")

    name = models.CharField(max_length=30, unique=True)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    bio = models.CharField(max_length=300, blank=True)
    # Shown under the name, e.g. 人民网官方网易号; empty for unverified accounts.
    verification_label = models.CharField(max_length=40, blank=True)
    account_type = models.CharField(
        max_length=12, choices=AccountType.choices, default=AccountType.PERSONAL
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="creators", blank=True)
    # Trusted accounts publish directly; the others' articles wait in the review queue.
    is_trusted = models.BooleanField(default=False)
    # Suspended by editors: nobody can follow it.
    is_suspended = models.BooleanField(default=False)
    # A suspension for a period ends by itself at this time (creator_suspend); None: until lifted.
    suspended_until = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=200, blank=True)
    # Comments on this account's articles wait for review (besides the site-wide setting).
    comments_premoderated = models.BooleanField(default=False)
    # The account's RSS and Atom items carry the whole body (全文); otherwise the summary.
    feed_full_text = models.BooleanField(default=False)
    # Denormalized counters; `zixun recount` rebuilds them from rows.
    article_count = models.PositiveIntegerField(default=0)
    follower_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:account", kwargs={"creator_id": self.pk})

    @property
    def initial(self) -> str:
        return self.name[:1]


class Follow(BaseModel):
    """A reader follows a creator account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="follows")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "creator"], name="follow_once"),
        ]
        indexes = [
            models.Index(fields=["creator", "-created_at"]),
            # A reader's follows (我的关注), keyset-paginated newest first.
            models.Index(fields=["user", "-created_at", "-id"], name="follow_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.creator_id}"


class Application(BaseModel):
    """An application to open a creator account (申请入驻), reviewed by an editor."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    account_type = models.CharField(max_length=12, choices=Creator.AccountType.choices)
    account_name = models.CharField(max_length=30)
    # Private until approved: the applicant and editors see it through a checked view;
    # approval copies it to the account's public avatar.
    avatar = models.ImageField(
        upload_to="applications/avatars/%Y/%m/", storage=private_storage, blank=True
    )
    introduction = models.CharField(max_length=300)
    channel = models.ForeignKey("channels.Channel", on_delete=models.PROTECT, related_name="+")
    operator_name = models.CharField(max_length=30)
    # The resident ID number is never stored: only a masked form to show and a
    # keyed fingerprint to enforce one account per ID number.
    id_number_masked = models.CharField(max_length=18)
    id_fingerprint = models.CharField(max_length=64, db_index=True)
    # Organisation credentials (媒体/企业/政务): only editors can download them.
    credentials = models.FileField(
        upload_to="applications/credentials/%Y/%m/", storage=private_storage, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reject_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    creator = models.OneToOneField(
        Creator, null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.account_name} ({self.get_status_display()})"


class ApplicationAttempt(BaseModel):
    """One 申请入驻 submission that passed the cheap checks, counted before its files are
    decoded: a submission refused for its files still uses an attempt."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application_attempts"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"attempt by {self.applicant_id}"
