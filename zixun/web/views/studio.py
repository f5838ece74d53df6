"""The creator studio (创作中心) and the 申请入驻 form: parse, call a service, render.

Every object is fetched through a selector that checks the acting user, so
another creator's draft is a 404, never a 403 that would reveal it exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from zixun.accounts.models import User
from zixun.articles import selectors as article_selectors
from zixun.articles.limits import TITLE_MAX
from zixun.articles.markdown import markdown_render
from zixun.articles.models import Article
from zixun.articles.sanitize import summary_from_text
from zixun.articles.services import drafts, images, publishing, review
from zixun.articles.services.checks import ArticleError, ArticleInput
from zixun.audit.selectors import audit_list_for
from zixun.audit.wording import audit_lines
from zixun.channels.selectors import channel_list_nav
from zixun.core.pagination import PageRequest
from zixun.core.ratelimit import rate_limited
from zixun.creators import selectors as creator_selectors
from zixun.creators.models import Application, Creator
from zixun.creators.services import (
    ApplicationError,
    ApplicationInput,
    application_submit,
    creator_feed_full_text_set,
)
from zixun.web import readerpage
from zixun.web.forms import (
    ApplicationForm,
    ArticleForm,
    ImageUploadForm,
    ScheduleForm,
    read_upload,
)
from zixun.web.http import absolute_url, acting_user, id_param, wants_json
from zixun.web.views.reading import paginated


def _article_or_404(request: HttpRequest, article_id: int) -> Article:
    try:
        return article_selectors.article_get_for_edit(
            user=acting_user(request), article_id=article_id
        )
    except Article.DoesNotExist as error:
        raise Http404 from error


def _creator_or_404(request: HttpRequest, creator_id: int | None) -> Creator:
    try:
        return creator_selectors.creator_get_for_member(
            user=acting_user(request), creator_id=creator_id or 0
        )
    except Creator.DoesNotExist as error:
        raise Http404 from error


def _input(form: ArticleForm) -> ArticleInput:
    data = form.cleaned_data
    channel = data.get("channel")
    return ArticleInput(
        title=data.get("title") or "",
        body_source=data.get("body_source") or "",
        channel_id=channel.pk if channel else None,
        tags=form.tag_list(),
        is_original=bool(data.get("is_original")),
        summary=data.get("summary") or "",
        cover_image_id=data.get("cover_image"),
    )


def _initial(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "channel": article.channel_id,
        "tags": "，".join(article.tags),
        "is_original": article.is_original,
        # An automatic summary stays automatic: show the field empty so that it
        # follows the body's opening on the next save.
        "summary": ""
        if article.summary == summary_from_text(article.body_text)
        else article.summary,
        "body_source": article.body_source or article.body_text,
    }


@login_required
@require_GET
@paginated
def studio_home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    totals = article_selectors.article_totals_for_studio(user=user)
    creators = creator_selectors.creator_list_for_member(user=user)
    context = {
        "creators": creators,
        "accounts": [(creator, totals.get(creator.pk)) for creator in creators],
        "page": article_selectors.article_list_for_studio_written(
            user=user, page=PageRequest.from_query(request.GET)
        ),
        "applications": creator_selectors.application_list_for_applicant(user=user),
    }
    return render(request, "web/studio/home.html", context)


@login_required
@require_POST
def article_new(request: HttpRequest) -> HttpResponse:
    """写文章: opens the account's empty draft, or starts one. An empty draft is listed nowhere,
    so one that is left is never seen, and 写文章 opens it again instead of adding another."""
    creator = _creator_or_404(request, id_param(request.POST.get("creator")))
    article = article_selectors.article_get_empty_draft(creator_id=creator.pk)
    if article is not None:
        return redirect("web:studio-article", article_id=article.pk)
    article = drafts.article_create(
        creator=creator,
        by=acting_user(request),
        data=ArticleInput(title="", body_source="", channel_id=None),
    )
    return redirect("web:studio-article", article_id=article.pk)


@login_required
@require_POST
@rate_limited("studio-feed", per_minute=20)
def creator_feed_set(request: HttpRequest, creator_id: int) -> HttpResponse:
    """The account's RSS and Atom feeds carry the whole article (full_text=1) or its summary."""
    creator = _creator_or_404(request, creator_id)
    on = request.POST.get("full_text") == "1"
    try:
        creator_feed_full_text_set(creator=creator, by=acting_user(request), on=on)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect("web:studio")
    if on:
        messages.success(request, _("%(name)s的 RSS 将输出全文") % {"name": creator.name})
    else:
        messages.success(request, _("%(name)s的 RSS 将只输出摘要") % {"name": creator.name})
    return redirect("web:studio")


