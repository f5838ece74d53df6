"""Trust and safety pages: 举报 (any signed-in reader), 通知 and 申诉 (the affected user),
and the editors' report and appeal queues and fact-check labels (docs/moderation.md)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zixun.articles.models import Article
from zixun.core.pagination import PageRequest
from zixun.core.ratelimit import RATE_LIMITED, rate_limit_hit
from zixun.moderation import selectors
from zixun.moderation.models import Appeal, Case, Decision, ReportReason, Target
from zixun.moderation.services import (
    APPEALABLE,
    FITS,
    ModerationError,
    appeal_decide,
    appeal_file,
    appeal_target,
    appellant_may,
    case_decide,
    label_set,
    notices_mark_read,
    report_file,
    target_visible,
)
from zixun.moderation.wording import notice_text
from zixun.web.http import acting_user, editor_required, safe_next
from zixun.web.pagecache import page_cache_forget
from zixun.web.views.reading import paginated

PERIODS = {"1": 1, "3": 3, "7": 7, "30": 30, "forever": None}  # days of a ban or a suspension


# 举报 ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    """The report form (a page of its own, so it works without JavaScript)."""
    if kind not in Target.values:
        raise Http404
    # Only what a reader can see is shown (and reportable): a draft's title or a hidden
    # comment's text is nobody's business here; the page says it is gone.
    if target_visible(kind, target_id):
        view = selectors.target_view(kind, target_id)
    else:
        view = selectors.TargetView(kind, target_id, False)
    back = safe_next(request, request.GET.get("next", ""), view.url or reverse("web:home"))
    status = 200
    if request.method == "POST":
        user = acting_user(request)
        wait = rate_limit_hit(scope="report", who=f"u{user.pk}",
                              per_minute=settings.ZIXUN_REPORTS_PER_MINUTE)  # fmt: skip
        if wait:
            messages.error(request, str(RATE_LIMITED) % {"seconds": wait})
            status = 429
        else:
            try:
                report_file(reporter=user, target_type=kind, target_id=target_id,
                            reason=request.POST.get("reason", ""),
                            details=request.POST.get("details", ""))  # fmt: skip
            except ModerationError as error:
                messages.error(request, str(error))
                status = 400
            else:
                messages.success(request, _("举报已提交，编辑会尽快处理，结果会通知你"))
                return redirect(back)
    if not view.exists and request.method == "GET":
        status = 404  # the page says so, with the way back
    context = {"view": view, "kind": kind, "reasons": ReportReason.choices, "back": back,
               "chosen": request.POST.get("reason", ""), "details": request.POST.get("details", "")}  # fmt: skip
    return render(request, "web/report.html", context, status=status)


# 通知与申诉 -----------------------------------------------------------------------------------


@login_required
@require_GET
@paginated
def me_notices(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = selectors.notices_for(user=user, page=PageRequest.from_query(request.GET))
    lines = [(item, notice_text(item.notice)) for item in page.items]
    reports = selectors.reports_by(user=user, limit=20)
    views = selectors.target_views([(r.case.target_type, r.case.target_id) for r in reports])
    mine = [(r, views[r.case.target_type, r.case.target_id]) for r in reports]
    response = render(
        request, "web/me/notices.html", {"page": page, "lines": lines, "reports": mine}
    )
    notices_mark_read(user=user)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def me_appeal(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = acting_user(request)
    entry = selectors.decision_entry(entry_id=entry_id)
    if entry is None or entry.action not in APPEALABLE or not appellant_may(user, entry):
        raise Http404  # another's decision: as if there were none
    status = 200
    if request.method == "POST":
        try:
            appeal_file(user=user, entry_id=entry_id, text=request.POST.get("text", ""))
        except ModerationError as error:
            messages.error(request, str(error))
            status = 400
        else:
            messages.success(request, _("申诉已提交，编辑复核后会通知你"))
            return redirect("me:notices")
    kind, target_id = appeal_target(entry)
    view = selectors.target_view(kind, target_id) if kind != "user" else None
    context = {"entry": entry, "text": request.POST.get("text", ""), "view": view,
               "deadline": entry.created_at + timedelta(days=settings.ZIXUN_APPEAL_DAYS)}  # fmt: skip
    return render(request, "web/me/appeal.html", context, status=status)


# 编辑：举报与申诉 --------------------------------------------------------------------------------


@editor_required
@require_GET
@paginated
def editor_reports(request: HttpRequest) -> HttpResponse:
    page = selectors.case_list_open(page=PageRequest.from_query(request.GET))
    views = selectors.target_views([(c.target_type, c.target_id) for c in page.items])
    rows = [(case, views[case.target_type, case.target_id]) for case in page.items]
    return render(request, "web/editor/reports.html", {"page": page, "rows": rows})


def _until(request: HttpRequest) -> datetime | None:
    days = PERIODS.get(request.POST.get("period", "7"), 7)
    return timezone.now() + timedelta(days=days) if days else None


@editor_required
@require_http_methods(["GET", "POST"])
def editor_case(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case = selectors.case_get(case_id=case_id)
    except Case.DoesNotExist as error:
        raise Http404 from error
    view = selectors.target_view(case.target_type, case.target_id)
    status = 200
    if request.method == "POST":
        try:
            case_decide(case=case, by=acting_user(request), decision=request.POST.get("decision", ""),
                        reason=request.POST.get("reason", ""), until=_until(request),
                        hide_all=request.POST.get("hide_all") == "on")  # fmt: skip
        except ModerationError as error:
            messages.error(request, str(error))
            status = 400
        else:
            if view.url:
                page_cache_forget(request, view.url.split("#")[0])
            messages.success(request, _("举报已处理，举报人和当事人会收到通知"))
            return redirect("web:editor-reports")
    context = {
        "case": case, "view": view, "reports": selectors.case_reports(case=case),
        "decisions": [(d, Decision(d).label) for d in Decision.values
                      if d in FITS[Target(case.target_type)]],
        "earlier": selectors.case_history(target_type=case.target_type, target_id=case.target_id),
        "periods": PERIODS,
    }  # fmt: skip
    return render(request, "web/editor/case.html", context, status=status)


@editor_required
@require_GET
@paginated
def editor_appeals(request: HttpRequest) -> HttpResponse:
    page = selectors.appeal_list_pending(page=PageRequest.from_query(request.GET))
    views = selectors.target_views([(a.target_type, a.target_id) for a in page.items])
    rows = [(a, views[a.target_type, a.target_id]) for a in page.items]
    return render(request, "web/editor/appeals.html", {"page": page, "rows": rows})


@editor_required
@require_http_methods(["GET", "POST"])
def editor_appeal(request: HttpRequest, appeal_id: int) -> HttpResponse:
    try:
        appeal = selectors.appeal_get(appeal_id=appeal_id)
    except Appeal.DoesNotExist as error:
        raise Http404 from error
    view = selectors.target_view(appeal.target_type, appeal.target_id)
    status = 200
    if request.method == "POST":
        try:
            appeal_decide(appeal=appeal, by=acting_user(request),
                          reverse=request.POST.get("decision") == "reverse",
                          reply=request.POST.get("reply", ""))  # fmt: skip
        except ModerationError as error:
            messages.error(request, str(error))
            status = 400
        else:
            messages.success(request, _("申诉已处理，申诉人会收到通知"))
            return redirect("web:editor-appeals")
    context = {"appeal": appeal, "view": view,
               "entry": selectors.decision_entry(entry_id=appeal.decision_entry_id)}  # fmt: skip
    return render(request, "web/editor/appeal.html", context, status=status)


@editor_required
@require_POST
def editor_label(request: HttpRequest, article_id: int) -> HttpResponse:
    """辟谣 / 不实信息 / 有争议 on an article, with the evidence and a note (or no label)."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise Http404
    try:
        label_set(article=article, by=acting_user(request), label=request.POST.get("label", ""),
                  url=request.POST.get("url", ""), note=request.POST.get("note", ""))  # fmt: skip
    except ModerationError as error:
        messages.error(request, str(error))
    else:
        page_cache_forget(request, article.get_absolute_url())
        messages.success(request, _("标注已更新") if request.POST.get("label") else _("标注已取消"))
    return redirect("web:editor-article", article_id=article_id)
