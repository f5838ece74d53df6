"""Background work of the article pipeline (django-tasks). Every task is idempotent."""

from __future__ import annotations

from django_tasks import task

from zixun.articles.models import Article
from zixun.articles.selectors import blocks_invalidate
from zixun.creators.services import creators_recount


@task()
def article_publish_due_task(*, article_id: int) -> bool:
    """定时发布: publish the article if it is still scheduled and due."""
    from zixun.articles.services import article_publish_due

    return article_publish_due(article_id=article_id)


@task()
def article_after_change_task(*, article_id: int) -> None:
    """publish → (index → rank → feed, in later issues) → counters and caches.

    Recomputes from the database, so a retry or a second worker changes nothing.
    """
    creator_id = Article.objects.filter(pk=article_id).values_list("creator_id", flat=True).first()
    if creator_id is not None:
        creators_recount(creator_ids=[creator_id])
    blocks_invalidate()
