"""Checks the studio's editor asks for while a creator writes: 标题检查 (clickbait hints).

The editor's script posts the title and body as they change; the answer is the same
score publishing stores (zixun.moderation.clickbait on the body's plain text), with
its reasons in the writer's language.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zixun.articles.limits import TITLE_MAX
from zixun.articles.markdown import markdown_render
from zixun.core.ratelimit import rate_limited
from zixun.creators import selectors as creator_selectors
from zixun.moderation.clickbait import clickbait_score
from zixun.web.http import acting_user

BODY_CHECKED_CHARS = 20_000  # enough to judge a title by; renders in ~40 ms
NOT_A_CREATOR = _("只有自媒体号的成员才能使用标题检查")
LEVEL_HIGH = _("这个标题很可能被判为标题党，文章在热榜和推荐中的位置会明显降低。")
LEVEL_SOME = _("这个标题有一些标题党迹象，文章在热榜和推荐中的位置会略有降低。")
LEVEL_NONE = _("未发现标题党迹象")


@login_required
@require_POST
@rate_limited("title-check", per_minute=120)  # as the live preview: one a pause in typing
def title_check(request: HttpRequest) -> JsonResponse:
    """The 标题党 score of a title as the writer types it, with the reasons and what they cost."""
    user = acting_user(request)
    # Editors open any draft in the studio (article_get_for_edit), so they see the check too.
    if not user.is_editor and not creator_selectors.creator_list_for_member(user=user):
        return JsonResponse({"ok": False, "error": str(NOT_A_CREATOR)}, status=403)
    title = request.POST.get("title", "")[:TITLE_MAX]
    _html, body_text = markdown_render(request.POST.get("body", "")[:BODY_CHECKED_CHARS])
    result = clickbait_score(title, body_text)
    if result.is_clickbait:
        level, message = "high", LEVEL_HIGH
    elif result.reasons:
        level, message = "some", LEVEL_SOME
    else:
        level, message = "none", LEVEL_NONE
    return JsonResponse(
        {
            "score": round(result.score, 2),
            "level": level,
            "reasons": [str(reason) for reason in result.reasons],
            "message": str(message),
        }
    )
