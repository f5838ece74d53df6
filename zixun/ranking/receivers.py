"""Ranking's listeners on the apps below it (connected in RankingConfig.ready)."""

from __future__ import annotations

from typing import Any

from zixun.articles.selectors import article_channels
from zixun.ranking.hot import hot_forget_article, hot_ingest
from zixun.ranking.personal import impressions_ingest, personal_ingest
from zixun.ranking.related import related_compute


def on_events_recorded(**kwargs: Any) -> None:
    """New events committed: fold them into the hot list, interests and impression clicks
    (the impressions shown since the last events are counted first)."""
    hot_ingest()
    impressions_ingest()
    personal_ingest()


def on_article_changed(*, article_id: int, **kwargs: Any) -> None:
    """An article changed: its 相关推荐 recomputed (or emptied), and off the hot list if it
    went offline."""
    related_compute(article_id)
    if not article_channels(ids=[article_id]):
        hot_forget_article(article_id)
