"""The search interface: what the article pipeline and the pages call, whatever the engine.

The engine (SQLite FTS5, PostgreSQL full text, OpenSearch) lives in the search app,
above the domain apps, and is chosen by ZIXUN_SEARCH_BACKEND (a dotted path to a
class). The pipeline in the articles app calls ``search_backend().index(...)``
after each change without importing the search app, so the layers stay one-way
(docs/architecture.md, "Where the next apps go"). Until the search issue lands,
the Null backend indexes nothing and finds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SearchQuery:
    text: str
    channel_slug: str = ""
    creator_id: int | None = None
    after: str = ""  # the cursor of the page to continue from (core/pagination format)
    size: int = 20


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    score: float
    snippet: str = ""  # HTML-escaped text with <mark> around the matched words


@dataclass(frozen=True)
class SearchResults:
    hits: Sequence[SearchHit] = field(default_factory=tuple)
    next_cursor: str = ""


class SearchBackend(Protocol):
    def index(self, *, article_ids: Sequence[int]) -> None:
        """(Re)index these articles as they are now; drop those no longer published."""

    def query(self, query: SearchQuery) -> SearchResults:
        """The published articles matching ``query``, best first."""


class NullSearchBackend:
    """Indexes nothing and finds nothing: the default until a real engine is configured."""

    def index(self, *, article_ids: Sequence[int]) -> None:
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
