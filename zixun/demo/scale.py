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

from django.db import connection, transaction
from django.utils.translation import gettext_lazy

from zixun.articles.models import Article
from zixun.articles.services.counters import creator_articles_recount
from zixun.channels.models import Channel
from zixun.core.errors import ServiceError
from zixun.core.sitecache import site_version_bump
from zixun.creators.models import Creator
from zixun.creators.services import creator_get_or_create

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


def _next_number(creator: Creator) -> int:
    """One past the highest n the account's scale articles use (0 when it has none).

    Batches insert in increasing n, so the newest row (highest id) has the highest n.
    """
    prefix = scale_prefix(creator)
    newest = (
        Article.objects.filter(creator=creator, external_id__startswith=prefix)
        .order_by("-pk")
        .values_list("external_id", flat=True)
        .first()
    )
    return 0 if newest is None else int(newest.removeprefix(prefix)) + 1


class _Rows:
    """The INSERT statement of a scale article and its values, prepared by the ORM once.

    ``Article.objects.bulk_create`` runs every field of every row through
    ``pre_save`` and ``get_db_prep_save``: about 0.1 ms a row, two minutes for the
    reference account. Here the ORM prepares one template row (so the values are
    exactly what ``bulk_create`` would write, defaults and auto_now times included)
    and only the columns that differ between articles are filled in per row.
    """

    VARYING = ("title", "body_html", "body_text", "summary", "external_id", "published_at")

    def __init__(self, creator: Creator, channel: Channel) -> None:
        fields = [f for f in Article._meta.concrete_fields if not f.primary_key]
        template = _article(creator, channel, 0)
        self.template = [
            f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields
        ]
        index = {f.name: i for i, f in enumerate(fields)}
        self.i_title, self.i_html, self.i_text, self.i_summary, self.i_external, self.i_time = (
            index[name] for name in self.VARYING
        )
        self.published_at = Article._meta.get_field("published_at")
        self.prefix = scale_prefix(creator)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        # Table and column names come from the model; every value is a parameter.
        self.sql = f"INSERT INTO {quote(Article._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608

    def row(self, n: int) -> list[Any]:
        body_html, body_text, summary = _BODIES[n % len(_BODIES)]
        row = self.template.copy()
        row[self.i_title] = _title(n)
        row[self.i_html] = body_html
        row[self.i_text] = body_text
        row[self.i_summary] = summary
        row[self.i_external] = f"{self.prefix}{n}"
        row[self.i_time] = self.published_at.get_db_prep_save(scale_published_at(n), connection)
        return row


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


def _write(sql: str, rows: list[list[Any]]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insert_batch(sql: str, rows: list[list[Any]]) -> None:
    """One batch, in one transaction: all of its rows are committed, or none (Ctrl-C
    during the batch rolls it back)."""
    with transaction.atomic():
        _write(sql, rows)


def demo_scale_account(
    *,
    name: str,
    count: int,
    batch: int = 20000,
    on_progress: Callable[[int], None] = _no_progress,
) -> int:
    """Give the account ``name`` ``count`` published articles in all; returns how many
    scale articles it added.

    Creates the account (a media account) if missing. Counts the published articles
    it already has (scale articles and others, so that its 文章数 ends at ``count``)
    and adds only the missing ones as scale articles, ``batch`` per transaction, calling
    ``on_progress(added)`` after each committed batch. Never removes articles: an
    account with more than ``count`` keeps them. Recounts the account at the end and,
    when it added any, drops the cached blocks; also when interrupted.
    """
    if count < 0:
        raise ServiceError(COUNT_INVALID)
    if batch < 1:
        raise ServiceError(BATCH_INVALID)
    creator = creator_get_or_create(name=name, account_type=Creator.AccountType.MEDIA)
    channel = Channel.objects.get(slug=SCALE_CHANNEL_SLUG)
    missing = max(count - published_count(creator), 0)
    # Not a count: should a row in the middle have been deleted, the next free n is
    # past the highest one, so a rerun never collides with an existing external id.
    start = _next_number(creator) if missing else 0
    rows = _Rows(creator, channel)
    added = 0
    try:
        while added < missing:
            size = min(batch, missing - added)
            first = start + added
            _insert_batch(rows.sql, [rows.row(n) for n in range(first, first + size)])
            added += size
            on_progress(size)
    finally:
        # Also after an interruption, and on a rerun that adds nothing (the run it
        # completes may have been killed before it got here).
        creator_articles_recount(creator_ids=[creator.pk])
        if added:
            site_version_bump()
    return added
