from django.contrib import admin
from django.http import HttpRequest

from zixun.creators.models import Application, Creator, Follow


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin[Creator]):
    list_display = [
        "name", "verification_label", "account_type", "is_trusted", "article_count", "follower_count",
    ]  # fmt: skip
    list_editable = ["is_trusted"]
    list_filter = ["account_type", "is_trusted"]
    search_fields = ["name"]
    # Suspension goes through creator_suspend (audited, timed) from /editor/reports/.
    readonly_fields = [
        "article_count", "follower_count", "is_suspended", "suspended_until", "suspension_reason",
    ]  # fmt: skip
    filter_horizontal = ["members"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin[Follow]):
    """Read-only: a follow moves 关注度 with it, which only the follow service does."""

    list_display = ["user", "creator", "created_at"]
    raw_id_fields = ["user", "creator"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Follow | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Follow | None = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin[Application]):
    """Read-only here: applications are reviewed in /editor/, where every decision is audited."""

    list_display = ["account_name", "account_type", "applicant", "status", "created_at"]
    list_filter = ["status", "account_type"]
    search_fields = ["account_name"]
    readonly_fields = [f.name for f in Application._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Application | None = None) -> bool:
        return False
