"""The reader's own pages (我的): follows, favourites, history, comments, data rights.

Per reader, so never in the page cache. Lists are keyset-paginated with an
opaque ``?after=`` cursor (zixun/core/pagination.py); a bad cursor is a 400
page (see views.paginated).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zixun.core.pagination import PageRequest
from zixun.core.ratelimit import rate_limited
from zixun.creators.selectors import creator_list_for_member
from zixun.engagement import selectors as engagement
from zixun.moderation.selectors import notices_unread_count
from zixun.privacy.services import user_clear_history, user_delete, user_export
from zixun.web.http import acting_user
from zixun.web.views.reading import paginated

# The word a reader types to confirm deleting their account.
DELETE_CONFIRM_WORD = "注销"
DELETE_WRONG_PASSWORD = gettext_lazy("密码不正确，账号没有注销")
DELETE_NOT_CONFIRMED = gettext_lazy("请输入“注销”两个字确认，账号没有注销")


@require_GET
@login_required
def me_home(request: HttpRequest) -> HttpResponse:
    unread = notices_unread_count(user=acting_user(request))
    return render(request, "web/me/home.html", {"unread_notices": unread})


@require_GET
@login_required
@paginated
def me_follows(request: HttpRequest) -> HttpResponse:
    page = engagement.follow_list(
        user=acting_user(request), page=PageRequest.from_query(request.GET)
    )
    return render(request, "web/me/follows.html", {"page": page})


@require_GET
@login_required
@paginated
def me_favorites(request: HttpRequest) -> HttpResponse:
    page = engagement.favorite_list(
        user=acting_user(request), page=PageRequest.from_query(request.GET)
    )
    return render(request, "web/me/favorites.html", {"page": page})


@require_GET
@login_required
@paginated
def me_history(request: HttpRequest) -> HttpResponse:
    page = engagement.reading_list(
        user=acting_user(request), page=PageRequest.from_query(request.GET)
    )
    return render(request, "web/me/history.html", {"page": page})


@require_POST
@login_required
def me_history_clear(request: HttpRequest) -> HttpResponse:
    cleared = user_clear_history(user=acting_user(request))
    messages.success(request, _("已清空阅读记录（%(count)s 条）") % {"count": cleared})
    return redirect("me:history")


@require_GET
@login_required
@paginated
def me_comments(request: HttpRequest) -> HttpResponse:
    page = engagement.comment_list_for_user(
        user=acting_user(request), page=PageRequest.from_query(request.GET)
    )
    return render(request, "web/me/comments.html", {"page": page})


@require_GET
@login_required
@never_cache
@rate_limited("me-export", per_minute=5)
def me_data(request: HttpRequest) -> HttpResponse:
    """Download everything we keep about the reader as one JSON file."""
    user = acting_user(request)
    body = json.dumps(user_export(user=user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    # The id, not the username: a Chinese username would need RFC 6266 encoding.
    filename = f"zixun-data-{user.pk}-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
@rate_limited("me-delete", per_minute=5, methods={"POST"})
def me_delete(request: HttpRequest) -> HttpResponse:
    """GET explains what deleting the account does; POST, with password and 注销, does it."""
    user = acting_user(request)
    if request.method == "POST":
        if not user.check_password(request.POST.get("password", "")):
            messages.error(request, DELETE_WRONG_PASSWORD)
        elif request.POST.get("confirm", "").strip() != DELETE_CONFIRM_WORD:
            messages.error(request, DELETE_NOT_CONFIRMED)
        else:
            user_delete(user=user, by=user)
            logout(request)
            messages.success(request, _("账号已注销。你的跟贴仍会显示，署名为“已注销用户”。"))
            return redirect("web:home")
    context = {"creators": creator_list_for_member(user=user), "confirm_word": DELETE_CONFIRM_WORD}
    status = 400 if request.method == "POST" else 200
    return render(request, "web/me/delete.html", context, status=status)
