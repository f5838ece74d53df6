from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from zixun.articles.models import Article
from zixun.articles.selectors import blocks_invalidate
from zixun.creators.services import creators_recount


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    list_display = ["title", "creator", "channel", "status", "published_at", "view_count"]
    list_filter = ["status", "channel", "is_original"]
    search_fields = ["title", "external_id"]
    raw_id_fields = ["creator"]
    readonly_fields = ["body_html", "content_hash", "external_id", "view_count", "share_count"]
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is slow

    # An editor's change (unpublish, pin, move) reaches the pages and the counters at once.
    def save_model(
        self, request: HttpRequest, obj: Article, form: ModelForm[Any], change: bool
    ) -> None:
        previous = Article.objects.filter(pk=obj.pk).values_list("creator_id", flat=True).first()
        super().save_model(request, obj, form, change)
        creators_recount(creator_ids={obj.creator_id, previous or obj.creator_id})
        blocks_invalidate()

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        super().delete_model(request, obj)
        creators_recount(creator_ids=[obj.creator_id])
        blocks_invalidate()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        creator_ids = set(queryset.values_list("creator_id", flat=True))
        super().delete_queryset(request, queryset)
        creators_recount(creator_ids=creator_ids)
        blocks_invalidate()
