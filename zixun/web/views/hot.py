"""热榜: the hot list page (global and per channel), its public 热榜说明, and editors'
pins and removals (with a reason, audited, listed publicly)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zixun.channels.selectors import channel_get_active, channel_list_nav
from zixun.core.pagination import PageRequest
from zixun.moderation.clickbait import penalty as clickbait_penalty
from zixun.ranking.hot import KIND_NAMES
from zixun.ranking.selectors import hot_interventions, hot_list
from zixun.ranking.services import HotError, hot_intervention_end, hot_pin, hot_remove
from zixun.web.http import acting_user, editor_required
from zixun.web.pagecache import cached_page
from zixun.web.views.reading import paginated

HOT_PAGE_SIZE = 30


@require_GET
@cached_page
def hot_page(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("channel", "")
    channel = channel_get_active(slug=slug) if slug else None
    if slug and channel is None:
        raise Http404
    items = hot_list(channel_id=channel.pk if channel else None, limit=HOT_PAGE_SIZE)
    context = {
        "current_channel": "hot",
        "items": items,
        "channel": channel,
        "channels": channel_list_nav(),
        "position_max": settings.ZIXUN_HOT_SIZE,
    }
    return render(request, "web/hot.html", context)


def _weights() -> list[tuple[str, float]]:
    """The formula's weights in the order of the event kinds, for the 热榜说明 page."""
    from zixun.events.models import Event

    labels = {name: Event.Kind(kind).label for kind, name in KIND_NAMES.items()}
    return [(str(labels[name]), float(w)) for name, w in settings.ZIXUN_HOT_WEIGHTS.items()
            if name in labels]  # fmt: skip


@require_GET
@cached_page
@paginated
def hot_about(request: HttpRequest) -> HttpResponse:
    context = {
        "weights": _weights(),
        "half_life": settings.ZIXUN_HOT_HALF_LIFE_HOURS,
        "window_days": settings.ZIXUN_HOT_WINDOW_DAYS,
        "clickbait_keep": round(clickbait_penalty(1.0) * 100),
        "page": hot_interventions(page=PageRequest.from_query(request.GET)),
    }
    return render(request, "web/hot_about.html", context)


@require_POST
@editor_required
def hot_manage(request: HttpRequest) -> HttpResponse:
    """An editor pins (action=pin, position), removes (action=remove) or ends an intervention
    (action=end, intervention), always with a reason."""
    user = acting_user(request)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    try:
        number = int(request.POST.get("intervention" if action == "end" else "article", ""))
        if action == "pin":
            position = int(request.POST.get("position", ""))
            hot_pin(article_id=number, by=user, position=position, reason=reason)
            messages.success(request, _("已置顶到热榜第 %(n)s 位") % {"n": position})
        elif action == "remove":
            hot_remove(article_id=number, by=user, reason=reason)
            messages.success(request, _("已移出热榜"))
        elif action == "end":
            hot_intervention_end(intervention_id=number, by=user, reason=reason)
            messages.success(request, _("已撤销这项热榜调整"))
        else:
            messages.error(request, _("未知的操作"))
    except ValueError as error:
        text = str(error) if isinstance(error, HotError) else _("请填写有效的文章编号和位置")
        messages.error(request, text)
    back = request.POST.get("next", "")
    if back not in (reverse("web:hot"), reverse("web:hot-about")):
        back = reverse("web:hot")
    return redirect(back)
