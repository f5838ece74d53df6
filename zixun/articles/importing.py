"""``zixun import-articles``: JSON Lines in, articles out, idempotently.

Each record is validated on its own (a bad one is reported with its line number
and skipped); good records are written in batches, one transaction each,
matched on ``external_id`` so that a re-import updates changed records and
skips unchanged ones. An interrupted import loses at most its open batch, and
running it again resumes by skipping what is already stored.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zixun.articles.limits import MAX_TAGS, TAG_MAX, TITLE_MAX
from zixun.articles.models import Article
from zixun.articles.sanitize import body_from_input, summary_from_text
from zixun.articles.services.counters import creator_articles_recount
from zixun.channels.models import Channel
from zixun.channels.selectors import channel_resolver
from zixun.core.errors import ServiceError, message_format
from zixun.core.search import search_backend
from zixun.core.sitecache import site_version_bump
from zixun.creators.models import Creator
from zixun.creators.services import creator_get_or_create

BATCH_SIZE = 500

NOT_AN_OBJECT = _("不是 JSON 对象")
BAD_JSON = _("JSON 无法解析：%(error)s")
MISSING = _("缺少字段 %(name)s")
NOT_TEXT = _("字段 %(name)s 须为字符串")
TITLE_TOO_LONG = _("标题超过 %(limit)s 个字符")
ID_TOO_LONG = _("id 超过 100 个字符")
BAD_TIME = _("published_at 不是 ISO 8601 时间")
FUTURE_TIME = _("published_at 在未来")
BAD_TAGS = _("tags 须为字符串列表")
BAD_ORIGINAL = _("is_original 须为 true 或 false")
BAD_URL = _("url 须为 http(s) 地址")
NO_ACCOUNT = _("缺少 source 或 account，且未指定 --account")
DUPLICATE_IN_FILE = _("id 在本文件中重复（第 %(line)s 行已出现）")
SKIP_REASON = _("跳过 %(count)s 条：%(reason)s（首次在第 %(line)s 行）")
IMPORT_SUMMARY = _("新增 %(created)s · 更新 %(updated)s · 未变 %(unchanged)s · 跳过 %(skipped)s")


class RecordError(ServiceError):
    pass


@dataclass
class ImportStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    # Why records were skipped: one entry per kind of refusal (its message before the
    # details are filled in), with the first such line, its full reason and the count.
    skip_kinds: dict[str, tuple[int, str, int]] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return len(self.errors)

    def skip(self, line: int, error: RecordError) -> None:
        reason = str(error)
        self.errors.append((line, reason))
        kind = str(error.message)
        first, first_reason, count = self.skip_kinds.get(kind, (line, reason, 0))
        self.skip_kinds[kind] = (first, first_reason, count + 1)

    def skip_reasons(self) -> list[str]:
        """A line per kind of refusal, the most frequent first."""
        kinds = sorted(self.skip_kinds.values(), key=lambda kind: (-kind[2], kind[0]))
        return [
            message_format(SKIP_REASON, reason=reason, count=count, line=line)
            for line, reason, count in kinds
        ]


@dataclass(frozen=True)
class Record:
    line: int
    external_id: str
    title: str
    body_html: str
    body_text: str
    summary: str
    channel_id: int
    published_at: datetime
    account: str
    account_label: str
    account_type: str
    source: str
    source_url: str
    tags: list[str]
    is_original: bool
    content_hash: str


def open_lines(path: Path) -> IO[str]:
    """The file as text lines; ``.gz`` files are decompressed on the fly."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def count_lines(path: Path) -> int:
    with open_lines(path) as lines:
        return sum(1 for _ in lines)


def _text(data: dict[str, Any], name: str, *, required: bool) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise RecordError(MISSING, name=name)
        return ""
    if not isinstance(value, str):
        raise RecordError(NOT_TEXT, name=name)
    return value.strip()


def _published_at(value: str, now: datetime) -> datetime:
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError as error:
        raise RecordError(BAD_TIME) from error
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    if stamp > now + timedelta(minutes=5):
        raise RecordError(FUTURE_TIME)
    return stamp


