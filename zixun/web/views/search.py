"""搜索: the results page, suggestions while typing, 热搜 and its public 热搜说明, and editors'
pins and removals on 热搜 (with a reason, audited, listed publicly)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from zixun.channels.selectors import channel_get_active, channel_list_nav
from zixun.core.errors import ServiceError
from zixun.core.pagination import PageRequest
from zixun.core.ratelimit import rate_limited, requester_key
from zixun.core.search import SearchQuery
from zixun.creators.models import Creator
from zixun.search.selectors import hot_search_interventions, hot_searches, search_page, suggestions
from zixun.search.services import (
    HOT_SEARCH_SIZE,
    HotSearchError,
    hot_search_intervene,
    hot_search_intervention_end,
    query_record,
)
from zixun.web.http import acting_user, editor_required, id_param
from zixun.web.pagecache import cached_page
from zixun.web.views.reading import paginated

PAGE_SIZE = 10
RANGES = {
    "day": (timedelta(days=1), gettext_lazy("一天内")),
    "week": (timedelta(days=7), gettext_lazy("一周内")),
    "month": (timedelta(days=31), gettext_lazy("一月内")),
    "year": (timedelta(days=366), gettext_lazy("一年内")),
}
ORDERS = {"relevance": gettext_lazy("综合排序"), "newest": gettext_lazy("最新发布")}


@require_GET
@rate_limited("search", per_minute=60)
def search(request: HttpRequest) -> HttpResponse:
    """?q= the query; channel (slug), account (id), range (day/week/month/year), order
    (relevance/newest), after (the cursor of the next page). Unknown filters are dropped with a
    note, never an error page."""
    text = request.GET.get("q", "")
    notes: list[str] = []
    channel = None
    if slug := request.GET.get("channel", ""):
        channel = channel_get_active(slug=slug)
        if channel is None:
            notes.append(_("没有这个频道，已在全部频道中搜索"))
    account = None
    if raw := request.GET.get("account", ""):
        account_id = id_param(raw)
        account = (
            Creator.objects.filter(pk=account_id, is_suspended=False).first()
            if account_id
            else None
        )
        if account is None:
            notes.append(_("没有这个账号，已在全部账号中搜索"))
    range_key = request.GET.get("range", "")
    if range_key not in RANGES:
        range_key = ""
    order = request.GET.get("order", "relevance")
    if order not in ORDERS:
        order = "relevance"
    after = request.GET.get("after", "")[:400]
    query = SearchQuery(
        text=text, channel_id=channel.pk if channel else None, creator_id=account.pk if account else None,
        since=timezone.now() - RANGES[range_key][0] if range_key else None,
        order=order, after=after, size=PAGE_SIZE,
    )  # fmt: skip
    page = None
    error = ""
    if text.strip():
        try:
            page = search_page(
                query, with_accounts=not after and channel is None and account is None
            )
        except ServiceError as failure:
            error = str(failure)
    if page is not None and page.query and not after:
        query_record(query=page.query, found=bool(page.items), who=requester_key(request))
    if text.strip() and page is not None and not page.query:
        notes.append(_("请输入要搜索的字词（标点和符号不参与搜索）"))
    params = {"q": text, "channel": channel.slug if channel else "", "account": account.pk if account else "",
              "range": range_key, "order": order}  # fmt: skip
    context = {
        "q": text,
        "page": page,
        "error": error,
        "notes": notes,
        "channel": channel,
        "account": account,
        "range_key": range_key,
        "order": order,
        "ranges": [(key, label) for key, (_, label) in RANGES.items()],
        "orders": list(ORDERS.items()),
        "channels": channel_list_nav(),
        "params": {k: v for k, v in params.items() if v},
        "first_page": bool(after),
        "hot_searches": hot_searches(),
        "search_page": True,
    }
    status = 400 if error else 200
    return render(request, "web/search.html", context, status=status)


@require_GET
@rate_limited("search-suggest", per_minute=240)
def suggest(request: HttpRequest) -> JsonResponse:
    """Suggestions while typing: accounts, then popular queries starting with ?q=."""
    items = suggestions(request.GET.get("q", "")[:100])
    return JsonResponse({"items": [{"text": s.text, "url": s.url, "kind": s.kind} for s in items]})


@require_GET
@cached_page
@paginated
def hot_search_about(request: HttpRequest) -> HttpResponse:
    context = {
        "hot_searches": hot_searches(),
        "page": hot_search_interventions(page=PageRequest.from_query(request.GET)),
        "size": HOT_SEARCH_SIZE,
    }
    return render(request, "web/hot_search_about.html", context)


@require_POST
@editor_required
def hot_search_manage(request: HttpRequest) -> HttpResponse:
    """An editor pins a query (action=pin, query, position), removes one (action=remove, query)
    or ends an intervention (action=end, intervention), always with a reason."""
    user = acting_user(request)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    try:
        if action == "end":
            number = id_param(request.POST.get("intervention", ""))
            hot_search_intervention_end(intervention_id=number or 0, by=user, reason=reason)
            messages.success(request, _("已撤销这项热搜调整"))
        elif action in ("pin", "remove"):
            raw_position = request.POST.get("position", "")
            position = id_param(raw_position.strip()) if action == "pin" else None
            hot_search_intervene(query=request.POST.get("query", ""), by=user, action=action,
                                 reason=reason, position=position)  # fmt: skip
            messages.success(request, _("已置顶到热搜") if action == "pin" else _("已移出热搜"))
        else:
            messages.error(request, _("未知的操作"))
    except HotSearchError as error:
        messages.error(request, str(error))
    return redirect(reverse("web:hot-search-about"))
