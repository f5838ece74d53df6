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
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Protocol, TypeVar

from django.conf import settings
from django.db import DatabaseError, connection, transaction
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

_T = TypeVar("_T")

KEY_SHIFT = 32  # rowkey = seconds since KEY_EPOCH << 32 | article id
KEY_EPOCH = 946_684_800  # 2000-01-01 UTC: keys hold until 2068, ids below 2**32
POPULAR_RERANKED = 60  # popularity reorders this many of the best by relevance and freshness
TITLE_CANDIDATES = 50
W_RELEVANCE, W_FRESH, W_POPULAR = 0.75, 0.15, 0.10
BODY_CHARS_INDEXED = 200_000  # a longer body is indexed up to here
CURSOR_FOREIGN = _("这个翻页链接属于另一次搜索，请重新搜索")
CURSOR_BAD = _("翻页链接无效，请重新搜索")
PREWARM_NO_EXTENSION = _(
    "PostgreSQL 的 pg_prewarm 扩展未安装，且当前数据库用户无权创建：请由超级用户执行 CREATE EXTENSION pg_prewarm"
)
ORDERS = ("relevance", "newest")


class SearchInputError(ServiceError):
    pass


class SearchPrewarmError(ServiceError):
    pass


# What a store builds from a document's words before writing it, where that can run in the
# segmenting processes rather than the writing one: PostgreSQL's vector literals, else None.
Prepared = tuple[str, str] | None


@dataclass(frozen=True)
class Doc:
    rowkey: int
    title: str
    body: str
    tags: str
    facets: str
    prepared: Prepared = None  # ``Store.prepare`` of (title, body, tags), if already built


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


# Time buckets (PostgreSQL; ADR 0013, amendment of 2026-12-02): a row's vector also holds, for
# each level, a lexeme naming the period of 2**bits seconds its publication falls in, so that
# "the newest rows" is a handful of lexemes GIN intersects with the words itself.
BUCKET_BITS = (18, 22, 26)  # periods of about 3 days, 49 days and 2.1 years, finest first


def _bucket(bits: int, period: int) -> str:
    """The lexeme of one period of 2**bits seconds (``bucket_sql`` writes the same in SQL)."""
    return f"zxt{bits}p{period}"


def bucket_lexemes(rowkey: int) -> list[str]:
    """The time-bucket lexemes of the row with this key, one per level."""
    seconds = rowkey >> KEY_SHIFT
    return [_bucket(bits, seconds >> bits) for bits in BUCKET_BITS]


def bucket_sql(rowkey: str = "rowkey") -> str:
    """``bucket_lexemes`` as an SQL expression of the row key column: a tsvector of the
    lexemes at the facets' position and weight (for upgrading rows in bulk)."""
    parts = [f"'zxt{bits}p' || (({rowkey} >> {KEY_SHIFT}) >> {bits}) || ':16383C'"
             for bits in BUCKET_BITS]  # fmt: skip
    return "(" + " || ' ' || ".join(parts) + ")::tsvector"


def bucket_cover(floor: int, top: int) -> list[str]:
    """The fewest bucket lexemes whose periods, together, hold every row key from the start of
    ``floor``'s finest period up to ``top``: the finest periods up to a boundary of the next
    level, then that level's, and so on; nothing from before ``floor``'s finest period."""
    top_s = top >> KEY_SHIFT
    period = (floor >> KEY_SHIFT) >> BUCKET_BITS[0]
    lexemes: list[str] = []
    for level, bits in enumerate(BUCKET_BITS):
        coarser = BUCKET_BITS[level + 1] if level + 1 < len(BUCKET_BITS) else None
        ratio = 1 << (coarser - bits) if coarser is not None else 0
        while period << bits <= top_s and (coarser is None or period % ratio):
            lexemes.append(_bucket(bits, period))
            period += 1
        if coarser is None or period << bits > top_s:
            break
        period //= ratio
    return lexemes


class Store(Protocol):
    TITLE_CANDIDATES: int  # the newest title matches that join the candidates (0: none)

    def prepare(self, fields: Fields) -> Prepared:
        """What ``write`` would build from a document's (title, body, tags) words; pure, so
        the segmenting processes of an import or a reindex run it (None: nothing to build)."""
        ...

    def write(self, docs: Sequence[Doc], *, replacing: Sequence[int] = ()) -> None:
        """Store ``docs``; ``replacing`` are the row keys among them already stored."""
        ...

    def delete(self, rowkeys: Sequence[int]) -> None: ...

    def after_reindex(self) -> object:
        """Called when a full reindex has written every row again."""
        ...

    def match(
        self, clauses: Sequence[Clause], *, facets: Sequence[str], low: int | None,
        high: int | None, limit: int, title_only: bool = False, ranked: bool = True,
    ) -> list[Match]: ...  # fmt: skip

    def clear(self) -> None: ...

    def prewarm_size(self) -> int:
        """The bytes ``prewarm`` would read."""
        ...

    def prewarm(self, progress: Callable[[int], object]) -> int:
        """Read what a search reads into the operating system's page cache (after a restart
        the first searches would otherwise wait on the disk), calling ``progress`` with the
        bytes of each step; returns the bytes read."""
        ...


