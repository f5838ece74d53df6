from django.contrib import admin

from zixun.creators.models import Creator, Follow


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin[Creator]):
    list_display = ["name", "verification_label", "account_type", "article_count", "follower_count"]
    list_filter = ["account_type"]
    search_fields = ["name"]
    readonly_fields = ["article_count", "follower_count"]
    filter_horizontal = ["members"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin[Follow]):
    list_display = ["user", "creator", "created_at"]
    raw_id_fields = ["user", "creator"]
