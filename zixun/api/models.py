from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zixun.core.models import BaseModel


class ApiToken(BaseModel):
    """A secret that lets a program act through the API (docs/api.md, Tokens).

    An account token (创作者令牌) acts for one creator account, as the member who
    made it, within its scopes; a personal token (读者令牌) acts for its user in
    the reader actions. Only a SHA-256 hash of the secret is kept: the secret is
    shown once, when the token is made.
    """

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("创作者令牌")
        PERSONAL = "personal", _("读者令牌")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The public part of the secret (zx_<public_id>_<secret>): finds the row to compare with.
    public_id = models.CharField(max_length=8, unique=True)
    secret_hash = models.CharField(max_length=64)
    name = models.CharField(max_length=40)
    # The owner of a personal token; the member who made an account token (it acts as them).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    creator = models.ForeignKey(
        "creators.Creator",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="account", creator__isnull=False)
                    | models.Q(kind="personal", creator__isnull=True)
                ),
                name="apitoken_kind_creator",
            ),
        ]
        indexes = [
            models.Index(fields=["creator", "-created_at"], name="apitoken_by_creator"),
            models.Index(fields=["user", "kind", "-created_at"], name="apitoken_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (zx_{self.public_id}_…)"
