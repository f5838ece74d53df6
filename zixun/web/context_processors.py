from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language, gettext_lazy

from zixun.channels.selectors import channel_list_nav
from zixun.core.sitecache import site_version_get
from zixun.web.modes import modes_get
from zixun.web.pagecache import page_path

# How many channels the header shows in one row on a desktop (1,280 px, signed in), per
# language, after 热榜; the others are under 更多. English names are about twice as wide.
NAV_PRIMARY = {"en": 4}
NAV_PRIMARY_DEFAULT = 10
# The colour switch in the footer: its states (modes.MODES["theme"]) and their names.
THEME_CHOICES = [
    ("auto", gettext_lazy("跟随系统")),
    ("light", gettext_lazy("浅色")),
    ("dark", gettext_lazy("深色")),
]


def site(request: HttpRequest) -> dict[str, object]:
    """Site name, navigation and the reader's presentation modes, for every template."""
    nav_primary = NAV_PRIMARY.get(get_language(), NAV_PRIMARY_DEFAULT)
    # The account's 关怀版 when a signed-in reader chose one, else the cookies' (modes.py);
    # the page cache keys on the same values.
    modes = modes_get(request)
    return {
        "site_name": settings.ZIXUN_SITE_NAME,
        # The site's name in the active language, for the brand and breadcrumbs.
        "site_title": (
            settings.ZIXUN_SITE_NAME_EN if get_language() == "en" else settings.ZIXUN_SITE_NAME
        ),
        "site_name_en": settings.ZIXUN_SITE_NAME_EN,
        "nav_channels": channel_list_nav,  # called lazily, only by templates that show it
        "nav_primary": nav_primary,
        "nav_rest": f"{nav_primary}:",
        "site_version": site_version_get,  # part of every cached fragment's key
        "block_cache_seconds": settings.ZIXUN_BLOCK_CACHE_SECONDS,
        # Where links back to this page (language, modes) lead: without ?src= and the like,
        # so that a cached page does not hand one reader's share source to everyone.
        "page_path": page_path(request),
        "care_mode": modes.care,
        "a11y_mode": modes.a11y,
        "theme": modes.theme,
        "hant_mode": modes.hant,
        "theme_choices": THEME_CHOICES,
        "disclaimer_zh": settings.ZIXUN_DISCLAIMER_ZH,
        "disclaimer_en": settings.ZIXUN_DISCLAIMER_EN,
    }
