"""The search app's tables. The full-text index itself is one more table per engine, made by
the migrations: ``search_fts`` (an FTS5 virtual table, SQLite) or ``search_pg`` (a tsvector
with a GIN index, PostgreSQL), keyed by :attr:`SearchDocument.rowkey`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zixun.core.models import BaseModel


class SearchDocument(models.Model):
    """One indexed article: where it is in the index and what it was indexed from."""

    article_id = models.BigIntegerField(primary_key=True)
    # The index's row key: publication time (seconds) × 2**20 + the article id's low bits, so that
    # key order is publication order (newest first is a backwards scan, a time range a key range).
    rowkey = models.BigIntegerField(null=True, unique=True)
    creator_id = models.BigIntegerField()
    channel_id = models.BigIntegerField()
    published_at = models.DateTimeField(null=True)
    source_updated_at = models.DateTimeField(null=True)  # the article's updated_at when indexed
    # Set in the transaction of a change (search_backend().mark_dirty), cleared once indexed:
    # what a crash between the two leaves behind, for ``zixun search-reindex --dirty``.
    dirty = models.BooleanField(default=False)
    indexed_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["dirty"], condition=models.Q(dirty=True), name="search_doc_dirty")
        ]

    def __str__(self) -> str:
        return f"article {self.article_id}"


class SearchAccount(models.Model):
    """An account's name as search matches it: folded, and by full pinyin and initials."""

    creator_id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=100)
    folded = models.CharField(max_length=100, db_index=True)
    pinyin = models.CharField(max_length=400, db_index=True)
    initials = models.CharField(max_length=100, db_index=True)
    followers = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class SearchWord(BaseModel):
    """A word operators added to the segmenter's dictionary (new names and terms)."""

    word = models.CharField(max_length=40, unique=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class QueryCount(models.Model):
    """How many distinct readers searched a (folded) query in an hour: the source of 热搜."""

    query = models.CharField(max_length=100)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    found = models.BooleanField(default=True)  # the last search for it found something

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hour", "query"], name="search_query_hour")]

    def __str__(self) -> str:
        return f"{self.query} @ {self.hour:%Y-%m-%d %H}"


class SearchIntervention(BaseModel):
    """An editor's pin or removal on 热搜, public on the 热搜说明 page."""

    class Action(models.TextChoices):
        PIN = "pin", _("置顶")
        REMOVE = "remove", _("移出")

    query = models.CharField(max_length=100)
    action = models.CharField(max_length=10, choices=Action.choices)
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["query"], condition=models.Q(ended_at__isnull=True),
                name="search_intervention_one_active",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.query}"
