"""Moderation's listeners on the apps below it (connected in ModerationConfig.ready)."""

from __future__ import annotations

from typing import Any

from zixun.moderation.services import article_screen_after_publish


def on_article_changed(*, article_id: int, **kwargs: Any) -> None:
    """An article changed: its fingerprint, original and 标题党 score follow it."""
    article_screen_after_publish(article_id=article_id)
