"""相关推荐 on the site: the similarity engine (zixun/ranking/similar.py) backed by the
database, run when an article is published, edited or goes offline, never at render.

``related_compute`` (re)indexes the article's terms (title and the start of its body,
segmented by rjieba), finds its nearest published articles, drops the article
itself and reprints, spreads the list over topics (MMR), prefers fresh articles, and
stores the ids; the article page reads one row. The four nearest neighbours get
their lists recomputed too, so that a new article appears beside older ones.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from zixun.articles.models import Article
from zixun.articles.selectors import article_published_ids
from zixun.core.sqlmemo import memo_rows
from zixun.ranking.models import (
    IngestCursor,
    RelatedEmbedding,
    RelatedList,
    RelatedModel,
    RelatedPosting,
    TermStat,
)
from zixun.ranking.semantic import TOPIC_PREFIX, Floats, TermVectors, learn
from zixun.ranking.similar import related, stored_weights
from zixun.ranking.text import terms

RELATED_SIZE = 8
NEIGHBOURS_REFRESHED = 4
TERM_MAX = 40  # longer terms are not indexed
FRESHNESS_DAYS = 90.0  # an article this old counts half as much as a new one
DOCUMENTS = ""  # the TermStat row that counts indexed articles


class DatabaseIndex:
    """The engine's Index over RelatedPosting and TermStat: one query per method."""

    def doc_count(self) -> int:
        return TermStat.objects.filter(term=DOCUMENTS).values_list("df", flat=True).first() or 0

    def doc_freqs(self, terms: Collection[str]) -> dict[str, int]:
        return dict(TermStat.objects.filter(term__in=list(terms)).values_list("term", "df"))

    def postings(self, terms: Collection[str], per_term: int) -> dict[str, list[tuple[int, float]]]:
        """One UNION ALL of per-term index range scans, each bounded by ``per_term``."""
        chosen = sorted(terms)
        out: dict[str, list[tuple[int, float]]] = {t: [] for t in chosen}
        if not chosen:
            return out
        sql = _newest_postings_sql(len(chosen), per_term, "term, article_id, weight")
        with connection.cursor() as cursor:
            cursor.execute(sql, chosen)
            for term, article_id, weight in cursor.fetchall():
                out[term].append((article_id, weight))
        return out

    def scores(
        self, factors: Mapping[str, float], per_term: int, count: int
    ) -> list[tuple[int, float]]:
        """The per-term range scans of :meth:`postings`, each row times its term's factor,
        summed per article and the best ``count`` kept, in one statement: the database sums
        the ~15,000 postings of a long article, Python only sees the answer."""
        chosen = sorted(factors)
        if not chosen or count <= 0:
            return []
        union = _newest_postings_sql(len(chosen), per_term, "article_id, weight * %s AS s")
        sql = (
            f"SELECT article_id, SUM(s) AS score FROM ({union}) AS hits "  # noqa: S608
            f"GROUP BY article_id ORDER BY score DESC, article_id DESC LIMIT {int(count)}"
        )
        params: list[float | str] = []
        for term in chosen:  # each part's factor (in its select list), then its term
            params += [float(factors[term]), term]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(article_id), float(score)) for article_id, score in cursor.fetchall()]

    def model(self) -> TermVectors | None:
        """The newest learned model (``zixun related-learn``), or None: word matching alone."""
        return model_current()

    def embeddings(self, doc_ids: Collection[int]) -> dict[int, Floats]:
        model_id = _MODEL.get("id")
        if model_id is None:
            return {}
        rows = RelatedEmbedding.objects.filter(article_id__in=list(doc_ids), model_id=int(model_id))
        return {pk: np.frombuffer(bytes(blob), dtype=np.float32)
                for pk, blob in rows.values_list("article_id", "vector")}  # fmt: skip

    def vectors(self, doc_ids: Collection[int]) -> dict[int, dict[str, float]]:
        """The stored term weights (a topic posting, "#<n>", is not a term). One plain
        cursor read: the ORM's rows cost more than the query here."""
        out: dict[int, dict[str, float]] = {}
        ids = list(doc_ids)
        if not ids:
            return out
        table = RelatedPosting._meta.db_table
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT article_id, term, weight FROM {table} WHERE article_id IN ({marks})",  # noqa: S608
                ids,
            )
            for article_id, term, weight in cursor.fetchall():
                if not term.startswith(TOPIC_PREFIX):
                    out.setdefault(article_id, {})[term] = weight
        return out