FORM_INVALID = gettext_lazy("表单有误，请检查后重试")
SCHEDULE_INVALID = gettext_lazy("定时发布时间格式不对")
STUDIO_ACTIONS = {"save", "submit", "revise", "unpublish", "delete"}


@login_required
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    """The editor: GET shows it; POST saves, submits, schedules, revises, unpublishes or deletes."""
    article = _article_or_404(request, article_id)
    user = acting_user(request)
    form = ArticleForm(request.POST or None, initial=_initial(article))
    schedule = ScheduleForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action not in STUDIO_ACTIONS:
            return HttpResponse(_("未知的操作"), status=400)
        try:
            _run_action(request, article, user, action, form, schedule)
        except (ArticleError, PermissionDenied) as error:
            messages.error(request, str(error))
            return _render_editor(request, article, form, schedule, status=400)
        if action == "delete":
            return redirect("web:studio")
        return redirect("web:studio-article", article_id=article.pk)
    return _render_editor(request, article, form, schedule)


def _run_action(
    request: HttpRequest, article: Article, user: User, action: str, form: ArticleForm,
    schedule: ScheduleForm,
) -> None:  # fmt: skip
    if action == "unpublish":
        publishing.article_unpublish(article=article, by=user)
        messages.success(request, _("文章已下线"))
        return
    if action == "delete":
        publishing.article_delete(article=article, by=user)
        messages.success(request, _("文章已删除；如需恢复请联系编辑"))
        return
    if not form.is_valid():
        raise ArticleError(FORM_INVALID)
    if action == "revise":
        drafts.article_revise(
            article=article, by=user, data=_input(form), note=form.cleaned_data.get("note") or ""
        )
        messages.success(request, _("修改已发布，并保存为新版本"))
        return
    if action == "save":
        drafts.article_save_draft(article=article, by=user, data=_input(form))
        messages.success(request, _("草稿已保存"))
        return
    if not schedule.is_valid():
        raise ArticleError(SCHEDULE_INVALID)
    when = schedule.cleaned_data.get("scheduled_at")
    # One transaction: a refused submit leaves the article as it was (not pulled back).
    article = review.article_save_and_submit(
        article=article, by=user, data=_input(form), scheduled_at=when
    )
    messages.success(request, _status_message(article))


def _status_message(article: Article) -> str:
    if article.status == Article.Status.PUBLISHED:
        return _("已发布")
    if article.status == Article.Status.SCHEDULED:
        when = timezone.localtime(article.scheduled_at).strftime("%Y-%m-%d %H:%M")
        return _("将于 %(when)s 定时发布") % {"when": when}
    return _("已提交审核，编辑审核通过后发布")


def _render_editor(
    request: HttpRequest, article: Article, form: ArticleForm, schedule: ScheduleForm,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    context = {
        "article": article,
        "form": form,
        "schedule": schedule,
        "channels": channel_list_nav(),
        "images": article_selectors.image_list_for_creator(creator_id=article.creator_id),
        "history": audit_lines(
            audit_list_for(target=article)[:20], for_editor=False, comment_articles={}
        ),
        "title_max": TITLE_MAX,
        "revisions": article_selectors.revision_list(article=article)[:20],
        "live": article.status == Article.Status.PUBLISHED,
        # 已下架: the form is shown read-only, with the editor's reason; only an editor lifts it.
        "locked": article.status == Article.Status.TAKEN_DOWN,
    }
    return render(request, "web/studio/edit.html", context, status=status)


@login_required
@require_POST
@rate_limited("autosave", per_minute=30)
def article_autosave(request: HttpRequest, article_id: int) -> JsonResponse:
    """Called by the editor's script every few seconds while a draft changes."""
    article = _article_or_404(request, article_id)
    form = ArticleForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"ok": False, "error": _("表单有误")}, status=400)
    if article.status == Article.Status.PUBLISHED:
        return JsonResponse({"ok": False, "error": _("已发布的文章请用“发布修改”保存")}, status=409)
    try:
        drafts.article_save_draft(article=article, by=acting_user(request), data=_input(form))
    except ArticleError as error:
        return JsonResponse({"ok": False, "error": str(error)}, status=400)
    saved = timezone.localtime().strftime("%H:%M:%S")
    return JsonResponse({"ok": True, "saved_at": saved})


