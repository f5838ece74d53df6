"""Keeping the index whole (reindex, repair), the operators' dictionary, and 热搜's inputs."""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from multiprocessing.pool import AsyncResult, Pool

from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.audit.services import audit_record
from zixun.core.errors import ServiceError
from zixun.core.interventions import intervention_reason
from zixun.core.sitecache import site_version_bump
from zixun.creators.models import Creator
from zixun.search.engine import (
    Batch,
    Fields,
    Prepared,
    Texts,
    article_of,
    batch_read,
    batch_write,
    current_segmenter,
    doc_fields,
    index_accounts,
    index_articles,
    store,
)
from zixun.search.models import QueryCount, SearchDocument, SearchIntervention, SearchWord
from zixun.search.text import Clause, Segmenter, clean, fold

BATCH = 500
_RUN_KEY = "search:reindex:started"


def _needing(ids: list[int], *, dirty_only: bool, since: datetime | None) -> list[int]:
    """Of these article ids, those whose index entry is missing, dirty, stale or should be gone."""
    articles = {pk: (status == Article.Status.PUBLISHED and deleted is None and published is not None, updated)
                for pk, status, deleted, published, updated in Article.objects.filter(pk__in=ids).order_by()
                .values_list("pk", "status", "deleted_at", "published_at", "updated_at")}  # fmt: skip
    docs = {d.article_id: d for d in SearchDocument.objects.filter(article_id__in=ids)}
    out = []
    for pk in ids:
        live, updated = articles.get(pk, (False, None))
        doc = docs.get(pk)
        if not dirty_only:
            if (
                live
                and (
                    doc is None
                    or doc.dirty
                    or since is None
                    or doc.indexed_at is None
                    or doc.indexed_at < since
                )
            ) or (not live and doc is not None):
                out.append(pk)
        elif (
            live
            and (doc is None or doc.dirty or doc.rowkey is None or doc.source_updated_at != updated)
        ) or (not live and doc is not None):
            out.append(pk)
    return out


_POOL_SEGMENTER: list[Segmenter] = []


def _pool_start(words: frozenset[str]) -> None:
    _POOL_SEGMENTER[:] = [Segmenter(words)]


def _pool_fields(texts: Texts) -> tuple[Fields, Prepared]:
    """A document's words and what the store builds from them, both here in the pool, so
    that the writing process only writes (on PostgreSQL the vectors' literals are about a third
    of the work of indexing)."""
    fields = doc_fields(texts, _POOL_SEGMENTER[0])
    return fields, store().prepare(fields)


@contextmanager
def segmenting_pool(workers: int, seg: Segmenter) -> Iterator[Pool | None]:
    """``workers`` processes that segment (None: segment here, in this one)."""
    if workers <= 1:
        yield None
        return
    context = multiprocessing.get_context("fork")
    pool = context.Pool(workers, initializer=_pool_start, initargs=(seg.words,))
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    else:
        # Not terminate() (what ``with Pool()`` does): a worker killed while it holds the task
        # queue's lock leaves the other waiting on it for ever, and the join below with it.
        pool.close()
    finally:
        pool.join()


def index_pipelined(
    batches: Iterable[list[int]], *, seg: Segmenter, pool: Pool | None
) -> Iterator[int]:
    """Index batches of article ids, the pool segmenting the next batch while this process writes
    the one before (with no pool, one after the other here); yields how many each indexed."""
    pending: tuple[Batch, AsyncResult[list[tuple[Fields, Prepared]]] | None] | None = None
    for ids in batches:
        batch = batch_read(ids)
        job = pool.map_async(_pool_fields, batch.texts, chunksize=16) if pool is not None else None
        if pending is not None:
            yield _written(pending, seg)
        pending = (batch, job)
    if pending is not None:
        yield _written(pending, seg)


def _written(
    pending: tuple[Batch, AsyncResult[list[tuple[Fields, Prepared]]] | None], seg: Segmenter
) -> int:
    batch, job = pending
    if job is None:
        return batch_write(batch, [doc_fields(t, seg) for t in batch.texts])
    done = job.get()
    return batch_write(batch, [fields for fields, _ in done], [ready for _, ready in done])