PREWARM_CHUNK = 8 << 20  # bytes read between two progress steps


def _key_range(column: str, low: int | None, high: int | None, where: list[str],
               params: list[str]) -> tuple[list[str], list[str]]:  # fmt: skip
    """``where`` and ``params`` with ``low <= column < high`` added (either bound optional)."""
    for bound, op in ((low, ">="), (high, "<")):
        if bound is not None:
            where.append(f"{column} {op} %s")
            params.append(str(bound))
    return where, params


def _fts_phrase(words: Iterable[str]) -> str:
    return '"' + " ".join(words) + '"'  # words are letters and digits only (text.clean)


class Fts5Store:
    """SQLite FTS5: ``search_fts(title, body, tags, facets)`` and the contentless
    ``search_fts_title(title, facets)`` (migration 0005), rowid = rowkey in both."""

    TITLE_CANDIDATES = TITLE_CANDIDATES

    WEIGHTS = (10.0, 1.0, 5.0, 0.0)  # bm25 column weights: title, body, tags, facets

    def prepare(self, fields: Fields) -> Prepared:
        return None  # FTS5 takes the words as they are

    def write(self, docs: Sequence[Doc], *, replacing: Sequence[int] = ()) -> None:
        with connection.cursor() as cursor:
            self._delete(cursor, replacing)
            cursor.executemany(
                "INSERT INTO search_fts(rowid, title, body, tags, facets) VALUES (%s, %s, %s, %s, %s)",
                [(d.rowkey, d.title, d.body, d.tags, d.facets) for d in docs],
            )
            cursor.executemany(
                "INSERT INTO search_fts_title(rowid, title, facets) VALUES (%s, %s, %s)",
                [(d.rowkey, d.title, d.facets) for d in docs],
            )

    def delete(self, rowkeys: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            self._delete(cursor, rowkeys)

    def after_reindex(self) -> None:
        pass  # FTS5 walks its index newest first: nothing to check

    @staticmethod
    def _delete(cursor: object, rowkeys: Sequence[int]) -> None:
        for start in range(0, len(rowkeys), 500):
            chunk = list(rowkeys[start : start + 500])
            marks = ",".join(["%s"] * len(chunk))
            # The contentless title table forgets a row given its values, read from the main one.
            cursor.execute(  # type: ignore[attr-defined]
                "INSERT INTO search_fts_title(search_fts_title, rowid, title, facets) "  # noqa: S608 (placeholders only)
                f"SELECT 'delete', rowid, title, facets FROM search_fts WHERE rowid IN ({marks})",
                chunk,
            )
            cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({marks})", chunk)  # type: ignore[attr-defined]  # noqa: S608 (placeholders only)

    def match(
        self, clauses: Sequence[Clause], *, facets: Sequence[str], low: int | None,
        high: int | None, limit: int, title_only: bool = False, ranked: bool = True,
    ) -> list[Match]:  # fmt: skip
        expression = " AND ".join(_fts_phrase(c.words) for c in clauses)
        # Titles are matched in their own table, whose doclists hold no body (migration 0005).
        table = "search_fts_title" if title_only else "search_fts"
        if title_only:
            expression = f"title : ({expression})"
        expression += "".join(f" AND facets : {_fts_phrase([f])}" for f in facets)
        where, params = _key_range("rowid", low, high, [f"{table} MATCH %s"], [expression])
        sql = "SELECT rowid FROM {} WHERE {} ORDER BY rowid DESC LIMIT {}".format(  # noqa: S608
            table, " AND ".join(where), int(limit)
        )  # constants; the values are parameters
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            keys = [row[0] for row in cursor.fetchall()]
        if not ranked or not keys:
            return [Match(key, 0.0) for key in keys]
        return self._bm25(keys, clauses)

    # BM25 is computed here, not by FTS5's bm25(): that one counts every row holding each query
    # word (its idf) on every query — 100 ms and more for a common word at a million rows. Here
    # df is a bounded count (``_df``) and the term frequencies come from the candidates' stored
    # words (a substring count of " word " per field).
    K1, B = 1.2, 0.75

    def _bm25(self, keys: list[int], clauses: Sequence[Clause]) -> list[Match]:
        marks = ",".join(["%s"] * len(keys))
        sql = f"SELECT rowid, title, body, tags FROM search_fts WHERE rowid IN ({marks})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, keys)
            rows = cursor.fetchall()
        total = self._doc_count()
        needles = [(f" {' '.join(c.words)} ", self._idf(c, total)) for c in clauses]
        weights = self.WEIGHTS[:3]
        lengths = [len(body) for _, _, body, _ in rows]
        average = (sum(lengths) / len(lengths)) or 1.0
        out = []
        for (key, title, body, tags), length in zip(rows, lengths, strict=True):
            fields = (f" {title} ", f" {body} ", f" {tags} ")
            norm = self.K1 * (1 - self.B + self.B * length / average)
            score = 0.0
            for needle, idf in needles:
                tf = sum(w * field.count(needle) for w, field in zip(weights, fields, strict=True))
                score += idf * tf * (self.K1 + 1) / (tf + norm)
            out.append(Match(key, score))
        return out

    def _idf(self, clause: Clause, total: int) -> float:
        """BM25's idf of a clause; a phrase's df is its rarest word's (an upper bound)."""
        df = min(self._df(word) for word in clause.words)
        return math.log(1 + (total - df + 0.5) / (df + 0.5))

    DF_CAP = 20_000

    def _df(self, word: str) -> int:
        """Articles holding ``word``, counted up to DF_CAP (every word commoner than that gets
        the same, low idf): one bounded walk of its index entry, remembered by this process for
        ten minutes and by every process (the shared cache) for an hour."""
        from django.core.cache import caches

        now = time.monotonic()
        memo = _DOC_FREQS.get(word)
        if memo is not None and now - memo[1] < 600:
            return memo[0]
        if len(_DOC_FREQS) > 50_000:
            _DOC_FREQS.clear()
        key = "search:fts:df:" + hashlib.blake2b(word.encode(), digest_size=16).hexdigest()
        df = caches["shared"].get(key)
        if df is None:
            sql = f"SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH %s LIMIT {self.DF_CAP})"  # noqa: S608
            with connection.cursor() as cursor:
                cursor.execute(sql, [_fts_phrase([word])])
                df = int(cursor.fetchone()[0])
            caches["shared"].set(key, df, 3600)
        _DOC_FREQS[word] = (df, now)
        return int(df)

    @staticmethod
    def _doc_count() -> int:
        from django.core.cache import caches

        cache = caches["shared"]
        total = cache.get("search:fts:n")
        if total is None:
            total = SearchDocument.objects.filter(rowkey__isnull=False).count()
            cache.set("search:fts:n", total, 600)
        return max(1, int(total))

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")
            cursor.execute("INSERT INTO search_fts_title(search_fts_title) VALUES ('delete-all')")

    # A search reads the index, the candidates' rows and the articles' counters and texts: most
    # of the site's file. So the whole file is read, in order (much faster than the random
    # reads of the searches themselves); an in-memory database has nothing to read.
    @staticmethod
    def _database_file() -> Path | None:
        if connection.is_in_memory_db():  # type: ignore[attr-defined]
            return None
        path = Path(str(connection.settings_dict["NAME"]))
        return path if path.is_file() else None

    def prewarm_size(self) -> int:
        path = self._database_file()
        return path.stat().st_size if path else 0

    def prewarm(self, progress: Callable[[int], object]) -> int:
        path = self._database_file()
        if path is None:
            return 0
        done, buffer = 0, bytearray(PREWARM_CHUNK)
        with path.open("rb", buffering=0) as file:
            os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
            while read := file.readinto(buffer):
                done += read
                progress(read)
        return done


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresStore:
    """PostgreSQL: ``search_pg(rowkey, tsv, title)``, a GIN index on ``tsv``. The tsvectors
    are built here from the segmented words (no text search configuration splits Chinese): in
    ``tsv`` the title's words weigh A, tags B, the account and channel facets C (weight 0), the
    body D; ``title`` holds the title's words alone (unindexed: title candidates are off here).

    The plan (ADR 0013): a GIN match is a bitmap of *every* matching row, which the heap then
    visits and sorts — fine for a rare word, hundreds of milliseconds for a common one at a
    million rows; walking the rows newest first instead reads each one's vector, fine for a
    common word and ruinous for a rare one. So each query first asks the planner how many rows
    it expects (its statistics of the vector's 10,000 most common words, no scan; migration
    0003) and picks a plan for that share (``_newest``): the walk, the bitmap, or the bitmap
    ANDed with a B-tree window of the newest keys. The windows are the keys at fixed distances
    from the newest row (512, 1,024, 2,048 … rows), read in one index pass and cached for ten
    minutes. Too few matches in a window (a bad estimate) and the query runs again without it.
    """

    RANK_WEIGHTS = "{0.1, 0, 0.4, 1.0}"  # D, C, B, A
    # No separate title candidates here: the planner's estimate for several title words is far
    # too low when they go together (改革 开放), and the query then reads every title match.
    # Title words weigh most in ts_rank among the newest candidates instead.
    TITLE_CANDIDATES = 0
    MAX_POSITION = 16383
    LADDER_BASE, LADDER_STEP = 512, 2
    SAFETY = 2.0  # the window holds this many times the matches a page needs, by the estimate

    @classmethod
    def _tsvector(cls, fields: Iterable[tuple[str, str]]) -> str:
        """The literal of a tsvector: each word with its positions (at most 256, the last
        position repeated past 16,383 as PostgreSQL caps them) and the field's weight."""
        positions: dict[str, list[str]] = {}
        top = cls.MAX_POSITION
        at = 1
        for text, weight in fields:
            words = text.split()
            for position, word in enumerate(words, at):
                entry = f"{position if position < top else top}{weight}"
                found = positions.get(word)
                if found is None:
                    positions[word] = [entry]
                elif len(found) < 256:
                    found.append(entry)
            at += len(words) + 2  # no phrase across fields
        return " ".join([f"{_lexeme(w)}:{','.join(p)}" for w, p in positions.items()])

    def prepare(self, fields: Fields) -> Prepared:
        return self._vectors(fields)

    def _vectors(self, fields: Fields) -> tuple[str, str]:
        """(the vector of title A, tags B and body D; the title's alone). The facets, known
        only to the writer, are appended by ``write``."""
        title, body, tags = fields
        full = self._tsvector(((title, "A"), (tags, "B"), (body, "D")))
        return full, self._tsvector(((title, "A"),))

    def _facets(self, facets: str) -> str:
        """The facets' entries, weight C (0 in ranking), at the last position: matched only
        with & and never in a phrase, so where they sit does not matter."""
        return "".join(f" {_lexeme(f)}:{self.MAX_POSITION}C" for f in facets.split())

    def write(self, docs: Sequence[Doc], *, replacing: Sequence[int] = ()) -> None:
        """Replace the rows of these keys: one DELETE, then one COPY of the new rows (two to
        four times faster than an INSERT … ON CONFLICT per row, measured on batches of 500).
        The vectors' literals come prepared from the segmenting processes when there are some
        (``Doc.prepared``); PostgreSQL merges a word given twice."""
        rows = []
        for d in docs:
            vector, title = d.prepared or self._vectors((d.title, d.body, d.tags))
            facets = " ".join([d.facets, *bucket_lexemes(d.rowkey)])
            rows.append((d.rowkey, vector + self._facets(facets), title))
        keys = sorted({*replacing, *(d.rowkey for d in docs)})
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_pg WHERE rowkey = ANY(%s)", [keys])
            with cursor.cursor.copy("COPY search_pg (rowkey, tsv, title) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def delete(self, rowkeys: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_pg WHERE rowkey = ANY(%s)", [list(rowkeys)])

    @staticmethod
    def _tsquery(clauses: Sequence[Clause], facets: Sequence[str] = ()) -> str:
        parts = [" <-> ".join(_lexeme(w) for w in c.words) for c in clauses]
        parts += [_lexeme(f) for f in facets]
        return " & ".join(f"({p})" for p in parts)

    def match(
        self, clauses: Sequence[Clause], *, facets: Sequence[str], low: int | None,
        high: int | None, limit: int, title_only: bool = False, ranked: bool = True,
    ) -> list[Match]:  # fmt: skip
        column = "title" if title_only else "tsv"
        query = self._tsquery(clauses, () if title_only else facets)
        words = [self._tsquery([c]) for c in clauses] if len(clauses) > 1 else []
        terms = [self._tsquery([c]) for c in clauses] if ranked else []
        if title_only:  # the title vector has no facets: filter on the full one, then rank
            found = [row[0] for row in self._newest(column, query, low, high, limit, words=words)]
            if facets:
                found = self._filtered(found, self._tsquery([], facets))
            rows = self._ranks(found, terms) if terms and found else [(k,) for k in found]
        else:  # the newest and their ranks in one statement (ranks: one per clause)
            rows = self._newest(column, query, low, high, limit, words=words, ranks=terms)
        if not terms:
            return [Match(row[0], 0.0) for row in rows]
        idf = self._idf(clauses)
        return [Match(row[0], sum(w * r for w, r in zip(idf, row[1:], strict=True)))
                for row in rows]  # fmt: skip

    def _ranks(self, keys: list[int], terms: Sequence[str]) -> list[tuple[int, ...]]:
        ranks = ", ".join(f"ts_rank('{self.RANK_WEIGHTS}', tsv, %s::tsquery, 1)" for _ in terms)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowkey, {ranks} FROM search_pg WHERE rowkey = ANY(%s)",  # noqa: S608
                           [*terms, keys])  # fmt: skip
            return [tuple(row) for row in cursor.fetchall()]

    # The plans, chosen here by their expected cost from the planner's estimate of the matching
    # rows (``_estimate``), since the planner itself counts neither the vectors' TOAST reads
    # nor what a B-tree bitmap of many keys costs (ADR 0013):
    # - WALK: the rows newest first along the primary key, each checked against the query,
    #   until ``limit`` match: about limit / share rows read, vectors and all. Common words.
    # - BITMAP: the GIN bitmap, every matching row visited (not its vector) and the newest kept.
    # - WINDOW: the GIN bitmap ANDed with a B-tree bitmap of the newest keys, sized to hold
    #   SAFETY times the matches needed: only the matches in the window are visited.
    # Costs in µs, fitted to the three plans run on 70 of the bench's queries at 1,000,000 rows
    # on 2 cores, warm (docs/search.md): a row walked 11 (10–17); a match visited by the
    # bitmap 3 (2.3 at 5,000 matches, 3.6 at 140,000); a match of the GIN bitmap alone 0.35;
    # a key of the window's B-tree bitmap 0.2 (262,144 keys: 47–77 ms, which makes the window
    # slower than the plain bitmap up to about 7,500 matches); a match visited in the window 8.
    WALK_US = 11.0
    BITMAP_US = 3.0
    GIN_US = 0.35
    WINDOW_KEY_US = 0.2
    WINDOW_VISIT_US = 8.0
    # The buckets plan, fitted to its three covers (from the finest, middle and coarsest
    # period holding the floor) on the 119 bench queries that have a window, warm, median of
    # three: a start, GIN's check of each posting of the rarest word against each lexeme of
    # the cover, and a visit for each match in the cover's rows.
    BUCKET_BASE_US = 1500.0
    BUCKET_LEXEME_US = 0.005
    BUCKET_VISIT_US = 4.0
    TOGETHER = 1.5  # words that go together: their conjunction matches this much more

    def _newest(self, column: str, query: str, low: int | None, high: int | None, limit: int,
                *, words: Sequence[str] = (), ranks: Sequence[str] = ()) -> list[tuple[int, ...]]:  # fmt: skip
        """The newest ``limit`` rows matching ``query`` within [low, high]: each its key, then
        its ``ts_rank`` for each tsquery of ``ranks`` (computed for those rows only).

        ``words``: the query's words (or phrases) one by one, when it has several: the GIN
        bitmap reads the rarest one's postings at least, and the planner, counting the words as
        independent, underestimates the matches of words that go together (about 1.4× for
        总统 举行); the costs allow for both."""
        total, ladder = self._ladder()
        if total < self.LADDER_BASE * self.LADDER_STEP:  # a small site: every plan is quick
            return self._match(column, query, low, high, limit, ranks=ranks)
        estimate = max(1.0, self._estimate(column, query))
        most = estimate
        if words:
            most = max(estimate, min(self._estimate(column, word) for word in words))
        share = estimate / max(total, 1)
        together = self.TOGETHER if words else 1.0
        costs = {
            "walk": self.WALK_US * limit / share,
            "bitmap": self.BITMAP_US * estimate * together,
        }
        floor = None
        if high is None:
            need = self.SAFETY * limit / share
            rows, floor = next(((r, key) for r, key in ladder if r >= need), (0, None))
            if floor is not None and (low is None or floor > low):
                costs["window"] = (self.GIN_US * most + self.WINDOW_KEY_US * rows
                                   + self.WINDOW_VISIT_US * self.SAFETY * limit)  # fmt: skip
        cover: list[str] = []
        if floor is not None and low is None and column == "tsv" and self._bucketed():
            costs["buckets"], cover = self._cover(floor, most, share, total, ladder)
        plan = min(costs, key=lambda name: costs[name])
        if plan == "walk":
            return self._match(column, query, low, high, limit, walk=True, ranks=ranks)
        if plan in ("window", "buckets"):
            if plan == "window":
                found = self._match(column, query, floor, high, limit, ranks=ranks)
            else:
                bucketed = f"({query}) & ({' | '.join(cover)})"
                found = self._match(column, bucketed, low, high, limit, ranks=ranks)
            if len(found) >= limit:
                return found
        # the bitmap, or a window that held too few
        return self._match(column, query, low, high, limit, ranks=ranks)

    def _cover(self, floor: int, most: float, share: float, total: int,
               ladder: list[tuple[int, int]]) -> tuple[float, list[str]]:  # fmt: skip
        """(expected µs, lexemes) of the cheapest time-bucket window holding ``floor``: GIN
        reads the postings of the query's rarest word once for each lexeme ORed in, so a cover
        of fewer, coarser periods can be cheaper although it holds more rows, whose matches the
        heap then visits. Tried: the cover from ``floor``'s finest period, and from its periods
        at each coarser level."""
        top = self._top_key()
        best: tuple[float, list[str]] = (math.inf, [])
        for bits in BUCKET_BITS:
            start = floor >> (KEY_SHIFT + bits) << (KEY_SHIFT + bits)
            lexemes = bucket_cover(start, top)
            rows = _rows_newer(start, total, ladder)
            cost = (self.BUCKET_BASE_US + self.BUCKET_LEXEME_US * most * len(lexemes)
                    + self.BUCKET_VISIT_US * share * rows)  # fmt: skip
            best = min(best, (cost, lexemes))
        return best

    @staticmethod
    def _match(column: str, query: str, low: int | None, high: int | None, limit: int,
               *, walk: bool = False, ranks: Sequence[str] = ()) -> list[tuple[int, ...]]:  # fmt: skip
        # The query is a subquery's value, unknown when the statement is planned: the planner
        # then skips its element statistics (10,000 per vector: milliseconds per plan), and
        # the plan is the one chosen above, forced by the settings.
        where, params = _key_range(
            "rowkey", low, high, [f"{column} @@ (SELECT %s::tsquery)"], [query]
        )
        sql = f"SELECT rowkey{', tsv' if ranks else ''} FROM search_pg WHERE {' AND '.join(where)} ORDER BY rowkey DESC LIMIT {int(limit)}"  # noqa: S608
        if ranks:  # ranked outside the LIMIT, so only the rows kept are (a second statement
            # over their keys cost 2–3 ms more a search, measured on the bench's queries)
            weights = PostgresStore.RANK_WEIGHTS
            columns = "".join(f", ts_rank('{weights}', tsv, %s::tsquery, 1)" for _ in ranks)
            sql = f"SELECT rowkey{columns} FROM ({sql}) newest"  # noqa: S608
            params = [*ranks, *params]
        # A bitmap that outgrows work_mem turns lossy, and every row of its pages is then
        # rechecked, vectors and all: 32 MB holds a million rows' bits. One statement sets the
        # plan for this transaction (SET LOCAL), planned afresh with this query's values even
        # once the connection has prepared the statement (ADR 0020): a plan kept from an earlier
        # run was made under other settings, and for a window of unknown size.
        settings_sql = (
            "SELECT set_config('enable_seqscan', 'off', true), "
            "set_config('plan_cache_mode', 'force_custom_plan', true), "
            + ("set_config('enable_bitmapscan', 'off', true)" if walk else
               "set_config('enable_indexscan', 'off', true), set_config('work_mem', '32MB', true)")
        )  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(settings_sql)
            cursor.execute(sql, params)
            return [tuple(row) for row in cursor.fetchall()]

    @staticmethod
    def _filtered(keys: list[int], query: str) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowkey FROM search_pg WHERE rowkey = ANY(%s) AND tsv @@ %s::tsquery",
                           [keys, query])  # fmt: skip
            kept = {row[0] for row in cursor.fetchall()}
        return [key for key in keys if key in kept]

    def _estimate(self, column: str, query: str) -> float:
        """The planner's estimate of the matching rows (from its statistics; nothing is read),
        remembered by this process for ten minutes and by every process (the shared cache)
        for an hour: statistics move slowly, and looking up 10,000 of them takes milliseconds."""
        from django.core.cache import caches

        now = time.monotonic()
        memo = _ESTIMATES.get((column, query))
        if memo is not None and now - memo[1] < 600:
            return memo[0]
        if len(_ESTIMATES) > 20_000:
            _ESTIMATES.clear()
        key = (
            "search:pg:rows:"
            + hashlib.blake2b(f"{column} {query}".encode(), digest_size=16).hexdigest()
        )
        rows = caches["shared"].get(key)
        if rows is None:
            rows = self._explain(column, query)
            caches["shared"].set(key, rows, 3600)
        _ESTIMATES[(column, query)] = (float(rows), now)
        return float(rows)

    @staticmethod
    def _explain(column: str, query: str) -> float:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_pg WHERE {column} @@ %s::tsquery",  # noqa: S608
                           [query])  # fmt: skip
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return float(plan[0]["Plan"]["Plan Rows"])

    def _ladder(self) -> tuple[int, list[tuple[int, int]]]:
        """(rows, [(n, the key n rows from the newest) for n = 512, 1,024 …]), cached."""
        return _remembered("ladder", self._ladder_shared)

    def _ladder_shared(self) -> tuple[int, list[tuple[int, int]]]:
        from django.core.cache import caches

        cache = caches["shared"]
        cached = cache.get("search:pg:ladder")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'search_pg'")
            row = cursor.fetchone()
            total = max(0, int(row[0]) if row else 0)
            steps = []
            n = self.LADDER_BASE
            while n < total:
                steps.append(n)
                n *= self.LADDER_STEP
            ladder: list[tuple[int, int]] = []
            if steps:
                cursor.execute(
                    "SELECT n, rowkey FROM (SELECT rowkey, row_number() OVER (ORDER BY rowkey DESC) AS n "
                    "FROM search_pg) ranked WHERE n = ANY(%s) ORDER BY n",
                    [steps],
                )
                ladder = [(int(n), int(key)) for n, key in cursor.fetchall()]
        cache.set("search:pg:ladder", (total, ladder), 600)
        return total, ladder

    BUCKETED = "zixun: every row holds its time buckets"

    def _bucketed(self) -> bool:
        """Whether every row holds its time buckets, as the table's comment says: rows written
        before they existed (2026-12) get them from a full ``zixun search-reindex``, which then
        checks and sets the comment (``after_reindex``), as migration search.0004 does for an
        empty table. Until then the buckets plan is never chosen, since it would miss those
        rows. Remembered in the shared cache: a yes for a day (every write adds the lexemes, so
        it stays true), a no for a minute."""
        return _remembered("bucketed", self._bucketed_shared)

    def _bucketed_shared(self) -> bool:
        from django.core.cache import caches

        cache = caches["shared"]
        known = cache.get("search:pg:bucketed")
        if known is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT obj_description('search_pg'::regclass, 'pg_class')")
                known = (cursor.fetchone() or (None,))[0] == self.BUCKETED
            cache.set("search:pg:bucketed", known, 86_400 if known else 60)
        return bool(known)

    def after_reindex(self) -> bool:
        """``check_buckets``, then forget what the caches held of the answer."""
        from django.core.cache import caches

        bucketed = self.check_buckets()
        caches["shared"].delete("search:pg:bucketed")
        search_memo_forget()
        return bucketed

    def check_buckets(self) -> bool:
        """Check that every row holds its time buckets, counting the rows twice in one snapshot
        (by the primary key, and by the coarsest level's lexemes: seconds at a million rows),
        and say in the table's comment whether they do. Returns whether they do. The database
        only (migration search.0004 runs it, when the cache may not be up)."""
        bits = BUCKET_BITS[-1]
        every = " | ".join(_bucket(bits, p) for p in range((1 << 31 >> bits) + 1))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM search_pg) = "
                "(SELECT count(*) FROM search_pg WHERE tsv @@ %s::tsquery)",
                [every],
            )
            bucketed = bool(cursor.fetchone()[0])
            note = f"'{self.BUCKETED}'" if bucketed else "NULL"
            cursor.execute(f"COMMENT ON TABLE search_pg IS {note}")
        return bucketed

    def _top_key(self) -> int:
        """A key above every row's: the newest row's or now, whichever is later, plus a
        period of the coarsest level (a future-dated import stays inside the buckets)."""
        newest = _remembered("newest", self._newest_key_shared)
        now = key_floor(timezone.now())
        return max(newest, now) + (1 << (KEY_SHIFT + BUCKET_BITS[-1]))

    @staticmethod
    def _newest_key_shared() -> int:
        from django.core.cache import caches

        cache = caches["shared"]
        newest = cache.get("search:pg:newest")
        if newest is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT max(rowkey) FROM search_pg")
                newest = (cursor.fetchone() or (None,))[0] or 0
            cache.set("search:pg:newest", newest, 600)
        return int(newest)

    def _idf(self, clauses: Sequence[Clause]) -> list[float]:
        """ln(1 + N / df) per clause, df from the planner's estimate (its lexeme statistics)."""
        total, _ = self._ladder()
        return [math.log(1 + max(total, 1) / max(1.0, self._estimate("tsv", self._tsquery([c]))))
                for c in clauses]  # fmt: skip

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_pg")
        self.after_reindex()  # an empty table holds no row without buckets

    # What a search reads: search_pg (its rows, their vectors in its TOAST table, its indexes)
    # and the articles' rows and primary key (counters, texts). Read with the pg_prewarm
    # extension into the operating system's page cache ('read': shared_buffers is usually far
    # smaller than the table), in steps of PREWARM_CHUNK.
    _PREWARMED = """
        WITH tables AS (SELECT 'search_pg'::regclass::oid AS oid
                        UNION ALL SELECT 'articles_article'::regclass::oid),
        relations AS (
            SELECT oid FROM tables
            UNION ALL SELECT i.indexrelid FROM pg_index i
                      WHERE i.indrelid = 'search_pg'::regclass OR (i.indrelid = 'articles_article'::regclass AND i.indisprimary)
            UNION ALL SELECT c.reltoastrelid FROM pg_class c WHERE c.oid = 'search_pg'::regclass AND c.reltoastrelid <> 0
            UNION ALL SELECT i.indexrelid FROM pg_index i JOIN pg_class c ON i.indrelid = c.reltoastrelid
                      WHERE c.oid = 'search_pg'::regclass
        )
        SELECT oid, pg_relation_size(oid) / current_setting('block_size')::int FROM relations
    """

    def _prewarm_relations(self) -> list[tuple[int, int]]:
        """(oid, blocks) of each relation a search reads."""
        with connection.cursor() as cursor:
            cursor.execute(self._PREWARMED)
            return [(int(oid), int(blocks)) for oid, blocks in cursor.fetchall()]

    def prewarm_size(self) -> int:
        return sum(blocks for _, blocks in self._prewarm_relations()) * self._block_size()

    @staticmethod
    def _block_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('block_size')::int")
            return int(cursor.fetchone()[0])

    def prewarm(self, progress: Callable[[int], object]) -> int:
        self._prewarm_extension()
        block = self._block_size()
        step = max(1, PREWARM_CHUNK // block)
        done = 0
        with connection.cursor() as cursor:
            for oid, blocks in self._prewarm_relations():
                for first in range(0, blocks, step):
                    last = min(blocks, first + step) - 1
                    cursor.execute("SELECT pg_prewarm(%s::regclass, 'read', 'main', %s, %s)",
                                   [oid, first, last])  # fmt: skip
                    read = int(cursor.fetchone()[0]) * block
                    done += read
                    progress(read)
        return done

    @staticmethod
    def _prewarm_extension() -> None:
        """pg_prewarm, created here if missing and this role may (it ships with PostgreSQL's
        contrib modules; creating it takes a superuser or the database's owner with it trusted)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm'")
            if cursor.fetchone():
                return
            try:
                with transaction.atomic():
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            except DatabaseError as error:
                raise SearchPrewarmError(PREWARM_NO_EXTENSION) from error


def _rows_newer(key: int, total: int, ladder: list[tuple[int, int]]) -> float:
    """About how many rows have a key at or above ``key``: interpolated between the ladder's
    steps (n rows from the newest, their key), the keys taken as evenly spread between them."""
    newer, newer_key = 0, None
    for n, step_key in ladder:
        if step_key <= key:
            if newer_key is None or newer_key == step_key:
                return float(n)
            return newer + (n - newer) * (newer_key - key) / (newer_key - step_key)
        newer, newer_key = n, step_key
    return float(total)


_ESTIMATES: dict[tuple[str, str], tuple[float, float]] = {}
# What every search on PostgreSQL reads from the shared cache (the ladder, the buckets mark, the
# newest key), kept by this process for half a minute as well: one cache read is about a third
# of a millisecond here, and a search made five.
_REMEMBERED: dict[str, tuple[object, float]] = {}
REMEMBER_SECONDS = 30.0


def _remembered(name: str, compute: Callable[[], _T]) -> _T:
    now = time.monotonic()
    found = _REMEMBERED.get(name)
    if found is not None and now - found[1] < REMEMBER_SECONDS:
        return found[0]  # type: ignore[return-value]
    value = compute()
    _REMEMBERED[name] = (value, now)
    return value


def search_memo_forget() -> None:
    """Forget what this process remembers of the index (tests; a check that changed it)."""
    _REMEMBERED.clear()


_DOC_FREQS: dict[str, tuple[int, float]] = {}


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


@dataclass(frozen=True)
class Batch:
    """What indexing read of some articles: their ids, the live ones' rows and index entries."""

    ids: list[int]
    live: dict[int, tuple]  # type: ignore[type-arg]
    existing: dict[int, int | None]

    @property
    def texts(self) -> list[Texts]:
        return [(row[5], row[6], row[7], row[8]) for row in self.live.values()]


def batch_read(article_ids: Sequence[int]) -> Batch:
    ids = sorted(set(article_ids))
    rows = Article.objects.filter(pk__in=ids).order_by().values_list(*INDEX_FIELDS)
    existing = dict(
        SearchDocument.objects.filter(article_id__in=ids).values_list("article_id", "rowkey")
    )
    live = {row[0]: row for row in rows
            if row[1] == Article.Status.PUBLISHED and row[2] is None and row[3] is not None}  # fmt: skip
    return Batch(ids, live, existing)


def batch_write(batch: Batch, fields: Sequence[Fields], prepared: Sequence[Prepared] = ()) -> int:
    """Write a read batch with its segmented fields (in the order of ``batch.texts``) and, if
    built elsewhere, the store's ``prepare`` of each."""
    now = timezone.now()
    engine = store()
    docs: list[Doc] = []
    models: list[SearchDocument] = []
    replacing: list[int] = []
    stale: list[int] = []
    built = list(prepared) or [None] * len(fields)
    for (pk, row), (title_words, body_words, tag_words), ready in zip(
        batch.live.items(), fields, built, strict=True
    ):
        _, _, _, published, updated, _, _, _, _, creator, channel = row
        key, old = rowkey_of(published, pk), batch.existing.get(pk)
        if old is not None:
            (replacing if old == key else stale).append(old)  # stale: republished at another time
        facets = f"{facet_channel(channel)} {facet_creator(creator)}"
        docs.append(Doc(key, title_words, body_words, tag_words, facets, ready))
        models.append(SearchDocument(
            article_id=pk, rowkey=key, creator_id=creator, channel_id=channel,
            published_at=published, source_updated_at=updated, dirty=False, indexed_at=now,
        ))  # fmt: skip
    gone = [key for pk, key in batch.existing.items() if pk not in batch.live and key is not None]
    with transaction.atomic():
        if gone or stale:
            engine.delete([*gone, *stale])
        offline = [pk for pk in batch.ids if pk not in batch.live]
        if offline:
            SearchDocument.objects.filter(article_id__in=offline).delete()
        if models:
            engine.write(docs, replacing=replacing)
            SearchDocument.objects.bulk_create(
                models, update_conflicts=True, unique_fields=["article_id"],
                update_fields=["rowkey", "creator_id", "channel_id", "published_at",
                               "source_updated_at", "dirty", "indexed_at"],
            )  # fmt: skip
    return len(batch.live)


def index_articles(article_ids: Sequence[int], *, seg: Segmenter | None = None,
                   fields_of: FieldsOf | None = None) -> int:  # fmt: skip
    """Index these articles as they are now (drop those offline); returns how many are indexed.
    ``fields_of`` segments a batch (by default here, with ``seg``)."""
    seg = seg or current_segmenter()
    batch = batch_read(article_ids)
    texts = batch.texts
    fields = fields_of(texts) if fields_of else [doc_fields(t, seg) for t in texts]
    return batch_write(batch, fields)


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
    """log10(1 + views + 5 × (likes + comments + shares + favourites)) of each article. One plain
    statement: building the ORM's query cost more than running it (about 1 ms a search)."""
    ids = list(article_ids)
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        "SELECT id, view_count, like_count, comment_count, share_count, favorite_count "  # noqa: S608
        f"FROM {Article._meta.db_table} WHERE id IN ({marks})"
    )  # the table's name and placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
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

    def dirty_ids(self, *, limit: int) -> list[int]:
        rows = SearchDocument.objects.filter(dirty=True).order_by("article_id")
        return list(rows.values_list("article_id", flat=True)[:limit])

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
        title_limit = engine.TITLE_CANDIDATES
        if len(matches) >= limit and title_limit:  # more matches than candidates: titles' join them
            for m in engine.match(parsed.clauses, facets=facets, low=low, high=high,
                                  limit=title_limit, title_only=True):  # fmt: skip
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