def _newest_postings_sql(terms: int, per_term: int, columns: str) -> str:
    """A UNION ALL of ``terms`` index range scans, each the ``per_term`` newest postings of one
    term (a parameter) with ``columns`` selected from them. Only the table name, the fixed
    column lists and ints are formatted in."""
    table = RelatedPosting._meta.db_table
    part = (
        f"SELECT {columns} FROM (SELECT term, article_id, weight FROM {table} WHERE term = %s "  # noqa: S608
        f"ORDER BY article_id DESC LIMIT {int(per_term)}) AS p{{}}"
    )
    return " UNION ALL ".join(part.format(i) for i in range(terms))


_MODEL: dict[str, Any] = {}
MODEL_CHECK_SECONDS = 60


def model_current() -> TermVectors | None:
    """The newest RelatedModel, loaded once per process; its id is looked up again at most once
    a minute, so a newly learned model reaches every process within a minute."""
    now = time.monotonic()
    if now - _MODEL.get("checked", -math.inf) > MODEL_CHECK_SECONDS:
        newest = RelatedModel.objects.order_by("-id").values_list("id", flat=True).first()
        _MODEL["checked"] = now
        if newest != _MODEL.get("id"):
            blob = None
            if newest is not None:
                blob = RelatedModel.objects.filter(pk=newest).values_list("blob", flat=True).first()
            _MODEL["id"] = newest
            _MODEL["model"] = TermVectors.loads(bytes(blob)) if blob is not None else None
    model: TermVectors | None = _MODEL.get("model")
    return model


def model_forget() -> None:
    """Look the model up again at the next use (tests, and after learning one here)."""
    _MODEL.clear()


def _published(article_id: int) -> Article | None:
    return Article.objects.filter(
        pk=article_id, status=Article.Status.PUBLISHED, deleted_at__isnull=True
    ).first()


def _count(terms: Collection[str], step: int) -> None:
    if not terms:
        return
    existing = set(TermStat.objects.filter(term__in=list(terms)).values_list("term", flat=True))
    TermStat.objects.bulk_create([TermStat(term=t, df=0) for t in terms if t not in existing],
                                 ignore_conflicts=True)  # fmt: skip
    TermStat.objects.filter(term__in=list(terms)).update(df=F("df") + step)


@transaction.atomic
def article_index(article_id: int) -> dict[str, float]:
    """Replace the article's postings with those of its current text (none if it is not
    published) and keep the term counts in step; returns its raw terms."""
    # One writer per article at a time: the row lock serialises two reindexings.
    RelatedList.objects.get_or_create(article_id=article_id)
    list(RelatedList.objects.select_for_update().filter(article_id=article_id))
    old = list(RelatedPosting.objects.filter(article_id=article_id).values_list("term", flat=True))
    if old:
        RelatedPosting.objects.filter(article_id=article_id).delete()
        _count([*[t for t in old if not t.startswith(TOPIC_PREFIX)], DOCUMENTS], -1)
    RelatedEmbedding.objects.filter(article_id=article_id).delete()
    article = _published(article_id)
    if article is None:
        return {}
    raw = terms(article.title, article.body_text)
    stored = {t: w for t, w in stored_weights(raw).items() if 0 < len(t) <= TERM_MAX}
    if not stored:
        return {}
    postings = [RelatedPosting(term=t, article_id=article_id, weight=w) for t, w in stored.items()]
    model = model_current()
    vector = model.embed(stored) if model is not None else None
    if model is not None and vector is not None:  # its vector, and a posting under its topic
        postings.append(RelatedPosting(term=model.topic(vector), article_id=article_id, weight=0.0))
        RelatedEmbedding.objects.create(article_id=article_id, model_id=_MODEL["id"],
                                        vector=vector.astype(np.float32).tobytes())  # fmt: skip
    RelatedPosting.objects.bulk_create(postings)
    _count([*stored, DOCUMENTS], +1)
    return raw


