from django.contrib import admin

from zixun.articles.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    list_display = ["title", "creator", "channel", "status", "published_at", "view_count"]
    list_filter = ["status", "channel", "is_original"]
    search_fields = ["title", "external_id"]
    raw_id_fields = ["creator"]
    readonly_fields = ["body_html", "content_hash", "external_id", "view_count", "share_count"]
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is slow
