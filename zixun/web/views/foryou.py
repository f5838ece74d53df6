"""为你推荐 and the reader's controls over it: the switch, interest tags, 不感兴趣.

A signed-in reader's feed is built for them on every visit (never cached), so each control
takes effect at once; anonymous readers get the plain feed (hot and latest), page-cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from zixun.ranking.foryou import foryou, personalization_on
from zixun.ranking.models import Dislike, Interest
from zixun.ranking.personal import decayed, interest_half_life
from zixun.ranking.services import (
    HotError,
    article_dislike,
    dislike_undo,
    interest_remove,
    interests_clear,
    personalization_set,
)
from zixun.web.http import acting_user
from zixun.web.pagecache import cached_page
from zixun.web.views.reading import side_blocks

INTERESTS_SHOWN = 40


@require_GET
@cached_page  # anonymous readers all get the plain feed: cached like any public page
@never_cache
def foryou_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request) if request.user.is_authenticated else None
    feed = foryou(user=user, fresh_batch=request.GET.get("batch") == "new")
    context = {
        "feed": feed,
        "dislike_reasons": Dislike.Reason.choices,
        "current_tab": "foryou",
        **side_blocks(),
    }
    return render(request, "web/foryou.html", context)


@require_POST
@login_required
def foryou_dislike(request: HttpRequest) -> HttpResponse:
    """The form post of 不感兴趣 on a feed item: back to the feed without it. The page's
    script calls PUT /api/v1/me/dislikes/{article_id} instead and removes the item."""
    try:
        article_id = int(request.POST.get("article", ""))
        article_dislike(user=acting_user(request), article_id=article_id,
                        reason=request.POST.get("reason", ""))  # fmt: skip
    except ValueError as error:
        messages.error(request, str(error) if isinstance(error, HotError) else _("文章不存在"))
        return redirect("web:foryou")
    messages.success(request, _("已减少这类推荐"))
    return redirect("web:foryou")


@require_GET
@login_required
def me_interests(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    now = timezone.now()
    half_life = interest_half_life()
    tags = []
    for interest in Interest.objects.filter(user=user, removed=False).order_by("-weight")[:200]:
        weight = decayed(interest.weight, interest.updated_at, now, half_life)
        if weight >= 0.05:
            tags.append((interest, weight))
    tags.sort(key=lambda row: -row[1])
    dislikes = Dislike.objects.filter(user=user).select_related("article").order_by("-id")[:50]
    context = {
        "personalized": personalization_on(user),
        "tags": [interest for interest, _ in tags[:INTERESTS_SHOWN]],
        "dislikes": dislikes,
    }
    return render(request, "web/me/interests.html", context)


@require_POST
@login_required
def me_interests_change(request: HttpRequest) -> HttpResponse:
    """The switch (action=on/off), deleting a tag (action=remove, interest) or all of them
    (action=clear), and undoing a 不感兴趣 (action=undislike, dislike)."""
    user = acting_user(request)
    action = request.POST.get("action", "")
    try:
        if action in ("on", "off"):
            personalization_set(user=user, on=action == "on")
            messages.success(request, _("已开启个性化推荐") if action == "on"
                             else _("已关闭个性化推荐：为你推荐只显示热榜和最新文章"))  # fmt: skip
        elif action == "remove":
            interest = interest_remove(user=user, interest_id=int(request.POST.get("interest", "")))
            messages.success(request, _("已删除兴趣标签“%(label)s”") % {"label": interest.label})
        elif action == "clear":
            interests_clear(user=user)
            messages.success(request, _("已删除全部兴趣标签"))
        elif action == "undislike":
            dislike_undo(user=user, dislike_id=int(request.POST.get("dislike", "")))
            messages.success(request, _("已撤销不感兴趣"))
        else:
            messages.error(request, _("未知的操作"))
    except ValueError as error:
        messages.error(request, str(error) if isinstance(error, HotError) else _("未知的操作"))
    return redirect("me:interests")
