"""The search engine behind ``zixun.core.search``: one class, two stores.

:class:`DatabaseSearch` does everything that does not depend on the database (folding,
segmentation, the query plan, ranking, highlighting, cursors) and hands two primitives to a
store: write or delete documents, and *match* — the newest ``limit`` rows holding every clause,
with a relevance for each. :class:`Fts5Store` is SQLite FTS5 (BM25 with column weights);
:class:`PostgresStore` is a ``tsvector`` with a GIN index (Σ idf × ``ts_rank`` per clause).

The plan (ADR 0013): relevance is computed for a bounded set of candidates, never for every
match — the newest ``ZIXUN_SEARCH_CANDIDATES`` matches anywhere plus the newest matches in the
title — and those are ranked by

    score = 0.75 · relevance / max relevance + 0.15 · 2^(−age / H) + 0.10 · popularity

so a query for 中国 at a million articles costs the same as one for a rare name.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zixun.articles.models import Article
from zixun.core.errors import ServiceError
from zixun.core.search import SearchHit, SearchQuery, SearchResults
from zixun.creators.models import Creator
from zixun.ranking.text import STOP_WORDS
from zixun.search.models import SearchAccount, SearchDocument, SearchWord
from zixun.search.text import (
    SNIPPET_CHARS,
    Clause,
    ParsedQuery,
    Segmenter,
    document_terms,
    fold,
    highlight,
    pinyin_keys,
    query_parse,
    segmenter,
)

KEY_SHIFT = 32  # rowkey = seconds since KEY_EPOCH << 32 | article id
KEY_EPOCH = 946_684_800  # 2000-01-01 UTC: keys hold until 2068, ids below 2**32
POPULAR_RERANKED = 200  # popularity reorders this many of the best by relevance and freshness
TITLE_CANDIDATES = 200
W_RELEVANCE, W_FRESH, W_POPULAR = 0.75, 0.15, 0.10
BODY_CHARS_INDEXED = 200_000  # a longer body is indexed up to here
CURSOR_FOREIGN = _("这个翻页链接属于另一次搜索，请重新搜索")
CURSOR_BAD = _("翻页链接无效，请重新搜索")
ORDERS = ("relevance", "newest")


class SearchInputError(ServiceError):
    pass


@dataclass(frozen=True)
class Doc:
    rowkey: int
    title: str
    body: str
    tags: str
    facets: str


@dataclass(frozen=True)
class Match:
    rowkey: int
    relevance: float


def facet_channel(channel_id: int) -> str:
    return f"zxchannel{channel_id}"


def facet_creator(creator_id: int) -> str:
    return f"zxaccount{creator_id}"


def key_floor(moment: datetime) -> int:
    return max(0, int(moment.timestamp()) - KEY_EPOCH) << KEY_SHIFT


def rowkey_of(published_at: datetime, article_id: int) -> int:
    """Publication order first, the article id in the low bits (so the key names the article)."""
    return key_floor(published_at) | article_id


def article_of(rowkey: int) -> int:
    return rowkey & ((1 << KEY_SHIFT) - 1)


class Store(Protocol):
    def write(self, docs: Sequence[Doc], *, replacing: Sequence[int] = ()) -> None:
        """Store ``docs``; ``replacing`` are the row keys among them already stored."""
        ...

    def delete(self, rowkeys: Sequence[int]) -> None: ...

    def match(
        self, clauses: Sequence[Clause], *, facets: Sequence[str], low: int | None,
        high: int | None, limit: int, title_only: bool = False, ranked: bool = True,
    ) -> list[Match]: ...  # fmt: skip

    def clear(self) -> None: ...


def _fts_phrase(words: Iterable[str]) -> str:
    return '"' + " ".join(words) + '"'  # words are letters and digits only (text.clean)


class Fts5Store:
    """SQLite FTS5: ``search_fts(title, body, tags, facets)``, rowid = rowkey."""

    WEIGHTS = (10.0, 1.0, 5.0, 0.0)  # bm25 column weights: title, body, tags, facets

    def write(self, docs: Sequence[Doc], *, replacing: Sequence[int] = ()) -> None:
        with connection.cursor() as cursor:
            self._delete(cursor, replacing)
            cursor.executemany(
                "INSERT INTO search_fts(rowid, title, body, tags, facets) VALUES (%s, %s, %s, %s, %s)",
                [(d.rowkey, d.title, d.body, d.tags, d.facets) for d in docs],
            )

    def delete(self, rowkeys: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            self._delete(cursor, rowkeys)

    @staticmethod
    def _delete(cursor: object, rowkeys: Sequence[int]) -> None:
        for start in range(0, len(rowkeys), 500):
            chunk = list(rowkeys[start : start + 500])
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({marks})", chunk)  # type: ignore[attr-defined]  # noqa: S608 (placeholders only)

    def match(
        self, clauses: Sequence[Clause], *, facets: Sequence[str], low: int | None,
        high: int | None, limit: int, title_only: bool = False, ranked: bool = True,
    ) -> list[Match]:  # fmt: skip
        expression = " AND ".join(_fts_phrase(c.words) for c in clauses)
        if title_only:
            expression = f"title : ({expression})"
        expression += "".join(f" AND facets : {_fts_phrase([f])}" for f in facets)
        where, params = ["search_fts MATCH %s"], [expression]
        if low is not None:
            where.append("rowid >= %s")
            params.append(str(low))
        if high is not None:
            where.append("rowid < %s")
            params.append(str(high))
        score = "bm25(search_fts, {}, {}, {}, {})".format(*self.WEIGHTS) if ranked else "0"
        sql = "SELECT rowid, {} FROM search_fts WHERE {} ORDER BY rowid DESC LIMIT {}".format(  # noqa: S608
            score, " AND ".join(where), int(limit)
        )  # constants; the values are parameters
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Match(rowkey, -float(bm25)) for rowkey, bm25 in cursor.fetchall()]

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresStore:
    """PostgreSQL: ``search_pg(rowkey, tsv)`` with a GIN index on ``tsv``. The tsvector is built
    here from the segmented words (no text search configuration splits Chinese): the title's
    words weigh A, tags B, the account and channel facets C (weight 0), the body D."""

    RANK_WEIGHTS = "{0.1, 0, 0.4, 1.0}"  # D, C, B, A
    MAX_POSITION = 16383

    def _tsvector(self, doc: Doc) -> str:
        positions: dict[str, list[str]] = {}
        at = 1
        for text, weight in ((doc.title, "A"), (doc.tags, "B"), (doc.facets, "C"), (doc.body, "D")):
            for word in text.split():
                positions.setdefault(word, []).append(f"{min(at, self.MAX_POSITION)}{weight}")
                at += 1
            at += 2  # no phrase across fields
        return " ".join(f"{_lexeme(w)}:{','.join(p[:256])}" for w, p in positions.items())

    def write(self, docs: Sequence[Doc], *, replacing: Sequence[int] = ()) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_pg(rowkey, tsv) VALUES (%s, %s::tsvector) "
                "ON CONFLICT (rowkey) DO UPDATE SET tsv = EXCLUDED.tsv",
                [(d.rowkey, self._tsvector(d)) for d in docs],
            )

    def delete(self, rowkeys: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_pg WHERE rowkey = ANY(%s)", [list(rowkeys)])

    @staticmethod
    def _tsquery(clauses: Sequence[Clause], facets: Sequence[str], title_only: bool) -> str:
        suffix = ":A" if title_only else ""
        parts = [" <-> ".join(_lexeme(w) + suffix for w in c.words) for c in clauses]
        parts += [_lexeme(f) for f in facets]
        return " & ".join(f"({p})" for p in parts)

    def match(
        self, clauses: Sequence[Clause], *, facets: Sequence[str], low: int | None,
        high: int | None, limit: int, title_only: bool = False, ranked: bool = True,
    ) -> list[Match]:  # fmt: skip
        where, params = ["tsv @@ %s::tsquery"], [self._tsquery(clauses, facets, title_only)]
        if low is not None:
            where.append("rowkey >= %s")
            params.append(str(low))
        if high is not None:
            where.append("rowkey < %s")
            params.append(str(high))
        sql = f"SELECT rowkey, tsv FROM search_pg WHERE {' AND '.join(where)} ORDER BY rowkey DESC LIMIT {int(limit)}"  # noqa: S608
        if not ranked:
            sql = sql.replace("rowkey, tsv", "rowkey", 1)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return [Match(row[0], 0.0) for row in cursor.fetchall()]
        idf = self._idf(clauses)
        terms = [self._tsquery([c], [], False) for c in clauses]
        ranks = ", ".join(f"ts_rank('{self.RANK_WEIGHTS}', tsv, %s::tsquery, 1)" for _ in terms)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowkey, {ranks} FROM ({sql}) AS found", [*terms, *params])  # noqa: S608
            return [Match(row[0], sum(w * r for w, r in zip(idf, row[1:], strict=True)))
                    for row in cursor.fetchall()]  # fmt: skip

    DF_CAP = 20_000

    def _idf(self, clauses: Sequence[Clause]) -> list[float]:
        """ln(1 + N / df) per clause, df counted up to DF_CAP (cached for an hour)."""
        from django.core.cache import caches

        cache = caches["shared"]
        with connection.cursor() as cursor:
            total = cache.get("search:pg:n")
            if total is None:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'search_pg'")
                row = cursor.fetchone()
                total = max(1, int(row[0]) if row else 1)
                cache.set("search:pg:n", total, 3600)
            out = []
            for clause in clauses:
                key = (
                    "search:pg:df:"
                    + hashlib.blake2b(clause.text.encode(), digest_size=16).hexdigest()
                )
                df = cache.get(key)
                if df is None:
                    cursor.execute(
                        "SELECT count(*) FROM (SELECT 1 FROM search_pg WHERE tsv @@ %s::tsquery LIMIT %s) s",
                        [self._tsquery([clause], [], False), self.DF_CAP],
                    )
                    df = int(cursor.fetchone()[0])
                    cache.set(key, df, 3600)
                out.append(math.log(1 + max(total, df) / max(1, df)))
            return out

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_pg")


@cache
def _store_for(vendor: str) -> Store:
    return PostgresStore() if vendor == "postgresql" else Fts5Store()


def store() -> Store:
    return _store_for(connection.vendor)


# The dictionary -------------------------------------------------------------------------------


def current_segmenter() -> Segmenter:
    """The segmenter with the operators' words; the word list is re-read when its version in
    the shared cache changes (an added word reaches every process at its next search)."""
    from django.core.cache import caches

    version = caches["shared"].get("search:words:version", 0)
    cached = _WORDS.get("version")
    if cached != version or "words" not in _WORDS:
        _WORDS["words"] = frozenset(SearchWord.objects.values_list("word", flat=True))
        _WORDS["version"] = version
    return segmenter(_WORDS["words"])  # type: ignore[arg-type]


_WORDS: dict[str, object] = {}


# Indexing -------------------------------------------------------------------------------------

INDEX_FIELDS = ("pk", "status", "deleted_at", "published_at", "updated_at", "title",
                "body_text", "summary", "tags", "creator_id", "channel_id")  # fmt: skip


# What segmentation needs of an article: (title, body, summary, tags); the words of its fields.
Texts = tuple[str, str, str, Sequence[str]]
Fields = tuple[str, str, str]


def doc_fields(texts: Texts, seg: Segmenter) -> Fields:
    """The title's, body's (with the summary) and tags' words: the CPU-bound part of indexing,
    pure, so ``search-reindex`` can run it in several processes."""
    title, body, summary, tags = texts
    body_words = document_terms(f"{summary}\n{body[:BODY_CHARS_INDEXED]}", seg)
    return (
        document_terms(title, seg),
        body_words,
        document_terms(" ".join(str(t) for t in tags or []), seg),
    )


FieldsOf = Callable[[list[Texts]], list[Fields]]


def index_articles(article_ids: Sequence[int], *, seg: Segmenter | None = None,
                   fields_of: FieldsOf | None = None) -> int:  # fmt: skip
    """Index these articles as they are now (drop those offline); returns how many are indexed.
    ``fields_of`` segments a batch (by default here, with ``seg``)."""
    seg = seg or current_segmenter()
    ids = sorted(set(article_ids))
    rows = {
        row[0]: row
        for row in Article.objects.filter(pk__in=ids).order_by().values_list(*INDEX_FIELDS)
    }
    existing = dict(
        SearchDocument.objects.filter(article_id__in=ids).values_list("article_id", "rowkey")
    )
    live = {pk: row for pk, row in rows.items()
            if row[1] == Article.Status.PUBLISHED and row[2] is None and row[3] is not None}  # fmt: skip
    order = list(live)
    texts: list[Texts] = [(live[pk][5], live[pk][6], live[pk][7], live[pk][8]) for pk in order]
    fields = fields_of(texts) if fields_of else [doc_fields(t, seg) for t in texts]
    now = timezone.now()
    engine = store()
    docs: list[Doc] = []
    models: list[SearchDocument] = []
    replacing: list[int] = []
    stale: list[int] = []
    for pk, (title_words, body_words, tag_words) in zip(order, fields, strict=True):
        _, _, _, published, updated, _, _, _, _, creator, channel = live[pk]
        key, old = rowkey_of(published, pk), existing.get(pk)
        if old is not None:
            (replacing if old == key else stale).append(old)  # stale: republished at another time
        docs.append(
            Doc(
                key,
                title_words,
                body_words,
                tag_words,
                f"{facet_channel(channel)} {facet_creator(creator)}",
            )
        )
        models.append(SearchDocument(
            article_id=pk, rowkey=key, creator_id=creator, channel_id=channel,
            published_at=published, source_updated_at=updated, dirty=False, indexed_at=now,
        ))  # fmt: skip
    gone = [key for pk, key in existing.items() if pk not in live and key is not None]
    with transaction.atomic():
        if gone or stale:
            engine.delete([*gone, *stale])
        SearchDocument.objects.filter(article_id__in=[pk for pk in ids if pk not in live]).delete()
        if models:
            engine.write(docs, replacing=replacing)
            SearchDocument.objects.bulk_create(
                models, update_conflicts=True, unique_fields=["article_id"],
                update_fields=["rowkey", "creator_id", "channel_id", "published_at",
                               "source_updated_at", "dirty", "indexed_at"],
            )  # fmt: skip
    return len(live)


def index_accounts(creator_ids: Sequence[int]) -> None:
    """Index these accounts' names (active accounts only)."""
    ids = sorted(set(creator_ids))
    rows = Creator.objects.filter(pk__in=ids).values_list(
        "pk", "name", "follower_count", "is_suspended"
    )
    live = [(pk, name, followers) for pk, name, followers, suspended in rows if not suspended]
    with transaction.atomic():
        SearchAccount.objects.filter(creator_id__in=ids).exclude(
            creator_id__in=[r[0] for r in live]
        ).delete()
        accounts = []
        for pk, name, followers in live:
            full, initials = pinyin_keys(name)
            accounts.append(SearchAccount(creator_id=pk, name=name, folded=fold(name)[:100],
                                          pinyin=full[:400], initials=initials[:100], followers=followers))  # fmt: skip
        SearchAccount.objects.bulk_create(
            accounts, update_conflicts=True, unique_fields=["creator_id"],
            update_fields=["name", "folded", "pinyin", "initials", "followers"],
        )  # fmt: skip


