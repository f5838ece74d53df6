"""The keyword filter's lists, kept by editors in the admin; every change goes through
zixun.moderation.services (audited, and in force in every worker at the next screen).
Reports, cases and appeals are decided in /editor/; here they are read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zixun.moderation import services
from zixun.moderation.models import AllowWord, Appeal, BlockedDomain, Case, WordList


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class WordListForm(forms.ModelForm[WordList]):
    add_words = forms.CharField(
        label=_("添加关键词"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("每行一个；已有的会跳过。去掉空格和符号后为空的词会被拒绝。"),
    )  # fmt: skip
    remove_words = forms.CharField(
        label=_("删除关键词"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个。"),
    )  # fmt: skip

    class Meta:
        model = WordList
        fields = ["name", "action", "is_active", "note"]


@admin.register(WordList)
class WordListAdmin(admin.ModelAdmin[WordList]):
    form = WordListForm
    list_display = ["name", "action", "is_active", "word_count", "updated_at"]
    list_filter = ["action", "is_active"]
    search_fields = ["name", "words__word"]
    readonly_fields = ["sample"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WordList]:
        return super().get_queryset(request).annotate(count=Count("words"))

    @admin.display(description=_("词数"))
    def word_count(self, obj: WordList) -> int:
        return int(getattr(obj, "count", 0))

    @admin.display(description=_("部分关键词"))
    def sample(self, obj: WordList) -> str:
        words = list(obj.words.order_by("word").values_list("word", flat=True)[:200]) if obj.pk else []  # fmt: skip
        return "、".join(words)

    def save_model(self, request: HttpRequest, obj: WordList, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.wordlist_save(
            by=request.user, name=data["name"], action=data["action"],  # type: ignore[arg-type]
            is_active=data["is_active"], note=data["note"], word_list=obj if change else None,
        )  # fmt: skip
        obj.pk = saved.pk
        try:
            added = services.words_add(by=request.user, word_list=saved,  # type: ignore[arg-type]
                                       words=_lines(data.get("add_words", "")))  # fmt: skip
            removed = services.words_remove(by=request.user, word_list=saved,  # type: ignore[arg-type]
                                            words=_lines(data.get("remove_words", "")))  # fmt: skip
        except services.ModerationError as error:
            messages.error(request, str(error))
            return
        if added or removed:
            messages.info(request, _("添加 %(added)s 个，删除 %(removed)s 个关键词") % {"added": added, "removed": removed})  # fmt: skip

    def delete_model(self, request: HttpRequest, obj: WordList) -> None:
        services.wordlist_delete(by=request.user, word_list=obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WordList]) -> None:
        for word_list in queryset:
            services.wordlist_delete(by=request.user, word_list=word_list)  # type: ignore[arg-type]


@admin.register(AllowWord)
class AllowWordAdmin(admin.ModelAdmin[AllowWord]):
    list_display = ["word", "note"]
    search_fields = ["word"]
    fields = ["word", "note"]

    def save_model(self, request: HttpRequest, obj: AllowWord, form: Any, change: bool) -> None:
        if change:  # a renamed word: the old one goes, the new one comes
            old = AllowWord.objects.filter(pk=obj.pk).values_list("word", flat=True).first()
            services.allow_words_set(by=request.user, remove=[old or ""])  # type: ignore[arg-type]
        services.allow_words_set(by=request.user, add=[obj.word])  # type: ignore[arg-type]
        AllowWord.objects.filter(word=obj.word).update(note=obj.note)
        obj.pk = AllowWord.objects.values_list("pk", flat=True).get(word=obj.word)

    def delete_model(self, request: HttpRequest, obj: AllowWord) -> None:
        services.allow_words_set(by=request.user, remove=[obj.word])  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AllowWord]) -> None:
        words = list(queryset.values_list("word", flat=True))
        services.allow_words_set(by=request.user, remove=words)  # type: ignore[arg-type]


@admin.register(BlockedDomain)
class BlockedDomainAdmin(admin.ModelAdmin[BlockedDomain]):
    list_display = ["domain"]
    search_fields = ["domain"]

    def has_change_permission(self, request: HttpRequest, obj: BlockedDomain | None = None) -> bool:
        return False  # add the new one and delete the old one

    def save_model(self, request: HttpRequest, obj: BlockedDomain, form: Any, change: bool) -> None:
        services.blocked_domains_set(by=request.user, add=[obj.domain])  # type: ignore[arg-type]
        domain = services.domain_checked(obj.domain)
        obj.pk = BlockedDomain.objects.values_list("pk", flat=True).get(domain=domain)

    def delete_model(self, request: HttpRequest, obj: BlockedDomain) -> None:
        services.blocked_domains_set(by=request.user, remove=[obj.domain])  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[BlockedDomain]) -> None:
        domains = list(queryset.values_list("domain", flat=True))
        services.blocked_domains_set(by=request.user, remove=domains)  # type: ignore[arg-type]


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(_ReadOnly):
    """Read-only: cases are decided in /editor/reports/."""

    list_display = ["id", "target_type", "target_id", "status", "report_count", "decision", "last_reported_at"]  # fmt: skip
    list_filter = ["status", "target_type", "decision"]


@admin.register(Appeal)
class AppealAdmin(_ReadOnly):
    """Read-only: appeals are decided in /editor/appeals/."""

    list_display = ["id", "decision", "target_type", "target_id", "status", "created_at"]
    list_filter = ["status", "decision"]
