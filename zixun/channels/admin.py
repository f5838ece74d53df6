from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from zixun.channels.models import Channel
from zixun.core.sitecache import site_version_bump


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin[Channel]):
    list_display = [
        "name",
        "slug",
        "position",
        "is_active",
        "is_highlighted",
        "is_original_category",
    ]
    list_editable = ["position", "is_active", "is_highlighted", "is_original_category"]
    prepopulated_fields = {"slug": ["name_en"]}

    def save_model(
        self, request: HttpRequest, obj: Channel, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        site_version_bump()  # the menu and the 要闻 / 态度原创 blocks list channels
