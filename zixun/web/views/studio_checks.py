"""Checks the studio's editor asks for while a creator writes: 标题检查 (clickbait hints)
and 无障碍检查 (alt text, headings, link text).

The editor's script posts the title and body as they change; the title check answers
the same score publishing stores (zixun.moderation.clickbait on the body's plain text),
the accessibility check the warnings of zixun.articles.accessibility, both in the
writer's language. Neither refuses anything: publishing's own rules are in
articles.services.checks.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_POST

from zixun.articles.accessibility import accessibility_issues
from zixun.articles.limits import TITLE_MAX
from zixun.articles.markdown import BODY_MAX_CHARS, markdown_render
from zixun.core.ratelimit import rate_limited
from zixun.creators import selectors as creator_selectors
from zixun.moderation.clickbait import clickbait_score
from zixun.web.http import acting_user

BODY_CHECKED_CHARS = 20_000  # enough to judge a title by; renders in ~40 ms
NOT_A_CREATOR = _("只有自媒体号的成员才能使用标题检查")
LEVEL_HIGH = _("这个标题很可能被判为标题党，文章在热榜和推荐中的位置会明显降低。")
LEVEL_SOME = _("这个标题有一些标题党迹象，文章在热榜和推荐中的位置会略有降低。")
LEVEL_NONE = _("未发现标题党迹象")
NOT_A_CREATOR_A11Y = _("只有自媒体号的成员才能使用无障碍检查")
A11Y_NONE = _("未发现问题")
A11Y_SOME = ngettext_lazy(
    "发现 %(count)s 个无障碍问题，建议发布前修改：",
    "发现 %(count)s 个无障碍问题，建议发布前修改：",
    "count",
)


@login_required
@require_POST
@rate_limited("title-check", per_minute=120)  # as the live preview: one a pause in typing
def title_check(request: HttpRequest) -> JsonResponse:
    """The 标题党 score of a title as the writer types it, with the reasons and what they cost."""
    if not _may_check(request):
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


@login_required
@require_POST
@rate_limited("a11y-check", per_minute=120)  # a pause in typing, and each submit
def a11y_check(request: HttpRequest) -> JsonResponse:
    """The body's accessibility warnings (alt text, headings, links) as the writer types."""
    if not _may_check(request):
        return JsonResponse({"ok": False, "error": str(NOT_A_CREATOR_A11Y)}, status=403)
    # The whole body: the check before submitting must see every image (~0.3 s for the
    # longest, 100,000 characters; a few ms for a usual article). A longer body is
    # refused on saving anyway.
    issues = accessibility_issues(request.POST.get("body", "")[:BODY_MAX_CHARS])
    message = A11Y_SOME % {"count": len(issues)} if issues else A11Y_NONE
    return JsonResponse(
        {
            "issues": [
                {"code": issue.code, "message": issue.message, "where": issue.where}
                for issue in issues
            ],
            "message": str(message),
        }
    )


def _may_check(request: HttpRequest) -> bool:
    user = acting_user(request)
    # Editors open any draft in the studio (article_get_for_edit), so they see the checks too.
    return user.is_editor or bool(creator_selectors.creator_list_for_member(user=user))
