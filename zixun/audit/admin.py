from django.contrib import admin
from django.http import HttpRequest

from zixun.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ["created_at", "actor_name", "action", "target_type", "target_id", "to_state"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_name", "reason"]
    show_full_result_count = False

    # The log is append-only, also for admins.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