def _tags(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise RecordError(BAD_TAGS)
    tags: list[str] = []
    for tag in (t.strip()[:TAG_MAX] for t in value):
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def record_parse(
    line: str,
    *,
    number: int,
    resolve_channel: Callable[[str], Channel],
    default_account: str = "",
    now: datetime,
) -> Record:
    """Validate one JSON line; raises RecordError with a reader-facing reason."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise RecordError(BAD_JSON, error=error.msg) from error
    if not isinstance(data, dict):
        raise RecordError(NOT_AN_OBJECT)
    external_id = _text(data, "id", required=True)
    if len(external_id) > 100:
        raise RecordError(ID_TOO_LONG)
    title = " ".join(_text(data, "title", required=True).split())
    if len(title) > TITLE_MAX:
        raise RecordError(TITLE_TOO_LONG, limit=TITLE_MAX)
    body_html, body_text = body_from_input(_text(data, "body", required=True))
    if not body_text:
        raise RecordError(MISSING, name="body")
    published_at = _published_at(_text(data, "published_at", required=True), now)
    source = _text(data, "source", required=False)[:100]
    account = default_account or _text(data, "account", required=False) or source
    if not account:
        raise RecordError(NO_ACCOUNT)
    url = _text(data, "url", required=False)
    if url and (urlsplit(url).scheme not in {"http", "https"} or len(url) > 500):
        raise RecordError(BAD_URL)
    channel = resolve_channel(_text(data, "category", required=False))
    tags = _tags(data.get("tags"))
    is_original = data.get("is_original", False)
    if not isinstance(is_original, bool):
        raise RecordError(BAD_ORIGINAL)
    summary = summary_from_text(_text(data, "summary", required=False) or body_text)
    digest = hashlib.sha1(usedforsecurity=False)
    for part in (
        title, body_html, summary, str(channel.pk), published_at.isoformat(), account,
        source, url, "\x1f".join(tags), str(is_original),
    ):  # fmt: skip
        digest.update(part.encode())
        digest.update(b"\x00")
    return Record(
        line=number,
        external_id=external_id,
        title=title,
        body_html=body_html,
        body_text=body_text,
        summary=summary,
        channel_id=channel.pk,
        published_at=published_at,
        account=account[:30],
        account_label=_text(data, "account_label", required=False),
        account_type=_text(data, "account_type", required=False) or Creator.AccountType.MEDIA,
        source=source,
        source_url=url,
        tags=tags,
        is_original=is_original,
        content_hash=digest.hexdigest(),
    )


FIELDS_FROM_RECORD = [
    "title", "body_html", "body_text", "summary", "channel_id", "published_at", "source",
    "source_url", "tags", "is_original", "content_hash",
]  # fmt: skip


@transaction.atomic
def records_save(records: list[Record], stats: ImportStats) -> set[int]:
    """Create new and update changed articles; returns the ids of the accounts touched."""
    existing = {
        a.external_id: a
        for a in Article.objects.filter(external_id__in=[r.external_id for r in records]).only(
            "id", "external_id", "content_hash", "creator_id", "status", "published_at"
        )
    }
    creators: dict[str, Creator] = {}
    touched: set[int] = set()
    to_create: list[Article] = []
    to_update: list[Article] = []
    for record in records:
        creator = creators.get(record.account)
        if creator is None:
            creator = creator_get_or_create(
                name=record.account,
                verification_label=record.account_label,
                account_type=record.account_type,
            )
            creators[record.account] = creator
        article = existing.get(record.external_id)
        if article is not None and article.content_hash == record.content_hash:
            stats.unchanged += 1
            continue
        if article is None:
            article = Article(
                external_id=record.external_id,
                creator=creator,
                status=Article.Status.PUBLISHED,
            )
            to_create.append(article)
        else:
            touched.add(article.creator_id)
            to_update.append(article)
        article.creator = creator
        for name in FIELDS_FROM_RECORD:
            setattr(article, name, getattr(record, name))
        touched.add(creator.pk)
    Article.objects.bulk_create(to_create)
    now = timezone.now()
    for article in to_update:
        article.updated_at = now
    Article.objects.bulk_update(to_update, [*FIELDS_FROM_RECORD, "creator", "updated_at"])
    stats.created += len(to_create)
    stats.updated += len(to_update)
    changed = [article.pk for article in (*to_create, *to_update)]
    if changed:  # searchable at the commit; marked first, so a crash leaves work for --dirty
        search_backend().mark_dirty(article_ids=changed)
        transaction.on_commit(partial(search_backend().index, article_ids=changed))
    if touched:
        creator_articles_recount(creator_ids=touched)
    return touched


def import_summary(stats: ImportStats) -> str:
    """新增 · 更新 · 未变 · 跳过, in the active language."""
    return message_format(
        IMPORT_SUMMARY,
        created=stats.created,
        updated=stats.updated,
        unchanged=stats.unchanged,
        skipped=stats.skipped,
    )


def articles_import(path: Path, **options: Any) -> ImportStats:
    """Import a JSON Lines file (plain or .gz); see the module docstring."""
    with open_lines(path) as lines:
        return articles_import_lines(lines, **options)


def articles_import_lines(
    lines: Iterable[str],
    *,
    default_account: str = "",
    category_map: dict[str, str] | None = None,
    limit: int | None = None,
    on_progress: Callable[[int], None] = lambda lines: None,
    on_error: Callable[[int, str], None] = lambda line, reason: None,
) -> ImportStats:
    """Import JSON Lines given as an iterable of strings."""
    resolve_channel = channel_resolver(extra=category_map)
    stats = ImportStats()
    seen: dict[str, int] = {}
    batch: list[Record] = []
    now = timezone.now()
    for number, line in enumerate(lines, start=1):
        if limit is not None and number > limit:
            break
        on_progress(1)
        if not line.strip():
            continue
        try:
            record = record_parse(
                line,
                number=number,
                resolve_channel=resolve_channel,
                default_account=default_account.strip(),
                now=now,
            )
            if record.external_id in seen:
                raise RecordError(DUPLICATE_IN_FILE, line=seen[record.external_id])
        except RecordError as error:
            stats.skip(number, error)
            on_error(number, str(error))
            continue
        seen[record.external_id] = number
        batch.append(record)
        if len(batch) >= BATCH_SIZE:
            records_save(batch, stats)
            batch = []
    if batch:
        records_save(batch, stats)
    site_version_bump()
    return stats
