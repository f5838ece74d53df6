"""The studio's webhook pages (通知推送, docs/webhooks.md): parse, call a service, render.

Only members of an account see or touch its hooks; anyone else's request for a hook is a
404 (webhooks.selectors), never a 403 that would reveal it exists. The secret is shown
once, on the page the creation redirects to, and never again.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zixun.core.errors import ServiceError
from zixun.core.pagination import PageRequest
from zixun.core.ratelimit import rate_limited
from zixun.creators.models import Creator
from zixun.web.http import acting_user, id_param
from zixun.web.views.reading import paginated
from zixun.webhooks import selectors, services
from zixun.webhooks.models import Delivery, Webhook

SECRET_SESSION_KEY = "webhook_secret_once"  # noqa: S105 - a session key, not a secret
EVENT_CHOICES = [(e.value, e.label) for e in Webhook.Event if e != Webhook.Event.WEBHOOK_TEST]
EVENT_HELP: dict[str, Promise] = {
    Webhook.Event.ARTICLE_PUBLISHED.value: gettext_lazy("文章发布上线（含定时发布、审核通过）"),
    Webhook.Event.ARTICLE_UPDATED.value: gettext_lazy("已发布的文章修改后直接生效"),
    Webhook.Event.ARTICLE_TAKEN_DOWN.value: gettext_lazy("文章被编辑下架"),
    Webhook.Event.COMMENT_CREATED.value: gettext_lazy("账号的文章有新跟贴公开"),
}
# The status badge of a delivery, in the site's status colours.
STATUS_CLASS: dict[str, str] = {
    Delivery.Status.PENDING.value: "status-scheduled",
    Delivery.Status.DELIVERED.value: "status-published",
    Delivery.Status.FAILED.value: "status-pending",
    Delivery.Status.GAVE_UP.value: "status-rejected",
}


class WebhookForm(forms.Form):
    url = forms.CharField(max_length=services.URL_MAX, required=False)
    events = forms.MultipleChoiceField(choices=EVENT_CHOICES, required=False)


class WebhookEditForm(forms.Form):
    events = forms.MultipleChoiceField(choices=EVENT_CHOICES, required=False)
    is_active = forms.BooleanField(required=False)


def _creator_or_404(request: HttpRequest, creator_id: int | None) -> Creator:
    try:
        return selectors.creator_get_for_webhooks(
            user=acting_user(request), creator_id=creator_id or 0
        )
    except Creator.DoesNotExist as error:
        raise Http404 from error


def _webhook_or_404(request: HttpRequest, webhook_id: int) -> Webhook:
    try:
        return selectors.webhook_get_for_member(user=acting_user(request), webhook_id=webhook_id)
    except Webhook.DoesNotExist as error:
        raise Http404 from error


def _event_rows(selected: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "value": value,
            "label": label,
            "help": EVENT_HELP.get(value, ""),
            "checked": value in selected,
        }
        for value, label in EVENT_CHOICES
    ]


@login_required
@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    creators = selectors.creator_list_with_webhooks(user=acting_user(request))
    context = {"creators": creators, "limit": services.MAX_WEBHOOKS}
    return render(request, "web/studio/webhooks.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("webhook-create", per_minute=10, methods={"POST"})
def webhook_new(request: HttpRequest) -> HttpResponse:
    """添加通知地址 for ``?account=ID``; on success, the new hook's page shows the secret."""
    creator = _creator_or_404(request, id_param(request.GET.get("account")))
    form = WebhookForm(request.POST or None)
    if request.method == "POST":
        return _webhook_create(request, creator, form)
    default = [Webhook.Event.ARTICLE_PUBLISHED.value]
    context = {"creator": creator, "form": form, "events": _event_rows(default)}
    return render(request, "web/studio/webhooks_new.html", context)


