"""The search interface: what the article pipeline and the pages call, whatever the engine.

The engine (SQLite FTS5, PostgreSQL full text, OpenSearch) lives in the search app,
above the domain apps, and is chosen by ZIXUN_SEARCH_BACKEND (a dotted path to a
class). The pipeline in the articles app calls ``search_backend().index(...)``
after each change without importing the search app, so the layers stay one-way
(docs/architecture.md, "Where the next apps go"). The default is the
search app's ``DatabaseSearch`` (FTS5 on SQLite, full text on PostgreSQL); the Null backend
turns search off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SearchQuery:
    text: str
    channel_id: int | None = None
    creator_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    order: str = "relevance"  # or "newest"
    after: str = ""  # the cursor of the page to continue from (an opaque string)
    size: int = 10


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    score: float
    title: str = ""  # HTML-escaped title with <mark> around the matched words
    snippet: str = ""  # likewise, a passage of the body around the matches


@dataclass(frozen=True)
class SearchResults:
    hits: Sequence[SearchHit] = field(default_factory=tuple)
    next_cursor: str = ""
    query: str = ""  # the query as the engine understood it (folded), "" if nothing to search


class SearchBackend(Protocol):
    def mark_dirty(self, *, article_ids: Sequence[int]) -> None:
        """Called inside the transaction of a change: these articles need indexing again."""

    def index(self, *, article_ids: Sequence[int]) -> None:
        """(Re)index these articles as they are now; drop those no longer published."""

    def dirty_ids(self, *, limit: int) -> list[int]:
        """Articles marked by a change whose follow-up has not finished yet, up to ``limit``."""

    def index_creators(self, *, creator_ids: Sequence[int]) -> None:
        """(Re)index these accounts' names (for matching by name and pinyin)."""

    def query(self, query: SearchQuery) -> SearchResults:
        """The published articles matching ``query``, best first. Raises ServiceError (e.g.
        InvalidCursorError) with a message for the reader on input it cannot use."""


class NullSearchBackend:
    """Indexes nothing and finds nothing."""

    def mark_dirty(self, *, article_ids: Sequence[int]) -> None:
        return None

    def index(self, *, article_ids: Sequence[int]) -> None:
        return None

    def dirty_ids(self, *, limit: int) -> list[int]:
        return []

    def index_creators(self, *, creator_ids: Sequence[int]) -> None:
        return None

    def query(self, query: SearchQuery) -> SearchResults:
        return SearchResults()


@cache
def _backend(path: str) -> SearchBackend:
    backend: SearchBackend = import_string(path)()
    return backend


def search_backend() -> SearchBackend:
    """The configured backend (ZIXUN_SEARCH_BACKEND), one instance per process."""
    return _backend(settings.ZIXUN_SEARCH_BACKEND)
