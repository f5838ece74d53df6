from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from zixun.accounts.models import User


@admin.register(User)
class ZixunUserAdmin(UserAdmin[User]):
    """Django's user admin, plus the role (reader, editor, admin)."""

    list_display = ["username", "email", "role", "is_active", "is_staff", "date_joined"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    fieldsets = (*(UserAdmin.fieldsets or ()), (_("资讯"), {"fields": ("role",)}))
