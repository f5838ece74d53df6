"""The counters this app owns: an article's 点赞, 收藏, 分享, 跟贴 and 阅读 counts, and the
article count (文章数) of an account.

Other apps count the rows (likes are engagement's rows, follows creators'), but
only these functions write the numbers onto articles; the account's article
count is computed here and written through the creators app's service.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import partial

from django.db import transaction
from django.db.models import Count, Expression, F, QuerySet
from django.dispatch import Signal

from zixun.articles.models import Article
from zixun.creators.services import creator_article_counts_set

COUNTERS = frozenset({"like_count", "favorite_count", "share_count", "comment_count", "view_count"})

# Sent (robustly) after the commit that moved a counter an article's page shows (点赞, 收藏, 分享,
# 跟贴), with ``article_id``. The web app listens: it forgets the article's cached pages, so that
# an anonymous reader sees the count of the moment. Buffered page views do not send it.
article_counters_changed = Signal()


def _check(fields: Iterable[str]) -> None:
    unknown = set(fields) - COUNTERS
    if unknown:
        raise ValueError(f"not an article counter: {sorted(unknown)}")


def article_counter_add(*, article_id: int, field: str, delta: int) -> int:
    """Move one counter of one article by ``delta`` (atomically) and return its value."""
    _check([field])
    articles = Article.objects.filter(pk=article_id)
    if delta:
        articles.update(**{field: F(field) + delta})
        transaction.on_commit(
            partial(article_counters_changed.send_robust, sender=Article, article_id=article_id)
        )
    value: int = articles.values_list(field, flat=True).get()
    return value


def article_views_add(*, views: Mapping[int, int]) -> None:
    """Add buffered page views: one UPDATE per distinct amount, not per article."""
    by_amount: defaultdict[int, list[int]] = defaultdict(list)
    for article_id, n in views.items():
        by_amount[n].append(article_id)
    for n, ids in by_amount.items():
        Article.objects.filter(pk__in=ids).update(view_count=F("view_count") + n)


def article_counters_recompute(
    *, articles: QuerySet[Article] | None = None, **counts: Expression
) -> int:
    """Set counters of ``articles`` (all by default) to ``counts``: expressions, usually
    subqueries over another app's rows. Returns how many articles were updated."""
    _check(counts)
    queryset = Article.objects.all() if articles is None else articles
    return queryset.update(**counts)


def article_ids_lock(*, articles: QuerySet[Article]) -> list[int]:
    """Lock ``articles`` in id order (to recompute their counters without losing a
    concurrent change); returns their ids."""
    return list(articles.select_for_update().order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def creator_articles_recount(*, creator_ids: Iterable[int] | None = None) -> int:
    """Recompute 文章数 (published, not deleted) of the given accounts, or of every
    account; returns how many accounts changed."""
    published = Article.objects.filter(status=Article.Status.PUBLISHED, deleted_at__isnull=True)
    ids = None if creator_ids is None else sorted(set(creator_ids))
    if ids is not None:
        published = published.filter(creator_id__in=ids)
    rows = published.order_by().values_list("creator_id").annotate(n=Count("pk"))
    counts: dict[int, int] = dict(rows)
    return creator_article_counts_set(counts=counts, creator_ids=ids)
