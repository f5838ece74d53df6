from __future__ import annotations

from typing import Any

from zixun.channels.defaults import DEFAULT_CHANNELS


def channel_defaults_ensure(*, model: Any = None) -> int:
    """Create the default channels that are missing; returns how many were created.

    ``model`` lets the data migration pass its historical Channel model.
    """
    if model is None:
        from zixun.channels.models import Channel

        model = Channel
    created = 0
    for position, (slug, name, name_en, highlighted, original) in enumerate(DEFAULT_CHANNELS):
        _, was_created = model.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_en": name_en,
                "position": position * 10,
                "is_highlighted": highlighted,
                "is_original_category": original,
            },
        )
        created += was_created
    return created
