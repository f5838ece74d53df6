"""审计日志: the whole audit log for editors, filtered by who, what, which object and when.

The filters are a plain GET form, so a filtered page is a link an editor can share.
A filter that does not parse (a date like 2025-13-01, an id like "abc") is said on
the page, with a 400, and the log is not read.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from zixun.audit.models import AuditEntry
from zixun.audit.selectors import AUDIT_TARGET_TYPES, audit_list_filtered
from zixun.audit.wording import audit_phrase
from zixun.core.pagination import Page, PageRequest
from zixun.web.http import editor_required
from zixun.web.views.editorial import _in_words
from zixun.web.views.reading import paginated

BAD_DATE = _("日期格式不对，请写成 2025-05-01")
BAD_TARGET_ID = _("对象编号应是正整数")
BAD_TARGET_TYPE = _("没有这种对象类型")
BAD_RANGE = _("起始日期不能晚于截止日期")
DATE_OUT_OF_RANGE = _("日期应在 2000 年到 2999 年之间")
TEXT_TOO_LONG = _("最多 %(limit_value)d 个字符")

# Offered under the 操作 field; a code ending in "." matches every action that starts with it.
KNOWN_ACTIONS = (
    "article.", "article.create", "article.submit", "article.approve", "article.reject",
    "article.publish", "article.schedule", "article.revise", "article.unpublish",
    "article.takedown", "article.takedown_lift", "article.delete", "article.restore",
    "article.reinstate", "article.label", "article.unlabel", "article.pin", "article.unpin",
    "comment.", "comment.hold", "comment.approve", "comment.reject", "comment.hide",
    "comment.ban", "comment.ban_lift",
    "creator.", "creator.suspend", "creator.unsuspend",
    "application.", "application.submit", "application.approve", "application.reject",
    "case.", "case.decide", "case.warn",
    "appeal.", "appeal.file", "appeal.decide",
    "wordlist.", "wordlist.create", "wordlist.change", "wordlist.delete",
    "wordlist.words_add", "wordlist.words_remove",
    "allowlist.change", "domains.change",
    "hot.", "hotsearch.", "image.upload", "user.delete",
)  # fmt: skip

TARGET_CHOICES = (
    ("", _("全部")),
    ("article", _("文章")),
    ("comment", _("跟贴")),
    ("account", _("账号")),
    ("application", _("入驻申请")),
    ("case", _("举报处理")),
    ("appeal", _("申诉")),
    ("user", _("用户")),
    ("wordlist", _("词库")),
)
assert {key for key, _label in TARGET_CHOICES if key} == set(AUDIT_TARGET_TYPES)

DATE_FIELD: dict[str, Any] = {
    "required": False,
    "input_formats": ["%Y-%m-%d"],
    "error_messages": {"invalid": BAD_DATE},
}
TEXT_FIELD: dict[str, Any] = {"required": False, "error_messages": {"max_length": TEXT_TOO_LONG}}


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人"), max_length=150, **TEXT_FIELD)
    action = forms.CharField(label=_("操作"), max_length=40, **TEXT_FIELD)
    target_type = forms.ChoiceField(
        label=_("对象类型"),
        choices=TARGET_CHOICES,
        required=False,
        error_messages={"invalid_choice": BAD_TARGET_TYPE},
    )
    target_id = forms.IntegerField(
        label=_("对象编号"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "invalid": BAD_TARGET_ID, "min_value": BAD_TARGET_ID, "max_value": BAD_TARGET_ID,
        },
    )  # fmt: skip
    since = forms.DateField(label=_("起始日期"), **DATE_FIELD)
    until = forms.DateField(label=_("截止日期"), **DATE_FIELD)

    def _clean_day(self, name: str) -> date | None:
        # Years far off would overflow the time zone arithmetic (0001-01-01 at +08:00).
        day: date | None = self.cleaned_data.get(name)
        if day is not None and not 2000 <= day.year <= 2999:
            raise forms.ValidationError(DATE_OUT_OF_RANGE)
        return day

    def clean_since(self) -> date | None:
        return self._clean_day("since")

    def clean_until(self) -> date | None:
        return self._clean_day("until")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(BAD_RANGE)
        return data


def _day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


@editor_required
@require_GET
@paginated
def editor_audit(request: HttpRequest) -> HttpResponse:
    """审计日志, newest first, a page at a time (keyset on created_at, ``?after=``)."""
    form = AuditFilterForm(request.GET)
    page: Page[AuditEntry] = Page.empty()
    if form.is_valid():
        data = form.cleaned_data
        page = audit_list_filtered(
            page=PageRequest.from_query(request.GET),
            actor=data["actor"],
            action=data["action"].strip(),
            target_type=data["target_type"],
            target_id=data["target_id"],
            since=_day_start(data["since"]) if data["since"] else None,
            # The until day is included: up to midnight at its end.
            until=_day_start(data["until"] + timedelta(days=1)) if data["until"] else None,
        )
    # The filters every pager link keeps (ends in "&", as _pager.html expects).
    kept = {name: request.GET[name] for name in form.fields if request.GET.get(name)}
    context = {
        "form": form,
        "page": page,
        "lines": _in_words(page.items),
        "query": f"{urlencode(kept)}&" if kept else "",
        "is_filtered": bool(kept),
        "actions": [
            (code, "" if code.endswith(".") else audit_phrase(code)) for code in KNOWN_ACTIONS
        ],
    }
    status = 200 if form.is_valid() else 400
    return render(request, "web/editor/audit.html", context, status=status)
