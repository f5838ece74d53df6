from django.contrib import admin

from zixun.channels.models import Channel


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