def search_reindex(*, dirty_only: bool = False, restart: bool = False, workers: int = 1,
                   progress: Callable[[int], object] = lambda n: None) -> tuple[int, int]:  # fmt: skip
    """Bring the index in line with the articles; returns (checked, indexed).

    Without ``dirty_only`` every published article is indexed again; an interrupted run resumes
    (articles indexed since it started are skipped) unless ``restart``. With ``dirty_only`` only
    what is missing, marked dirty, stale or no longer published is touched. ``workers`` processes
    segment the text (the database is written from this one).
    """
    shared = caches["shared"]
    since: datetime | None = None
    if not dirty_only:
        since = None if restart else shared.get(_RUN_KEY)
        if since is None:
            since = timezone.now()
            shared.set(_RUN_KEY, since, None)
    seg = current_segmenter()
    with segmenting_pool(workers, seg) as pool:
        checked, indexed = _reindex(
            seg, pool, dirty_only=dirty_only, since=since, progress=progress
        )
    if not dirty_only:
        shared.delete(_RUN_KEY)
        index_accounts(list(Creator.objects.values_list("pk", flat=True)))
        store().after_reindex()  # PostgreSQL: every row now holds its time buckets
    return checked, indexed


def _reindex(seg: Segmenter, pool: Pool | None, *, dirty_only: bool, since: datetime | None,
             progress: Callable[[int], object]) -> tuple[int, int]:  # fmt: skip
    counts = {"checked": 0}

    def todo_batches() -> Iterator[list[int]]:
        last = 0
        top = max(Article.objects.aggregate(m=Max("pk"))["m"] or 0,
                  SearchDocument.objects.aggregate(m=Max("article_id"))["m"] or 0)  # fmt: skip
        while last < top:
            ids = list(range(last + 1, min(top, last + BATCH) + 1))
            present = set(Article.objects.filter(pk__in=ids).values_list("pk", flat=True))
            present |= set(
                SearchDocument.objects.filter(article_id__in=ids).values_list(
                    "article_id", flat=True
                )
            )
            todo = _needing(sorted(present), dirty_only=dirty_only, since=since)
            counts["checked"] += len(present)
            progress(len(present))
            last = ids[-1]
            if todo:
                yield todo

    indexed = sum(index_pipelined(todo_batches(), seg=seg, pool=pool))
    return counts["checked"], indexed


def search_prewarm(*, progress: Callable[[int], object] = lambda read: None) -> int:
    """Read what searches read into the page cache (``zixun search-prewarm``); bytes read.
    Raises SearchPrewarmError when PostgreSQL lacks pg_prewarm and it cannot be created."""
    return store().prewarm(progress)


def search_prewarm_size() -> int:
    return store().prewarm_size()


def search_clear() -> None:
    """Empty the index (``search-reindex --reset``)."""
    store().clear()
    SearchDocument.objects.all().delete()


# The operators' dictionary ----------------------------------------------------------------------

WORD_MAX = 40
WORD_INVALID = _("新词应是 1 到 %(limit)s 个字母、数字或汉字")


class SearchWordError(ServiceError):
    pass


def search_word_add(*, words: Iterable[str], by: User | None = None,
                    progress: Callable[[int], object] = lambda n: None) -> tuple[int, int]:  # fmt: skip
    """Add words to the dictionary, then re-index only the articles that hold them (found through
    the index with the old segmentation, as phrases). Returns (words added, articles re-indexed)."""
    cleaned = []
    for word in words:
        key = clean(fold(word)).replace(" ", "")
        if not key or len(key) > WORD_MAX:
            raise SearchWordError(WORD_INVALID, limit=WORD_MAX)
        cleaned.append(key)
    old = current_segmenter()
    affected: set[int] = set()
    for word in cleaned:
        clause = Clause(tuple(old.cut(word)))
        high = None
        while True:  # newest first, in pages, through every article that holds the old words
            found = store().match(
                [clause], facets=[], low=None, high=high, limit=5000, ranked=False
            )
            affected.update(article_of(m.rowkey) for m in found)
            if len(found) < 5000:
                break
            high = found[-1].rowkey
    added = 0
    with transaction.atomic():
        for word in cleaned:
            _, created = SearchWord.objects.get_or_create(word=word, defaults={"added_by": by})
            added += created
    _words_changed()
    ids = sorted(affected)
    seg = current_segmenter()
    for start in range(0, len(ids), BATCH):
        index_articles(ids[start : start + BATCH], seg=seg)
        progress(len(ids[start : start + BATCH]))
    return added, len(ids)


def search_word_remove(*, words: Iterable[str]) -> int:
    """Remove words from the dictionary (articles keep their words until re-indexed)."""
    keys = [clean(fold(word)).replace(" ", "") for word in words]
    deleted, _ = SearchWord.objects.filter(word__in=keys).delete()
    _words_changed()
    return deleted