def related_learn(
    *, progress: Callable[[int], object] | None = None, batch: int = 2000
) -> RelatedModel | None:
    """Learn term vectors from every indexed article's stored weights and save them as the model
    in use (None when there are too few articles). Re-index afterwards (``related-rebuild
    --reset``): articles get their vectors and topic postings under the new model."""
    docs: list[dict[str, float]] = []
    last = 0
    index = DatabaseIndex()
    while True:
        ids = list(RelatedList.objects.filter(article_id__gt=last).order_by("article_id")
                   .values_list("article_id", flat=True)[:batch])  # fmt: skip
        if not ids:
            break
        docs.extend(index.vectors(ids).values())
        last = ids[-1]
        if progress:
            progress(len(ids))
    learned = learn(docs)
    if learned is None:
        return None
    saved = RelatedModel.objects.create(documents=learned.documents, blob=learned.dumps())
    model_forget()
    return saved


def _fresh(found: list[tuple[int, float]]) -> list[int]:
    """Scores times 1 / (1 + age / FRESHNESS_DAYS), best first, offline articles left out."""
    live = article_published_ids(ids=[a for a, _ in found])
    published = dict(Article.objects.filter(pk__in=live).values_list("pk", "published_at"))
    now = timezone.now()

    def weight(item: tuple[int, float]) -> float:
        at = published[item[0]]
        days = max((now - at).total_seconds() / 86400.0, 0.0) if at else FRESHNESS_DAYS
        return item[1] / (1.0 + days / FRESHNESS_DAYS)

    kept = [item for item in found if item[0] in published]
    return [a for a, _ in sorted(kept, key=lambda item: (-weight(item), -item[0]))]


def related_compute(article_id: int, *, neighbours: bool = True, index: bool = True) -> list[int]:
    """Index the article and store its 相关推荐; an article gone offline leaves the index
    and its list is emptied. Returns the ids stored.

    Two short transactions whatever the neighbours: the index update, then every list stored
    at once (each commit waits for the disk: six commits cost more than the searches). The
    searches run between them, holding no lock."""
    raw = article_index(article_id) if index else _raw_terms(article_id)
    lists = {article_id: _nearest_ids(article_id, raw)}
    if neighbours:
        for other in lists[article_id][:NEIGHBOURS_REFRESHED]:
            lists[other] = _nearest_ids(other, _raw_terms(other))
    with transaction.atomic():
        for key, ids in lists.items():
            if ids:
                RelatedList.objects.update_or_create(article_id=key, defaults={"related_ids": ids})
            else:
                RelatedList.objects.filter(article_id=key).update(related_ids=[])
    return lists[article_id]


def _nearest_ids(article_id: int, raw: dict[str, float]) -> list[int]:
    """The article's 相关推荐 from its raw terms: nearest, reprints out, diverse, fresh first."""
    if not raw:
        return []
    found = related(raw, DatabaseIndex(), k=RELATED_SIZE * 2, exclude={article_id})
    return _fresh(found)[:RELATED_SIZE]


def _raw_terms(article_id: int) -> dict[str, float]:
    article = _published(article_id)
    return terms(article.title, article.body_text) if article else {}


def related_rebuild(*, reset: bool = False, progress: Callable[[int], object] | None = None,
                    batch: int = 500) -> tuple[int, int]:  # fmt: skip
    """Index every published article, then compute every list: resumable (a cursor per
    pass, in IngestCursor), so an interrupted run goes on where it stopped. Returns
    (articles indexed, lists computed) by this run."""
    if reset:
        IngestCursor.objects.filter(name__in=["related-index", "related-lists"]).delete()
    done = [0, 0]
    for step, name in enumerate(("related-index", "related-lists")):
        cursor, _ = IngestCursor.objects.get_or_create(name=name)
        while True:
            ids = list(
                Article.objects.filter(
                    pk__gt=cursor.last_id, status=Article.Status.PUBLISHED,
                    deleted_at__isnull=True,
                ).order_by("pk").values_list("pk", flat=True)[:batch]
            )  # fmt: skip
            if not ids:
                break
            for article_id in ids:
                if step == 0:
                    article_index(article_id)
                else:
                    related_compute(article_id, neighbours=False, index=False)
            cursor.last_id = ids[-1]
            cursor.save(update_fields=["last_id"])
            done[step] += len(ids)
            if progress:
                progress(len(ids))
    return done[0], done[1]


def _related_row(article_id: int) -> QuerySet[RelatedList, tuple[Any]]:
    return (
        RelatedList.objects.filter(article_id=article_id).order_by().values_list("related_ids")[:1]
    )


def related_ids_of(article_id: int) -> list[int]:
    """The stored 相关推荐 of an article (read by the article page: compiled once, sqlmemo)."""
    rows = memo_rows(_related_row, article_id)
    return list(rows[0][0]) if rows and rows[0][0] else []
