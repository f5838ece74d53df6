"""Keyset pagination over (published_at, id), newest first. Never OFFSET.

A page is addressed by where it starts, not by its number: ``?after=C`` is the
page of items older than cursor C, ``?before=C`` the page newer than C, and
``?page=last`` the oldest items. Each costs one index range scan of
``size + 1`` rows, so the last page of an account with a million articles is
as cheap as its first.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from zixun.core.errors import ServiceError

M = TypeVar("M", bound=models.Model)

INVALID_CURSOR = _("分页参数无效，请从第一页重新浏览")


class InvalidCursorError(ServiceError):
    pass


@dataclass(frozen=True)
class Cursor:
    published_at: datetime
    pk: int

    def encode(self) -> str:
        raw = f"{self.published_at.isoformat()}|{self.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        try:
            padded = value + "=" * (-len(value) % 4)
            stamp, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
            published_at = datetime.fromisoformat(stamp)
            if published_at.tzinfo is None or int(pk) < 1:
                raise ValueError(value)
            return cls(published_at=published_at, pk=int(pk))
        except (ValueError, UnicodeError, binascii.Error) as error:
            raise InvalidCursorError(INVALID_CURSOR) from error

    @classmethod
    def of(cls, item: Any) -> Cursor:
        return cls(published_at=item.published_at, pk=item.pk)


@dataclass(frozen=True)
class PageRequest:
    """What the reader asked for: a start (after/before a cursor), the first or the last page."""

    after: Cursor | None = None
    before: Cursor | None = None
    last: bool = False

    @classmethod
    def from_query(cls, query: QueryDict) -> PageRequest:
        if after := query.get("after"):
            return cls(after=Cursor.decode(after))
        if before := query.get("before"):
            return cls(before=Cursor.decode(before))
        if query.get("page") == "last":
            return cls(last=True)
        if query.get("page") not in (None, "", "first"):
            raise InvalidCursorError(INVALID_CURSOR)
        return cls()


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    # Cursor for the page of older items (None on the last page) and of newer
    # items (None on the first page).
    older: str | None
    newer: str | None

    @property
    def is_first(self) -> bool:
        return self.newer is None

    @property
    def is_last(self) -> bool:
        return self.older is None


NEWEST_FIRST = ("-published_at", "-pk")
OLDEST_FIRST = ("published_at", "pk")


def keyset_window(request: PageRequest) -> tuple[models.Q, tuple[str, str]]:
    """The rows a page may come from, and the order to scan them in.

    For a cursor the first term bounds the index range scan and the second only
    drops the ties at the cursor; a plain OR would make PostgreSQL filter from
    the start of the index instead of seeking to the cursor.
    """
    if request.after:
        c = request.after
        bound = models.Q(published_at__lte=c.published_at) & (
            models.Q(published_at__lt=c.published_at) | models.Q(pk__lt=c.pk)
        )
        return bound, NEWEST_FIRST
    if request.before:
        c = request.before
        bound = models.Q(published_at__gte=c.published_at) & (
            models.Q(published_at__gt=c.published_at) | models.Q(pk__gt=c.pk)
        )
        return bound, OLDEST_FIRST
    return models.Q(), OLDEST_FIRST if request.last else NEWEST_FIRST


def keyset_page(queryset: models.QuerySet[M], request: PageRequest, size: int) -> Page[M]:
    """One page of ``queryset`` ordered newest first by (published_at, id)."""
    bound, order = keyset_window(request)
    if request.after:
        rows = list(queryset.filter(bound).order_by(*order)[: size + 1])
        items, has_more = rows[:size], len(rows) > size
        return _page(items, older_exists=has_more, newer_exists=True)
    if request.before or request.last:
        rows = list(queryset.filter(bound).order_by(*order)[: size + 1])
        items, has_more = rows[:size][::-1], len(rows) > size
        return _page(items, older_exists=bool(request.before), newer_exists=has_more)
    rows = list(queryset.order_by(*order)[: size + 1])
    return _page(rows[:size], older_exists=len(rows) > size, newer_exists=False)


def _page(items: list[M], *, older_exists: bool, newer_exists: bool) -> Page[M]:
    if not items:
        return Page(items=[], older=None, newer=None)
    return Page(
        items=items,
        older=Cursor.of(items[-1]).encode() if older_exists else None,
        newer=Cursor.of(items[0]).encode() if newer_exists else None,
    )