def _words_changed() -> None:
    shared = caches["shared"]
    shared.add("search:words:version", 0, None)
    shared.incr("search:words:version")


# 热搜: what readers search, and editors' pins and removals -----------------------------------------

QUERY_DEDUP_SECONDS = 3600


def query_record(*, query: str, found: bool, who: str) -> bool:
    """Count a search for 热搜: once per reader (``who``) and query an hour. Returns whether counted."""
    if not query or len(query) > 100:
        return False
    digest = hashlib.blake2b(f"{who}\0{query}".encode(), digest_size=16).hexdigest()
    if not caches["shared"].add(f"search:q:{digest}", 1, QUERY_DEDUP_SECONDS):
        return False
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    QueryCount.objects.bulk_create(
        [QueryCount(query=query, hour=hour, count=0)], ignore_conflicts=True
    )
    QueryCount.objects.filter(query=query, hour=hour).update(count=F("count") + 1, found=found)
    return True


def queries_prune(*, days: int = 30) -> int:
    """Forget hourly counts older than ``days``."""
    deleted, _ = QueryCount.objects.filter(hour__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted


Action = SearchIntervention.Action
HOT_SEARCH_EDITORS_ONLY = _("只有编辑可以调整热搜")
HOT_SEARCH_REASON_REQUIRED = _("请填写调整热搜的理由")
HOT_SEARCH_REASON_TOO_LONG = _("理由不能超过 %(limit)s 个字符")
HOT_SEARCH_QUERY_INVALID = _("请填写要调整的搜索词")
HOT_SEARCH_POSITION_INVALID = _("置顶位置应在 1 到 %(limit)s 之间")
HOT_SEARCH_ALREADY = _("这个搜索词已有一项热搜调整，请先撤销")
HOT_SEARCH_NOT_FOUND = _("这项热搜调整不存在或已撤销")
HOT_SEARCH_SIZE = 10


class HotSearchError(ServiceError):
    pass


def _checked(by: User, reason: str) -> str:
    return intervention_reason(by.is_editor, reason, error=HotSearchError, editors_only=HOT_SEARCH_EDITORS_ONLY,
                               required=HOT_SEARCH_REASON_REQUIRED, too_long=HOT_SEARCH_REASON_TOO_LONG)  # fmt: skip


def hot_search_intervene(*, query: str, by: User, action: str, reason: str,
                         position: int | None = None) -> SearchIntervention:  # fmt: skip
    """Pin a query at ``position`` of 热搜 (action pin) or keep it off (action remove); audited."""
    reason = _checked(by, reason)
    key = clean(fold(query))[:100]
    if not key:
        raise HotSearchError(HOT_SEARCH_QUERY_INVALID)
    if action == Action.PIN and (position is None or not 1 <= position <= HOT_SEARCH_SIZE):
        raise HotSearchError(HOT_SEARCH_POSITION_INVALID, limit=HOT_SEARCH_SIZE)
    if action not in Action.values:
        raise HotSearchError(HOT_SEARCH_QUERY_INVALID)
    try:
        with transaction.atomic():
            intervention = SearchIntervention.objects.create(
                query=key, action=action, position=position if action == Action.PIN else None,
                reason=reason, by=by,
            )  # fmt: skip
            audit_record(actor=by, action=f"hotsearch.{action}", target=intervention, reason=reason,
                         data={"query": key, **({"position": position} if action == Action.PIN else {})})  # fmt: skip
    except IntegrityError:
        raise HotSearchError(HOT_SEARCH_ALREADY) from None
    transaction.on_commit(site_version_bump)
    return intervention


def hot_search_intervention_end(
    *, intervention_id: int, by: User, reason: str
) -> SearchIntervention:
    """Undo a pin or removal (it stays listed, ended, on the public page); audited."""
    reason = _checked(by, reason)
    with transaction.atomic():
        intervention = (SearchIntervention.objects.select_for_update()
                        .filter(pk=intervention_id, ended_at__isnull=True).first())  # fmt: skip
        if intervention is None:
            raise HotSearchError(HOT_SEARCH_NOT_FOUND)
        intervention.ended_at = timezone.now()
        intervention.ended_by = by
        intervention.end_reason = reason
        intervention.save(update_fields=["ended_at", "ended_by", "end_reason", "updated_at"])
        audit_record(actor=by, action=f"hotsearch.un{intervention.action}", target=intervention,
                     reason=reason, data={"query": intervention.query})  # fmt: skip
    transaction.on_commit(site_version_bump)
    return intervention
