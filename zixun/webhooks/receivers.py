"""Webhooks' listeners on the apps below it (connected in WebhooksConfig.ready). They run
after the change's commit; a failure here is logged and never reaches the pipeline."""

from __future__ import annotations

import logging
from typing import Any

from zixun.webhooks.services import article_event_emit, comment_event_emit

logger = logging.getLogger(__name__)


def on_article_changed(
    *, article_id: int, change: str = "", change_id: int = 0, **kwargs: Any
) -> None:
    """article.published, article.updated, article.taken_down (other changes send nothing),
    once per change: a follow-up run again (a retry, the sweep's repair) sends nothing more."""
    try:
        article_event_emit(article_id=article_id, change=change, change_id=change_id)
    except Exception:
        logger.exception("webhooks: article %s (%s) not emitted", article_id, change)
        raise


def on_comment_visible(*, comment_id: int, **kwargs: Any) -> None:
    """comment.created: a comment shown for the first time."""
    try:
        comment_event_emit(comment_id=comment_id)
    except Exception:
        logger.exception("webhooks: comment %s not emitted", comment_id)
        raise
