"""Give one account a very large archive, to show keyset pagination at scale.

``zixun demo-scale --account 金台资讯 --count 1076115`` tops the reference
account up to as many published articles as it has on the reference site. The added articles are
synthetic (a numbered title, a short fixed body), marked with the external id
``scale-<creator id>-<n>`` and published one minute apart from 2010-01-01.
Each batch is one transaction, so an interrupted run keeps its committed
batches and running it again adds only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from zixun.articles.models import Article
from zixun.articles.services.counters import creator_articles_recount
from zixun.channels.models import Channel
from zixun.core.errors import ServiceError
from zixun.core.sitecache import site_version_bump
from zixun.creators.models import Creator
from zixun.creators.services import creator_get_or_create
from zixun.demo.rows import PreparedInsert

SCALE_CHANNEL_SLUG = "news"
SCALE_BASE_TIME = datetime(2010, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
COUNT_INVALID = gettext_lazy("文章数须为非负整数")
BATCH_INVALID = gettext_lazy("批量须为正整数")
_SENTENCES = (
    "本文为账号存档文章，用于演示大规模账号的分页浏览。",
    "各地持续推进乡村振兴，群众生活水平稳步提高。",
    "有关部门表示，将进一步优化营商环境，服务高质量发展。",
    "基层干部深入一线，倾听群众呼声，解决急难愁盼问题。",
    "专家指出，科技创新是推动产业升级的关键力量。",
)
# Five short bodies of two sentences, picked by n: cheap to insert, and the rows stay small.
_BODIES = tuple(
    (
        "".join(f"<p>{s}</p>" for s in pair),
        "\n".join(pair),
        pair[0],
    )
    for pair in zip(_SENTENCES, _SENTENCES[1:] + _SENTENCES[:1], strict=True)
)


def _no_progress(added: int) -> None:
    pass


def scale_prefix(creator: Creator) -> str:
    return f"scale-{creator.pk}-"


def scale_published_at(n: int) -> datetime:
    return SCALE_BASE_TIME + timedelta(minutes=n)


def published_count(creator: Creator) -> int:
    """The account's published articles: its scale articles and any others."""
    return Article.objects.filter(creator=creator, status=Article.Status.PUBLISHED).count()


def scale_next_number(articles: QuerySet[Article], prefix: str) -> int:
    """One past the highest n that ``articles`` with external id ``<prefix><n>`` use
    (0 when there are none).

    Batches insert in increasing n, so the newest row (highest id) has the highest n.
    """
    newest = (
        articles.filter(external_id__startswith=prefix)
        .order_by("-pk")
        .values_list("external_id", flat=True)
        .first()
    )
    return 0 if newest is None else int(newest.removeprefix(prefix)) + 1


def scale_insert(
    *,
    rows: PreparedInsert,
    prefix: str,
    start: int,
    count: int,
    batch: int,
    values: Callable[[int], dict[str, Any]],
    on_batch: Callable[[list[dict[str, Any]]], None] = lambda made: None,
    on_progress: Callable[[int], None] = _no_progress,
) -> None:
    """Insert the articles ``<prefix><n>`` for n from ``start``, ``count`` of them,
    ``batch`` per transaction. ``on_batch`` runs in each batch's transaction with the
    values of its articles (to move counters with the rows); ``on_progress(size)`` after
    each commit."""
    done = 0
    while done < count:
        size = min(batch, count - done)
        first = start + done
        made = [values(n) for n in range(first, first + size)]
        batch_rows = [
            rows.row(external_id=f"{prefix}{n}", **fields)
            for n, fields in zip(range(first, first + size), made, strict=True)
        ]
        with transaction.atomic():
            _write(rows, batch_rows)
            on_batch(made)
        done += size
        on_progress(size)


def _synthetic(n: int) -> dict[str, Any]:
    """The default scale article n: a numbered title, one of five short bodies."""
    body_html, body_text, summary = _BODIES[n % len(_BODIES)]
    return {
        "title": _title(n),
        "body_html": body_html,
        "body_text": body_text,
        "summary": summary,
        "published_at": scale_published_at(n),
    }


def _title(n: int) -> str:
    return f"第{n + 1}篇存档文章"


def _article(creator: Creator, channel: Channel, n: int) -> Article:
    body_html, body_text, summary = _BODIES[n % len(_BODIES)]
    return Article(
        creator=creator,
        channel=channel,
        title=_title(n),
        body_html=body_html,
        body_text=body_text,
        summary=summary,
        external_id=f"{scale_prefix(creator)}{n}",
        status=Article.Status.PUBLISHED,
        published_at=scale_published_at(n),
    )


def _write(rows: PreparedInsert, values: list[list[Any]]) -> None:
    rows.insert(values)


def demo_scale_account(
    *,
    name: str,
    count: int,
    batch: int = 20000,
    on_progress: Callable[[int], None] = _no_progress,
    values: Callable[[int], dict[str, Any]] = _synthetic,
) -> int:
    """Give the account ``name`` ``count`` published articles in all; returns how many
    scale articles it added.

    Creates the account (a media account) if missing. Counts the published articles
    it already has (scale articles and others, so that its 文章数 ends at ``count``)
    and adds only the missing ones as scale articles, ``batch`` per transaction, calling
    ``on_progress(added)`` after each committed batch. Never removes articles: an
    account with more than ``count`` keeps them. Recounts the account at the end and,
    when it added any, drops the cached blocks; also when interrupted.

    ``values(n)`` gives article n's fields (by name) other than its external id;
    by default a numbered title and a short body, published one minute apart
    from 2010-01-01 (``zixun gen-scale`` passes text resampled from the corpora).
    """
    if count < 0:
        raise ServiceError(COUNT_INVALID)
    if batch < 1:
        raise ServiceError(BATCH_INVALID)
    creator = creator_get_or_create(name=name, account_type=Creator.AccountType.MEDIA)
    channel = Channel.objects.get(slug=SCALE_CHANNEL_SLUG)
    missing = max(count - published_count(creator), 0)
    rows = PreparedInsert(Article, _article(creator, channel, 0))
    prefix = scale_prefix(creator)
    # Not a count: should a row in the middle have been deleted, the next free n is
    # past the highest one, so a rerun never collides with an existing external id.
    start = scale_next_number(Article.objects.filter(creator=creator), prefix) if missing else 0
    added = 0

    def advance(size: int) -> None:
        nonlocal added
        added += size
        on_progress(size)

    try:
        scale_insert(rows=rows, prefix=prefix, start=start, count=missing, batch=batch,
                     values=values, on_progress=advance)  # fmt: skip
    finally:
        # Also after an interruption, and on a rerun that adds nothing (the run it
        # completes may have been killed before it got here).
        creator_articles_recount(creator_ids=[creator.pk])
        if added:
            site_version_bump()
    return added