# Querying -------------------------------------------------------------------------------------


def _fingerprint(query: SearchQuery, parsed: ParsedQuery) -> str:
    key = json.dumps([parsed.text, query.channel_id, query.creator_id, str(query.since),
                      str(query.until), query.order])  # fmt: skip
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()[:10]


def cursor_encode(fingerprint: str, score: float, rowkey: int) -> str:
    raw = json.dumps({"q": fingerprint, "s": round(score, 9), "k": rowkey}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(value: str, fingerprint: str) -> tuple[float, int]:
    try:
        raw = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
        data = json.loads(raw)
        score, rowkey, owner = float(data["s"]), int(data["k"]), str(data["q"])
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise SearchInputError(CURSOR_BAD) from None
    if not math.isfinite(score) or not 0 <= rowkey < 1 << 62:
        raise SearchInputError(CURSOR_BAD)
    if owner != fingerprint:
        raise SearchInputError(CURSOR_FOREIGN)
    return score, rowkey


def _popularity(article_ids: Sequence[int]) -> dict[int, float]:
    rows = (
        Article.objects.filter(pk__in=list(article_ids))
        .order_by()
        .values_list(
            "pk", "view_count", "like_count", "comment_count", "share_count", "favorite_count"
        )
    )
    return {pk: math.log10(1 + v + 5 * (lk + c + s + f)) for pk, v, lk, c, s, f in rows}


class DatabaseSearch:
    """The default engine: FTS5 on SQLite, full text on PostgreSQL (see the module docstring)."""

    def mark_dirty(self, *, article_ids: Sequence[int]) -> None:
        ids = list(set(article_ids))
        existing = set(
            SearchDocument.objects.filter(article_id__in=ids).values_list("article_id", flat=True)
        )
        SearchDocument.objects.filter(article_id__in=existing).update(dirty=True)
        SearchDocument.objects.bulk_create(
            [SearchDocument(article_id=pk, creator_id=0, channel_id=0, dirty=True) for pk in ids if pk not in existing],
            ignore_conflicts=True,
        )  # fmt: skip

    def index(self, *, article_ids: Sequence[int]) -> None:
        index_articles(article_ids)

    def index_creators(self, *, creator_ids: Sequence[int]) -> None:
        index_accounts(creator_ids)

    def parse(self, text: str) -> ParsedQuery:
        return query_parse(text, current_segmenter(), stop_words=STOP_WORDS)

    def query(self, query: SearchQuery) -> SearchResults:
        parsed = self.parse(query.text)
        if not parsed:
            return SearchResults()
        fingerprint = _fingerprint(query, parsed)
        after = cursor_decode(query.after, fingerprint) if query.after else None
        facets = []
        if query.channel_id is not None:
            facets.append(facet_channel(query.channel_id))
        if query.creator_id is not None:
            facets.append(facet_creator(query.creator_id))
        low = key_floor(query.since) if query.since else None
        high = key_floor(query.until) if query.until else None
        size = max(1, min(query.size, 50))
        engine = store()
        if query.order == "newest":
            if after is not None:
                high = after[1] if high is None else min(high, after[1])
            found = engine.match(parsed.clauses, facets=facets, low=low, high=high,
                                 limit=size + 1, ranked=False)  # fmt: skip
            ranked = [(float(m.rowkey), m.rowkey) for m in found]
        else:
            ranked = self._ranked(parsed, facets, low, high)
            if after is not None:
                ranked = [item for item in ranked if item < after]
        page = ranked[:size]
        next_cursor = cursor_encode(fingerprint, *ranked[size - 1]) if len(ranked) > size else ""
        return SearchResults(
            hits=self._hits(page, parsed), next_cursor=next_cursor, query=parsed.text
        )

    def _ranked(self, parsed: ParsedQuery, facets: list[str], low: int | None,
                high: int | None) -> list[tuple[float, int]]:  # fmt: skip
        """(score, rowkey) of the candidates, best first."""
        engine = store()
        limit = settings.ZIXUN_SEARCH_CANDIDATES
        matches = {m.rowkey: m.relevance for m in engine.match(
            parsed.clauses, facets=facets, low=low, high=high, limit=limit)}  # fmt: skip
        if len(matches) >= limit:  # more matches than candidates: the title's matches join them
            for m in engine.match(parsed.clauses, facets=facets, low=low, high=high,
                                  limit=TITLE_CANDIDATES, title_only=True):  # fmt: skip
                matches.setdefault(m.rowkey, m.relevance)
        if not matches:
            return []
        best = max(matches.values()) or 1.0
        now = timezone.now().timestamp() - KEY_EPOCH
        half_life = settings.ZIXUN_SEARCH_FRESH_DAYS * 86400
        partial = sorted(
            ((W_RELEVANCE * relevance / best + W_FRESH * 2 ** (-max(0.0, now - (key >> KEY_SHIFT)) / half_life), key)
             for key, relevance in matches.items()), reverse=True,
        )  # fmt: skip
        head = partial[:POPULAR_RERANKED]
        popular = _popularity([article_of(key) for _, key in head])
        top = max(popular.values(), default=0.0) or 1.0
        reranked = [
            (score + W_POPULAR * popular.get(article_of(key), 0.0) / top, key)
            for score, key in head
        ]
        scored = sorted(reranked, reverse=True) + partial[POPULAR_RERANKED:]
        return [(round(score, 9), key) for score, key in scored]

    def _hits(self, page: Sequence[tuple[float, int]], parsed: ParsedQuery) -> list[SearchHit]:
        rows = Article.objects.filter(pk__in=[article_of(k) for _, k in page]).order_by().values_list(
            "pk", "title", "body_text", "summary", "status", "deleted_at")  # fmt: skip
        # Checked here too: between a takedown's commit and its index update, never shown.
        texts = {pk: (title, body, summary) for pk, title, body, summary, status, deleted in rows
                 if status == Article.Status.PUBLISHED and deleted is None}  # fmt: skip
        hits = []
        for score, rowkey in page:
            article_id = article_of(rowkey)
            if article_id not in texts:
                continue
            title, body, summary = texts[article_id]
            passage = highlight(body[:20_000], parsed, window=SNIPPET_CHARS)
            if "<mark>" not in passage and summary:
                passage = highlight(summary, parsed, window=SNIPPET_CHARS)
            hits.append(SearchHit(article_id=article_id, score=score, title=highlight(title, parsed),
                                  snippet=passage))  # fmt: skip
        return hits
