from django.contrib import admin
from django.http import HttpRequest

from zixun.webhooks.models import Delivery, Webhook


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin[Webhook]):
    """Read-only, without the secret: members manage their hooks in the studio (audited)."""

    list_display = ["creator", "url", "is_active", "failure_count", "created_at"]
    list_filter = ["is_active"]
    fields = ["creator", "url", "events", "is_active", "failure_count", "disabled_at"]
    readonly_fields = ["creator", "url", "events", "is_active", "failure_count", "disabled_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Webhook | None = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["webhook", "event", "status", "attempts", "response_code", "created_at"]
    list_filter = ["status", "event"]
    raw_id_fields = ["webhook"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False
