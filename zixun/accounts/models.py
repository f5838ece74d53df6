from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: a reader, who may also be a member of creator accounts
    (Creator.members), an editor or an admin."""

    class Role(models.TextChoices):
        READER = "reader", _("读者")
        EDITOR = "editor", _("编辑")
        ADMIN = "admin", _("管理员")

    role = models.CharField(max_length=10, choices=Role.choices, default=Role.READER)
    # 关怀版 as the reader last chose it while signed in: None until they choose, then it
    # follows them to every browser they sign in on. Presentation only: read by the web
    # app's context processor, never by a service (docs/adr/0007-care-mode-scope.md).
    care_mode = models.BooleanField(_("关怀版"), null=True, default=None)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined,misc]
        ordering = ["id"]
        swappable = "AUTH_USER_MODEL"

    @property
    def is_editor(self) -> bool:
        return self.is_active and (
            self.role in {self.Role.EDITOR, self.Role.ADMIN} or self.is_superuser
        )
