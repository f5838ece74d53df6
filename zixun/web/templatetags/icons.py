"""``{% icon "like" %}``: one of the small SVG icons of web/_icon.html, rendered once per name
and process and then reused. The article page shows eight of them; each ``{% include %}`` of
the file cost about 40 µs of a page-cache miss (ADR 0018, amendment of 2026-12-03). The icons
depend on nothing but their name; with DEBUG on the file is rendered every time, so that an
edit shows at once."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
ICON_TEMPLATE = "web/_icon.html"
_RENDERED: dict[str, SafeString] = {}


@register.simple_tag
def icon(name: str) -> SafeString:
    found = _RENDERED.get(name)
    if found is None or settings.DEBUG:
        # The file's own escaping applies; what it returns is trusted markup.
        found = mark_safe(render_to_string(ICON_TEMPLATE, {"name": name}))  # noqa: S308
        if not settings.DEBUG and len(_RENDERED) < 64:
            _RENDERED[name] = found
    return found
