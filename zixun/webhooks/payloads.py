"""What a delivery says: the event envelope and its ``data``, built from the database rows.

Only what the site shows anyone: an article's id, title, address, status and times, its
account's id and name, a comment's id and the start of its text. Never a reader's name,
address, region or e-mail, an editor's name or a takedown's reason.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from zixun.articles.models import Article
from zixun.creators.models import Creator
from zixun.engagement.models import Comment

EXCERPT_CHARS = 140
# Without ZIXUN_SITE_URL (a development machine), links name this address.
DEVELOPMENT_SITE_URL = "http://localhost:8000"


def site_url(path: str) -> str:
    base = settings.ZIXUN_SITE_URL.rstrip("/") or DEVELOPMENT_SITE_URL
    return f"{base}{path}"


def when(value: datetime | None) -> str | None:
    """ISO 8601 in the site's time zone, with its offset: 2026-12-01T22:08:18+08:00."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def envelope(*, event: str, event_id: uuid.UUID, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(event_id), "event": event, "created_at": when(timezone.now()), "data": data}


def account_data(creator: Creator) -> dict[str, Any]:
    return {"id": creator.pk, "name": creator.name, "url": site_url(creator.get_absolute_url())}


def article_data(article: Article) -> dict[str, Any]:
    return {
        "article": {
            "id": article.pk,
            "title": article.title,
            "url": site_url(article.get_absolute_url()),
            "status": article.status,
            "published_at": when(article.published_at),
            "updated_at": when(article.revised_at or article.published_at),
        },
        "account": account_data(article.creator),
    }


def comment_data(comment: Comment) -> dict[str, Any]:
    article = comment.article
    excerpt = " ".join(comment.body.split())
    if len(excerpt) > EXCERPT_CHARS:
        excerpt = excerpt[: EXCERPT_CHARS - 1] + "…"
    return {
        "comment": {
            "id": comment.pk,
            "article_id": article.pk,
            "parent_id": comment.parent_id,
            "excerpt": excerpt,
            "url": site_url(f"{article.get_absolute_url()}#comment-{comment.pk}"),
            "created_at": when(comment.created_at),
        },
        "article": {
            "id": article.pk,
            "title": article.title,
            "url": site_url(article.get_absolute_url()),
        },
        "account": account_data(article.creator),
    }


def test_data(creator: Creator) -> dict[str, Any]:
    return {"message": "test delivery", "account": account_data(creator)}
