"""Editors' pages (审核): the application and article review queues, takedowns,
restores and the audit log. Non-editors get 404: the pages do not exist for them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zixun.articles import selectors as article_selectors
from zixun.articles.models import Article
from zixun.articles.services import publishing, review
from zixun.articles.services.checks import ArticleError
from zixun.audit.models import AuditEntry
from zixun.audit.selectors import audit_list_for, audit_list_latest
from zixun.audit.wording import AuditLine, audit_lines
from zixun.core.pagination import PageRequest
from zixun.creators import selectors as creator_selectors
from zixun.creators.models import Application
from zixun.creators.services import ApplicationError, application_approve, application_reject
from zixun.engagement.selectors import comment_article_ids, comment_list_pending
from zixun.engagement.services import EngagementError, comment_review
from zixun.moderation.selectors import appeal_count_pending, case_count_open, review_flags
from zixun.moderation.services import ModerationError, takedown
from zixun.web.forms import ApproveForm, ReasonForm
from zixun.web.http import acting_user, editor_required
from zixun.web.pagecache import page_cache_forget
from zixun.web.views.reading import paginated

View = Callable[..., Any]


def _in_words(entries: Iterable[AuditEntry]) -> list[AuditLine]:
    """The entries in words, each linked to its target (a comment to its place on its article)."""
    rows = list(entries)
    comment_ids = [e.target_id for e in rows if e.target_type == "engagement.comment"]
    comment_articles = comment_article_ids(comment_ids=comment_ids)
    return audit_lines(rows, for_editor=True, comment_articles=comment_articles)


@editor_required
@require_GET
def editor_home(request: HttpRequest) -> HttpResponse:
    """The first page of each queue; the article queues page on from their own pages."""
    context = {
        "applications": creator_selectors.application_list_pending()[:50],
        "articles": article_selectors.article_list_pending(),
        "deleted": article_selectors.article_list_deleted(),
        "comments": comment_list_pending(),
        "audit": _in_words(audit_list_latest(limit=50)),
        "report_count": case_count_open(),
        "appeal_count": appeal_count_pending(),
    }
    return render(request, "web/editor/home.html", context)


# The article queues with a page of their own: queue -> selector.
QUEUES = {
    "pending": article_selectors.article_list_pending,
    "deleted": article_selectors.article_list_deleted,
}


@editor_required
@require_GET
@paginated
def editor_queue(request: HttpRequest, queue: str) -> HttpResponse:
    """待审文章 or 已删除, a page at a time (keyset on id, ``?after=``)."""
    page = QUEUES[queue](page=PageRequest.from_query(request.GET))
    return render(request, "web/editor/queue.html", {"queue": queue, "page": page})


def _application(request: HttpRequest, application_id: int) -> Application:
    try:
        return creator_selectors.application_get_for_review(
            user=acting_user(request), application_id=application_id
        )
    except Application.DoesNotExist as error:
        raise Http404 from error


@editor_required
def application_review(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id)
    approve_form = ApproveForm(request.POST or None)
    reason_form = ReasonForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve" and approve_form.is_valid():
                creator = application_approve(
                    application=application, by=acting_user(request),
                    verification_label=approve_form.cleaned_data.get("verification_label") or "",
                )  # fmt: skip
                messages.success(request, _("已开通账号：%(name)s") % {"name": creator.name})
                return redirect("web:editor")
            if action == "reject" and reason_form.is_valid():
                application_reject(
                    application=application, by=acting_user(request),
                    reason=reason_form.cleaned_data.get("reason") or "",
                )  # fmt: skip
                messages.success(request, _("已退回申请"))
                return redirect("web:editor")
            messages.error(request, _("未知的操作"))
        except (ApplicationError, PermissionDenied) as error:
            messages.error(request, str(error))
    context = {
        "application": application,
        "approve_form": approve_form,
        "reason_form": reason_form,
        "history": _in_words(audit_list_for(target=application)),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "web/editor/application.html", context, status=status)


@editor_required
@require_GET
def application_credentials(request: HttpRequest, application_id: int) -> FileResponse:
    """The applicant's credentials file, for editors only; never a public URL."""
    application = _application(request, application_id)
    if not application.credentials:
        raise Http404
    name = application.credentials.name.rsplit("/", 1)[-1]
    return FileResponse(application.credentials.open("rb"), as_attachment=True, filename=name)


ARTICLE_ACTIONS = {"approve", "reject", "unpublish", "lift", "restore"}


@editor_required
def article_review(request: HttpRequest, article_id: int) -> HttpResponse:
    try:
        article = article_selectors.article_get_for_edit(
            user=acting_user(request), article_id=article_id
        )
    except Article.DoesNotExist as error:
        raise Http404 from error
    reason_form = ReasonForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = reason_form.cleaned_data.get("reason", "") if reason_form.is_valid() else ""
        try:
            _article_action(request, article, action, reason)
            return redirect("web:editor")
        except (ArticleError, PermissionDenied) as error:
            messages.error(request, str(error))
    context = {
        "article": article,
        "reason_form": reason_form,
        "history": _in_words(audit_list_for(target=article)),
        "flags": review_flags(article),
        "labels": Article.Label.choices[1:],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "web/editor/article.html", context, status=status)


def _article_action(request: HttpRequest, article: Article, action: str, reason: str) -> None:
    editor = acting_user(request)
    if action not in ARTICLE_ACTIONS:
        raise ArticleError(_("未知的操作"))
    if action == "approve":
        review.article_approve(article=article, by=editor)
        messages.success(request, _("已通过"))
    elif action == "reject":
        review.article_reject(article=article, by=editor, reason=reason)
        messages.success(request, _("已退回"))
    elif action == "unpublish":
        try:  # the account is told why, and may appeal
            takedown(article=article, by=editor, reason=reason)
        except ModerationError as error:
            raise ArticleError(error.message, **error.params) from error
        messages.success(request, _("已下架"))
    elif action == "lift":
        publishing.article_takedown_lift(article=article, by=editor, reason=reason)
        messages.success(request, _("已解除下架，文章回到“已下线”，作者可修改后重新提交"))
    else:
        publishing.article_restore(article=article, by=editor)
        messages.success(request, _("已恢复"))


@editor_required
@require_POST
def comment_moderate(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Publish or reject a held 跟贴."""
    approve = request.POST.get("action") == "approve"
    try:
        comment = comment_review(
            comment_id=comment_id, by=acting_user(request), approve=approve,
            reason=request.POST.get("reason", "")[:2000],
        )  # fmt: skip
    except EngagementError as error:
        messages.error(request, str(error))
    else:
        if approve:  # the article's cached pages do not have it yet
            page_cache_forget(
                request, reverse("web:article", kwargs={"article_id": comment.article_id})
            )
        messages.success(request, _("跟贴已发布") if approve else _("跟贴未通过"))
    return redirect("web:editor")
