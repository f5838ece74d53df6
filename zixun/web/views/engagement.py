"""Readers' actions on the article page: follow, like, favourite, share, comment.

Each is a POST that works as a plain form (redirect back to the page, with a
message): the page without its script. With it, site.js calls the API instead
(zixun/api/writes_readers.py and public_shares.py: the same services and rate
limits) and stays on the page. Errors get a clear message and a 4xx status; a
replayed request changes nothing. However a comment changes, the web app's
receiver (zixun/web/receivers.py) then forgets the article's cached pages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from zixun.articles.selectors import article_get_published
from zixun.core.clientaddr import client_address
from zixun.core.errors import message_format
from zixun.core.ratelimit import RATE_LIMITED, rate_limit_hit, rate_limited
from zixun.creators.services import FollowError, creator_follow, creator_unfollow
from zixun.engagement import services
from zixun.engagement.models import Share
from zixun.engagement.services import EngagementError
from zixun.engagement.viewcount import is_bot
from zixun.web.http import absolute_url, acting_user, id_param, redirect_back

View = Callable[..., HttpResponse]


def csrf_when_signed_in(view: View) -> View:
    """CSRF protection for signed-in readers only.

    Anonymous readers see cached pages, which carry no CSRF token (ADR 0008);
    their POST has no session to forge, so it goes on to the view, which sends
    them to sign in (or counts an anonymous share). A signed-in reader's POST
    must carry the token like any other.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            rejected = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(
                request, view, args, kwargs
            )
            if rejected is not None:
                return rejected
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def reader_required(view: View) -> View:
    """Signed-in readers only: the others go to the sign-in page and back."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            login = reverse("account_login")
            back = request.POST.get("next") or request.META.get("HTTP_REFERER", "/")
            return HttpResponseRedirect(f"{login}?next={quote(back)}")
        return view(request, *args, **kwargs)

    return wrapper


def _error(request: HttpRequest, fallback: str, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect_back(request, fallback)


def _article_url(article_id: int) -> str:
    return reverse("web:article", kwargs={"article_id": article_id})


def _toggle_view(on: Callable[..., int], off: Callable[..., int], field: str) -> View:
    """The form post of 点赞 and 收藏 (the page's script calls the API)."""

    def view(request: HttpRequest, article_id: int) -> HttpResponse:
        state = request.POST.get("action", "on") != "off"
        try:
            (on if state else off)(user=acting_user(request), article_id=article_id)
        except EngagementError as error:
            messages.error(request, str(error))
            return redirect_back(request, _article_url(article_id))
        return redirect_back(request, _article_url(article_id) + f"#{field}")

    return view


article_like = csrf_when_signed_in(require_POST(rate_limited("like", per_minute=30)(reader_required(
    _toggle_view(services.article_like, services.article_unlike, "like")))))  # fmt: skip
article_favorite = csrf_when_signed_in(require_POST(rate_limited("favorite", per_minute=30)(
    reader_required(_toggle_view(services.article_favorite, services.article_unfavorite,
                                 "favorite")))))  # fmt: skip


SHARE_TARGETS = {
    Share.Channel.WEIBO: "https://service.weibo.com/share/share.php?url={url}&title={title}",
    Share.Channel.QQ: "https://connect.qq.com/widget/shareqq/index.html?url={url}&title={title}",
    Share.Channel.QZONE: "https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey?url={url}&title={title}",
    Share.Channel.DOUBAN: "https://www.douban.com/share/service?href={url}&name={title}",
}


def share_url(request: HttpRequest, article_id: int, channel: str) -> str:
    """The article's address as shared through ``channel``: it carries ?src=<channel>."""
    return absolute_url(request, f"{_article_url(article_id)}?src={channel}")


@csrf_when_signed_in
@require_POST
@rate_limited("share", per_minute=30)
def article_share(request: HttpRequest, article_id: int) -> HttpResponse:
    """The form post of the share menu's social buttons (anonymous readers too): count the
    share, then go on to that site. The script counts copy-link and QR shares through the
    API (POST /api/v1/articles/{id}/shares)."""
    channel = request.POST.get("channel", "")
    user = acting_user(request) if request.user.is_authenticated else None
    try:
        services.article_share(user=user, article_id=article_id, channel=channel)
    except EngagementError as error:
        return _error(request, _article_url(article_id), str(error))
    target = SHARE_TARGETS.get(channel)  # type: ignore[call-overload]
    if target:
        article = article_get_published(article_id=article_id)
        title = quote(article.title if article else "")
        return HttpResponseRedirect(
            target.format(url=quote(share_url(request, article_id, channel), safe=""), title=title)
        )
    return redirect_back(request, _article_url(article_id))


@csrf_when_signed_in
@require_POST
@rate_limited("read", per_minute=60)
def article_read(request: HttpRequest, article_id: int) -> HttpResponse:
    """读完: the article page's script says the reader reached the end (a ranking signal).
    Bots and repeats are not counted; the answer is empty either way."""
    agent = request.headers.get("User-Agent", "")
    if not is_bot(agent):
        user_id = request.user.pk if request.user.is_authenticated else None
        digest = hashlib.sha1(f"{client_address(request)}|{agent}".encode(), usedforsecurity=False)
        try:
            services.article_read_through(article_id=article_id, user_id=user_id,
                                          reader=digest.hexdigest()[:16])  # fmt: skip
        except EngagementError:
            return HttpResponse(status=404)
    return HttpResponse(status=204)


@csrf_when_signed_in
@require_POST
@rate_limited("follow", per_minute=30)
@reader_required
def creator_follow_toggle(request: HttpRequest, creator_id: int) -> HttpResponse:
    """The form post of 关注 (the page's script calls the API)."""
    state = request.POST.get("action", "on") != "off"
    fallback = reverse("web:account", kwargs={"creator_id": creator_id})
    try:
        call = creator_follow if state else creator_unfollow
        call(user=acting_user(request), creator_id=creator_id)
    except FollowError as error:
        messages.error(request, str(error))
    return redirect_back(request, fallback)


COMMENTS_PER_MINUTE = 5


def _comment_refused(
    request: HttpRequest, article_id: int, message: str, *, status: int = 400, reply: bool = False
) -> HttpResponse:
    """A refused comment: the article page rendered afresh (not the cached copy) with the
    message beside the box and the text kept in it. A refused reply goes back to the page
    with the message."""
    article = article_get_published(article_id=article_id)
    if article is None or reply:
        messages.error(request, message)
        return redirect_back(request, _article_url(article_id) + "#comments")
    from zixun.web.views.reading import article_context  # reading imports this module

    context = {
        **article_context(request, article),
        "comment_error": message,
        "comment_body": request.POST.get("body", "")[: settings.ZIXUN_COMMENT_MAX_CHARS * 2],
    }
    return render(request, "web/article.html", context, status=status)


@csrf_when_signed_in
@require_POST
@reader_required
def comment_create(request: HttpRequest, article_id: int) -> HttpResponse:
    """The form post of 跟贴 and 回复 (the page's script calls POST /api/v1/me/comments)."""
    parent = request.POST.get("parent", "")
    fallback = _article_url(article_id) + "#comments"
    wait = rate_limit_hit(
        scope="comment", who=f"u{request.user.pk}", per_minute=COMMENTS_PER_MINUTE
    )
    if wait:
        message = message_format(RATE_LIMITED, seconds=wait)
        response = _comment_refused(request, article_id, message, status=429, reply=bool(parent))
        response["Retry-After"] = str(wait)
        return response
    try:
        comment = services.comment_create(
            user=acting_user(request),
            article_id=article_id,
            body=request.POST.get("body", "")[: 10 * 1024 * 1024],
            parent_id=id_param(parent),
            ip=client_address(request),
        )
    except EngagementError as error:
        return _comment_refused(request, article_id, str(error), reply=bool(parent))
    held = comment.status != comment.Status.VISIBLE
    messages.success(request, _("跟贴已提交，审核后显示") if held else _("跟贴已发布"))
    return redirect_back(request, fallback)


@csrf_when_signed_in
@require_POST
@rate_limited("comment-edit", per_minute=20)
@reader_required
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The form post of 编辑 (the page's script calls PATCH /api/v1/me/comments/{id})."""
    try:
        comment = services.comment_edit(
            user=acting_user(request),
            comment_id=comment_id,
            body=request.POST.get("body", "")[: 10**7],
        )
    except EngagementError as error:
        return _error(request, "/", str(error))
    return redirect_back(request, _article_url(comment.article_id) + f"#comment-{comment.pk}")


@csrf_when_signed_in
@require_POST
@rate_limited("comment-edit", per_minute=20)
@reader_required
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The form post of 删除 (the page's script calls DELETE /api/v1/me/comments/{id})."""
    try:
        comment = services.comment_delete(user=acting_user(request), comment_id=comment_id)
    except EngagementError as error:
        return _error(request, "/", str(error))
    return redirect_back(request, _article_url(comment.article_id) + "#comments")
