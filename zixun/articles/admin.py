"""The article admin: a read-only view, with state changes only through the services.

Every field is read-only, so a save cannot move an article around the state
machine (no revision, no audit entry, no pipeline run). Pinning, deleting and
restoring are admin actions that call the same services as /editor/, which
write the audit entry and run the after-change pipeline; unpublishing with a
reason and review happen in /editor/ (linked from each article).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.articles.services.checks import ArticleError
from zixun.articles.services.publishing import article_delete, article_pin, article_restore


def _run(
    request: HttpRequest, queryset: QuerySet[Article], action: Callable[..., Article], **kw: Any
) -> None:
    user = request.user
    assert isinstance(user, User)
    done = 0
    for article in queryset.order_by("pk"):
        try:
            action(article=article, by=user, **kw)
            done += 1
        except (ArticleError, PermissionDenied) as error:
            messages.error(request, f"{article.title}：{error}")
    if done:
        messages.success(request, _("已处理 %(count)s 篇文章") % {"count": done})


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    list_display = ["title", "creator", "channel", "status", "published_at", "view_count"]
    list_filter = ["status", "channel", "is_original"]
    search_fields = ["title", "external_id"]
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is slow
    actions = ["pin", "unpin", "soft_delete", "restore"]
    exclude = ["body_source"]

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None) -> list[str]:
        return ["review_link", *(f.name for f in Article._meta.fields if f.name != "body_source")]

    @admin.display(description=_("审核与下线"))
    def review_link(self, obj: Article) -> SafeString:
        url = reverse("web:editor-article", kwargs={"article_id": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("在编辑台处理"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # articles are written in the studio or imported

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return False  # deletion is soft and audited: the "delete" action

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        pass  # every field is read-only; the actions change state through the services

    @admin.action(description=_("置顶到首页"))
    def pin(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        _run(request, queryset, article_pin, pinned=True)

    @admin.action(description=_("取消置顶"))
    def unpin(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        _run(request, queryset, article_pin, pinned=False)

    @admin.action(description=_("删除（可恢复）"))
    def soft_delete(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        _run(request, queryset, article_delete)

    @admin.action(description=_("恢复已删除的文章"))
    def restore(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        _run(request, queryset, article_restore)
