from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from zixun.channels.selectors import channel_list_nav
from zixun.core.sitecache import site_version_get
from zixun.web.modes import A11Y_COOKIE, CARE_COOKIE
from zixun.web.pagecache import page_path


def site(request: HttpRequest) -> dict[str, object]:
    """Site name, navigation and the reader's presentation modes, for every template."""
    return {
        "site_name": settings.ZIXUN_SITE_NAME,
        # The site's name in the active language, for the brand and breadcrumbs.
        "site_title": (
            settings.ZIXUN_SITE_NAME_EN if get_language() == "en" else settings.ZIXUN_SITE_NAME
        ),
        "site_name_en": settings.ZIXUN_SITE_NAME_EN,
        "nav_channels": channel_list_nav,  # called lazily, only by templates that show it
        "site_version": site_version_get,  # part of every cached fragment's key
        "block_cache_seconds": settings.ZIXUN_BLOCK_CACHE_SECONDS,
        # Where links back to this page (language, modes) lead: without ?src= and the like,
        # so that a cached page does not hand one reader's share source to everyone.
        "page_path": page_path(request),
        "care_mode": request.COOKIES.get(CARE_COOKIE) == "1",
        "a11y_mode": request.COOKIES.get(A11Y_COOKIE) == "1",
        "disclaimer_zh": settings.ZIXUN_DISCLAIMER_ZH,
        "disclaimer_en": settings.ZIXUN_DISCLAIMER_EN,
    }
