from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zixun.channels.defaults import CATEGORY_MAP, FALLBACK_CHANNEL_SLUG
from zixun.channels.models import Channel
from zixun.core.errors import ServiceError

UNKNOWN_CHANNEL = _("分类映射指向不存在的频道 %(slug)s")
BAD_MAP_FILE = _('分类映射文件须为 JSON 对象 {"分类": "频道"}')


class CategoryMapError(ServiceError):
    pass


def category_map_load(path: str | Path) -> dict[str, str]:
    """A JSON object {"source category": "channel slug or name"} from a file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CategoryMapError(BAD_MAP_FILE) from error
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise CategoryMapError(BAD_MAP_FILE)
    return data


def channel_resolver(*, extra: dict[str, str] | None = None) -> Callable[[str], Channel]:
    """A function from a source category to its channel.

    A category matches a channel's name or slug, then the built-in map, then
    ZIXUN_CATEGORY_MAP_FILE, then ``extra`` (later ones win). Anything else goes
    to the fallback channel (头条). Raises ValueError if a map names no channel.
    """
    channels = list(Channel.objects.all())
    by_key = {c.slug: c for c in channels} | {c.name: c for c in channels}
    configured = dict(extra or {})
    if settings.ZIXUN_CATEGORY_MAP_FILE:
        configured = category_map_load(settings.ZIXUN_CATEGORY_MAP_FILE) | configured
    for target in configured.values():
        if target not in by_key:
            raise CategoryMapError(UNKNOWN_CHANNEL, slug=target)
    resolved: dict[str, Channel] = {
        # A built-in entry for a channel this site has removed is dropped.
        category: by_key[target]
        for category, target in (CATEGORY_MAP | configured).items()
        if target in by_key
    }
    fallback = by_key.get(FALLBACK_CHANNEL_SLUG) or (channels[0] if channels else None)
    if fallback is None:
        raise CategoryMapError(UNKNOWN_CHANNEL, slug=FALLBACK_CHANNEL_SLUG)

    def resolve(category: str) -> Channel:
        category = category.strip()
        return by_key.get(category) or resolved.get(category) or fallback

    return resolve


def channel_list_nav() -> list[Channel]:
    """The active channels in menu order (the menu is a cached template fragment)."""
    return list(Channel.objects.filter(is_active=True))


def channel_get_active(*, slug: str) -> Channel | None:
    return Channel.objects.filter(slug=slug, is_active=True).first()
