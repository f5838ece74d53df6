"""Keyset pagination: one Page type and one cursor format for every list. Never OFFSET.

A list is ordered by a ``Keyset``: one or more key columns and then the primary
key, all in one direction: newest first by (published_at, id), (created_at, id)
or (read_at, id), by (reply_count, id), or by id alone, either way.

A page is addressed by where it starts, not by its number: ``?after=C`` is the
page of items that follow cursor C in the list's order, ``?before=C`` the page
that precedes it, and ``?page=last`` the final items. Each costs one index
range scan of ``size + 1`` rows, so the last page of an account with a million
articles is as cheap as its first.

A cursor is the key of the item at a page's edge: base64url, unpadded, of a
compact JSON array of its key values and then its pk. An int is a JSON number,
a string a JSON string, and a datetime ``{"t": "<ISO 8601 in UTC>"}``:
``[{"t":"2025-05-01T08:00:00+00:00"},42]`` for (published_at, id), ``[3,42]``
for (reply_count, id), ``[42]`` for id alone. A cursor that does not decode,
or whose values do not fit the list's key, is an InvalidCursorError.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from zixun.core.errors import ServiceError

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")

INVALID_CURSOR = _("分页参数无效，请从第一页重新浏览")

CursorValue = datetime | int | str

# A cursor is short: a few key values and a pk. Anything longer is not one of ours.
MAX_CURSOR_LENGTH = 400
_MAX_KEY_VALUES = 4
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_BIGINT = 2**63  # a key value or pk must fit a 64-bit column on every database


class InvalidCursorError(ServiceError):
    pass


@dataclass(frozen=True, init=False)
class Cursor:
    """The position of one item in a list: its key values, then its pk."""

    key: tuple[CursorValue, ...]
    pk: int

    def __init__(
        self,
        key: CursorValue | tuple[CursorValue, ...] = (),
        pk: int = 0,
        *,
        published_at: datetime | None = None,
    ) -> None:
        # A single value is a one-field key: ``Cursor(t, pk)``. ``published_at=`` spells the
        # article lists' key by name, as the bench scripts build their middle-page cursor.
        if published_at is not None:
            key = (published_at,)
        object.__setattr__(self, "key", key if isinstance(key, tuple) else (key,))
        object.__setattr__(self, "pk", pk)

    def encode(self) -> str:
        values = [_dump(value) for value in self.key]
        raw = json.dumps([*values, self.pk], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """The cursor in ``value``; InvalidCursorError for anything else."""
        try:
            if len(value) > MAX_CURSOR_LENGTH or not _BASE64URL.fullmatch(value):
                raise ValueError(value)
            padded = value + "=" * (-len(value) % 4)
            array = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
            if not isinstance(array, list) or not 1 <= len(array) <= _MAX_KEY_VALUES + 1:
                raise ValueError(value)
            *key, pk = array
            if not _is_int(pk) or not 0 < pk < _BIGINT:
                raise ValueError(value)
            return cls(tuple(_load(item) for item in key), pk)
        except (ValueError, TypeError, OverflowError, UnicodeError, binascii.Error) as error:
            raise InvalidCursorError(INVALID_CURSOR) from error

    @classmethod
    def of(cls, item: Any, keyset: Keyset | None = None) -> Cursor:
        """The cursor of ``item`` in a list ordered by ``keyset`` (by default by published_at)."""
        keyset = keyset or BY_PUBLISHED
        return cls(tuple(getattr(item, name) for name in keyset.fields), item.pk)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _dump(value: CursorValue) -> object:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime in a cursor: {value}")
        return {"t": value.astimezone(UTC).isoformat()}
    return value


def _load(value: object) -> CursorValue:
    """One key value from its JSON form, checked so that a query with it cannot fail."""
    if _is_int(value):
        assert isinstance(value, int)
        if not -_BIGINT <= value < _BIGINT:
            raise ValueError(value)
        return value
    if isinstance(value, str):
        if "\x00" in value:  # PostgreSQL text cannot hold NUL
            raise ValueError(value)
        return value
    if isinstance(value, dict) and list(value) == ["t"] and isinstance(value["t"], str):
        stamp = datetime.fromisoformat(value["t"])
        if stamp.tzinfo is None:
            raise ValueError(value)
        return stamp.astimezone(UTC)
    raise ValueError(value)


@dataclass(frozen=True)
class Keyset:
    """The order of a list: key fields, then the pk, all ascending or all descending.

    ``types`` are the key fields' value types; a cursor whose values are of other
    types (another list's, or tampered with) is refused. Key fields must be NOT NULL.
    """

    fields: tuple[str, ...] = ()
    types: tuple[type, ...] = ()
    descending: bool = True

    def __post_init__(self) -> None:
        if len(self.fields) != len(self.types) or len(self.fields) > _MAX_KEY_VALUES:
            raise ValueError(f"a keyset needs one type per field: {self}")

    def order(self, *, reverse: bool = False) -> tuple[str, ...]:
        """``order_by`` arguments for the list's order (or the opposite one)."""
        sign = "-" if self.descending != reverse else ""
        return tuple(f"{sign}{name}" for name in (*self.fields, "pk"))

    def check(self, cursor: Cursor) -> Cursor:
        """``cursor`` if its values fit this keyset, else InvalidCursorError."""
        fits = len(cursor.key) == len(self.types) and all(
            isinstance(value, kind) and (kind is not int or _is_int(value))
            for value, kind in zip(cursor.key, self.types, strict=True)
        )
        if not fits:
            raise InvalidCursorError(INVALID_CURSOR)
        return cursor

    def beyond(self, cursor: Cursor, *, reverse: bool = False) -> models.Q:
        """The rows past ``cursor`` in the list's order (or the opposite one).

        Each field's first term bounds the index range scan and the rest only
        drop the ties at the cursor; a plain OR would make PostgreSQL filter
        from the start of the index instead of seeking to the cursor.
        """
        self.check(cursor)
        op = "lt" if self.descending != reverse else "gt"
        names, values = (*self.fields, "pk"), (*cursor.key, cursor.pk)
        bound = models.Q(**{f"pk__{op}": cursor.pk})
        for name, value in zip(names[-2::-1], values[-2::-1], strict=True):
            bound = models.Q(**{f"{name}__{op}e": value}) & (
                models.Q(**{f"{name}__{op}": value}) | bound
            )
        return bound


# The article lists: newest first by (published_at, id).
BY_PUBLISHED = Keyset(("published_at",), (datetime,))
NEWEST_FIRST = BY_PUBLISHED.order()
OLDEST_FIRST = BY_PUBLISHED.order(reverse=True)


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
class Page(Generic[T]):
    """One page of any list, in the list's order.

    ``next`` is the ``?after=`` cursor of the page that follows (None on the
    last page), ``previous`` the ``?before=`` cursor of the page that precedes
    it (None on the first page).
    """

    items: list[T]
    next: str | None
    previous: str | None

    @property
    def has_next(self) -> bool:
        return self.next is not None

    @property
    def has_previous(self) -> bool:
        return self.previous is not None

    @classmethod
    def empty(cls) -> Page[T]:
        return cls(items=[], next=None, previous=None)


def keyset_window(
    request: PageRequest, keyset: Keyset = BY_PUBLISHED
) -> tuple[models.Q, tuple[str, ...]]:
    """The rows a page may come from, and the order to scan them in."""
    if request.after:
        return keyset.beyond(request.after), keyset.order()
    if request.before:
        return keyset.beyond(request.before, reverse=True), keyset.order(reverse=True)
    return models.Q(), keyset.order(reverse=request.last)


def keyset_page(
    queryset: models.QuerySet[M],
    request: PageRequest,
    size: int,
    keyset: Keyset = BY_PUBLISHED,
) -> Page[M]:
    """One page of ``queryset`` in ``keyset``'s order: one query of ``size + 1`` rows."""
    bound, order = keyset_window(request, keyset)
    rows = list(queryset.filter(bound).order_by(*order)[: size + 1])
    items, more = rows[:size], len(rows) > size
    if request.before or request.last:
        # Scanned backwards from the cursor (or the end): put them back in list order.
        return _page(items[::-1], keyset, has_next=bool(request.before), has_previous=more)
    return _page(items, keyset, has_next=more, has_previous=bool(request.after))


def _page(items: list[M], keyset: Keyset, *, has_next: bool, has_previous: bool) -> Page[M]:
    if not items:
        return Page.empty()
    return Page(
        items=items,
        next=Cursor.of(items[-1], keyset).encode() if has_next else None,
        previous=Cursor.of(items[0], keyset).encode() if has_previous else None,
    )