@login_required
@require_POST
@rate_limited("preview", per_minute=120)
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The live preview: the same renderer and sanitizer as publishing."""
    source = request.POST.get("body_source", "")[:200_000]
    body_html, _text = markdown_render(source)
    return HttpResponse(body_html, content_type="text/html; charset=utf-8")


@login_required
@require_GET
def article_preview(request: HttpRequest, article_id: int) -> HttpResponse:
    """The article as readers will see it, for its members and editors only."""
    article = _article_or_404(request, article_id)
    context = {
        "article": article,
        "preview": True,
        "related": [],
        "past": [],
        "share_url": absolute_url(request, article.get_absolute_url()),
        "toggles": readerpage.toggles_for(None),
        "hot": [],
        "highlights": [],
        "originals": [],
    }
    response = render(request, "web/article.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
@rate_limited("upload", per_minute=20)
def image_upload(request: HttpRequest) -> HttpResponse:
    """Upload an image; answers JSON to the editor's script, or redirects back without JS."""
    form = ImageUploadForm(request.POST, request.FILES)
    json_wanted = wants_json(request)
    back = request.POST.get("next", "")
    if not form.is_valid():
        return _upload_error(request, _("请选择图片并填写替代文字"), json_wanted, back)
    creator = _creator_or_404(request, form.cleaned_data["creator"])
    data = read_upload(form.cleaned_data["image"])
    try:
        image = images.image_upload(
            creator=creator,
            by=acting_user(request),
            data=data or b"",
            alt=form.cleaned_data["alt"] or "",
        )
    except ArticleError as error:
        return _upload_error(request, str(error), json_wanted, back)
    markdown = f"![{image.alt}]({image.file.url})"
    if json_wanted:
        return JsonResponse(
            {
                "ok": True,
                "id": image.pk,
                "url": image.file.url,
                "thumb": image.thumb_url,
                "alt": image.alt,
                "markdown": markdown,
            }
        )
    messages.success(request, _("图片已上传，可复制：%(md)s") % {"md": markdown})
    return redirect(back if back.startswith("/studio/") else reverse("web:studio"))


def _upload_error(request: HttpRequest, message: str, wants_json: bool, back: str) -> HttpResponse:
    if wants_json:
        return JsonResponse({"ok": False, "error": message}, status=400)
    messages.error(request, message)
    return redirect(back if back.startswith("/studio/") else reverse("web:studio"))


# 申请入驻 ------------------------------------------------------------------------------------


@rate_limited("apply", per_minute=5, methods={"POST"})
def apply(request: HttpRequest) -> HttpResponse:
    """The application form (GET shows it; POST files it). Anonymous readers see the rules."""
    if not request.user.is_authenticated:
        return render(request, "web/apply.html", {"form": None})
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        channel = data.get("channel")
        try:
            application_submit(
                applicant=acting_user(request),
                data=ApplicationInput(
                    account_type=data["account_type"],
                    account_name=data["account_name"],
                    introduction=data["introduction"],
                    channel_id=channel.pk if channel else None,
                    operator_name=data["operator_name"],
                    id_number=data["id_number"],
                    avatar=read_upload(data.get("avatar")),
                    credentials=read_upload(data.get("credentials")),
                ),
            )
        except ApplicationError as error:
            messages.error(request, str(error))
            return render(request, "web/apply.html", {"form": form}, status=400)
        messages.success(request, _("申请已提交，审核结果会显示在创作中心"))
        return redirect("web:studio")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/apply.html", {"form": form}, status=status)


@require_GET
def application_avatar(request: HttpRequest, application_id: int) -> FileResponse:
    """An application's avatar, for the applicant and editors only: it is kept in the
    private storage until approval copies it to the account (404 for everyone else)."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        application = creator_selectors.application_get_for_applicant_or_editor(
            user=acting_user(request), application_id=application_id
        )
    except Application.DoesNotExist as error:
        raise Http404 from error
    if not application.avatar:
        raise Http404
    response = FileResponse(application.avatar.open("rb"))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def article_revisions(request: HttpRequest, article_id: int) -> HttpResponse:
    """The revision history (更新记录): public for a published article, without the revisions
    a takedown hid; the account's members and editors see every revision, in any state."""
    article: Article | None = None
    if request.user.is_authenticated:
        try:
            article = article_selectors.article_get_for_edit(
                user=acting_user(request), article_id=article_id
            )
        except Article.DoesNotExist:
            article = None
    if article is not None:
        revisions = article_selectors.revision_list(article=article)
    else:
        article = article_selectors.article_get_published(article_id=article_id)
        if article is None:
            raise Http404
        revisions = article_selectors.revision_list_public(article=article)
    context = {"article": article, "revisions": revisions}
    return render(request, "web/revisions.html", context)