def _webhook_create(request: HttpRequest, creator: Creator, form: WebhookForm) -> HttpResponse:
    form.is_valid()
    data = form.cleaned_data
    events = list(data.get("events") or [])
    try:
        webhook, secret = services.webhook_create(
            creator=creator, by=acting_user(request), url=data.get("url") or "", events=events
        )
    except (ServiceError, PermissionDenied) as error:
        form.add_error("events" if _is_events_error(error) else "url", str(error))
        context = {"creator": creator, "form": form, "events": _event_rows(events)}
        return render(request, "web/studio/webhooks_new.html", context, status=400)
    request.session[SECRET_SESSION_KEY] = {"id": webhook.pk, "secret": secret}
    return redirect("webhooks:detail", webhook_id=webhook.pk)


def _is_events_error(error: Exception) -> bool:
    return isinstance(error, ServiceError) and error.message in (
        services.EVENTS_REQUIRED,
        services.EVENT_UNKNOWN,
    )


@login_required
@require_GET
@never_cache
@paginated
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """A hook: its settings, 发送测试, and its deliveries, newest first."""
    webhook = _webhook_or_404(request, webhook_id)
    once = request.session.get(SECRET_SESSION_KEY)
    secret = None
    if isinstance(once, dict) and once.get("id") == webhook.pk:
        secret = once.get("secret")
        del request.session[SECRET_SESSION_KEY]
    page = selectors.delivery_list(webhook=webhook, page=PageRequest.from_query(request.GET))
    context = {
        "webhook": webhook,
        "secret": secret,
        "events": _event_rows(webhook.events),
        "page": page,
        "rows": [
            (d, STATUS_CLASS.get(d.status, ""), json.dumps(d.payload, ensure_ascii=False, indent=2))
            for d in page.items
        ],
        "max_attempts": services.MAX_ATTEMPTS,
    }
    return render(request, "web/studio/webhooks_detail.html", context)


@login_required
@require_POST
@rate_limited("webhook-edit", per_minute=30)
def webhook_edit(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = _webhook_or_404(request, webhook_id)
    form = WebhookEditForm(request.POST)
    form.is_valid()
    events = list(form.cleaned_data.get("events") or [])
    try:
        services.webhook_update(
            webhook=webhook, by=acting_user(request), events=events,
            is_active=bool(form.cleaned_data.get("is_active")),
        )  # fmt: skip
    except (ServiceError, PermissionDenied) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("设置已保存"))
    return redirect("webhooks:detail", webhook_id=webhook.pk)


@login_required
@require_POST
@rate_limited("webhook-edit", per_minute=30)
def webhook_remove(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = _webhook_or_404(request, webhook_id)
    try:
        services.webhook_delete(webhook=webhook, by=acting_user(request))
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect("webhooks:detail", webhook_id=webhook.pk)
    messages.success(request, _("通知地址已删除"))
    return redirect("webhooks:list")


@login_required
@require_POST
@rate_limited("webhook-test", per_minute=5)
def webhook_test(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """发送测试: a webhook.test delivery, at most 5 a minute per member."""
    webhook = _webhook_or_404(request, webhook_id)
    try:
        services.webhook_test_send(webhook=webhook, by=acting_user(request))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("测试通知已发出，结果见下方投递记录"))
    return redirect("webhooks:detail", webhook_id=webhook.pk)


@login_required
@require_POST
@rate_limited("webhook-redeliver", per_minute=10)
def delivery_redeliver(request: HttpRequest, webhook_id: int, delivery_id: int) -> HttpResponse:
    try:
        delivery = selectors.delivery_get_for_member(
            user=acting_user(request), webhook_id=webhook_id, delivery_id=delivery_id
        )
    except Delivery.DoesNotExist as error:
        raise Http404 from error
    try:
        services.delivery_redeliver(delivery=delivery, by=acting_user(request))
    except (ServiceError, PermissionDenied) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已重新发送，结果见投递记录"))
    return redirect("webhooks:detail", webhook_id=webhook_id)
