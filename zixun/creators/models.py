from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zixun.core.models import BaseModel


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
        indexes = [models.Index(fields=["creator", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.creator_id}"
