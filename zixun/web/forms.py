"""HTML form parsing for the studio, the application and the review pages.

Forms only parse and bound the input; the rules live in the services, which
raise errors the views show next to the form.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zixun.channels.models import Channel
from zixun.creators.models import Creator

UPLOAD_FIELD_MAX = 20 * 1024 * 1024  # a hard ceiling before the services' own, lower limits


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("标题"), required=False, max_length=10_000, strip=True)
    channel = forms.ModelChoiceField(
        label=_("频道"), queryset=Channel.objects.filter(is_active=True), required=False
    )
    tags = forms.CharField(
        label=_("标签"), required=False, max_length=1000,
        help_text=_("用逗号分隔，最多 10 个"),
    )  # fmt: skip
    is_original = forms.BooleanField(label=_("声明原创"), required=False)
    summary = forms.CharField(label=_("摘要"), required=False, max_length=10_000)
    cover_image = forms.IntegerField(label=_("封面"), required=False, min_value=1)
    body_source = forms.CharField(
        label=_("正文（Markdown）"), required=False, max_length=1_000_000, widget=forms.Textarea,
        strip=False,
    )  # fmt: skip
    note = forms.CharField(label=_("修改说明"), required=False, max_length=200)

    def tag_list(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [t for t in raw.replace("，", ",").split(",") if t.strip()]


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("定时发布"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )  # fmt: skip


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), required=False, max_length=2000, widget=forms.Textarea
    )


class ImageUploadForm(forms.Form):
    creator = forms.IntegerField(min_value=1)
    image = forms.FileField(label=_("图片"))
    alt = forms.CharField(label=_("替代文字"), required=False, max_length=200)


class ApplicationForm(forms.Form):
    account_type = forms.ChoiceField(label=_("账号类型"), choices=Creator.AccountType.choices)
    account_name = forms.CharField(label=_("账号名称"), max_length=1000)
    introduction = forms.CharField(label=_("简介"), max_length=5000, widget=forms.Textarea)
    channel = forms.ModelChoiceField(
        label=_("领域"), queryset=Channel.objects.filter(is_active=True), required=False
    )
    operator_name = forms.CharField(label=_("运营者真实姓名"), max_length=1000)
    id_number = forms.CharField(label=_("运营者身份证号"), max_length=1000)
    avatar = forms.FileField(label=_("头像"), required=False)
    credentials = forms.FileField(label=_("资质证明（媒体、企业、政务必填）"), required=False)


class ApproveForm(forms.Form):
    verification_label = forms.CharField(label=_("认证标签"), required=False, max_length=40)


def read_upload(upload: object, limit: int = UPLOAD_FIELD_MAX) -> bytes | None:
    """The bytes of an uploaded file, or None if there is none; reads at most limit + 1 bytes
    so that an oversized file is refused by the service without being read whole."""
    if upload is None:
        return None
    read = upload.read  # type: ignore[attr-defined]
    data: bytes = read(limit + 1)
    return data
