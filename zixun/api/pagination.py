"""Cursor pagination of the API's lists: ``?cursor=…&limit=…`` answers
``{"items": [...], "next_cursor": "…" | null}``.

The lists page forward only, on the keyset pages of zixun/core/pagination.py (one
index range scan a page, never OFFSET). An API cursor is opaque to clients: the
core cursor of the page's last item, tagged with the list it belongs to
(``<list>.<core cursor>``), so that a cursor of one list given to another (the
comments' to the articles, a search's to the latest) or anything made up is a 400
``invalid_cursor`` problem, never a 500 or a page of something else.

An endpoint takes ``page: Query[PageParams]`` and answers with
``page_response(...)``::

    page = article_list_latest(page=page_request("articles", params.cursor),
                               size=params.limit)
    return {"items": [...], "next_cursor": next_cursor("articles", page)}
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from zixun.api.problems import Problem, problem
from zixun.core.pagination import (
    INVALID_CURSOR,
    MAX_CURSOR_LENGTH,
    Cursor,
    InvalidCursorError,
    Page,
    PageRequest,
)

LIMIT_DEFAULT = 20
LIMIT_MAX = 50
# A tag, a dot and a core cursor (or a search engine's cursor).
CURSOR_MAX_LENGTH = MAX_CURSOR_LENGTH + 40

CURSOR_FOREIGN = _("这个分页参数属于另一个列表，请从第一页重新浏览")


class PageParams(Schema):
    """The query parameters of every paginated list."""

    cursor: str | None = Field(
        None,
        max_length=CURSOR_MAX_LENGTH,
        description="The `next_cursor` of the previous page; omit it for the first page.",
    )
    limit: int = Field(
        LIMIT_DEFAULT,
        ge=1,
        le=LIMIT_MAX,
        description=f"How many items a page holds (1–{LIMIT_MAX}).",
    )


def cursor_problem(detail: Any = INVALID_CURSOR) -> Problem:
    """The 400 ``invalid_cursor`` problem."""
    return problem(400, "invalid_cursor", detail)


def cursor_untag(list_name: str, cursor: str | None) -> str:
    """The untagged cursor of ``list_name`` in ``cursor`` ("" for none); raises a Problem."""
    if not cursor:
        return ""
    tag, dot, value = cursor.partition(".")
    if not dot or not value:
        raise cursor_problem()
    if tag != list_name:
        raise cursor_problem(CURSOR_FOREIGN)
    return value


def cursor_tag(list_name: str, value: str | None) -> str | None:
    """The API cursor of an untagged one (None stays None: the last page)."""
    return f"{list_name}.{value}" if value else None


def page_request(list_name: str, cursor: str | None) -> PageRequest:
    """The core PageRequest of ``?cursor=`` on the list ``list_name``; raises a Problem."""
    value = cursor_untag(list_name, cursor)
    if not value:
        return PageRequest()
    try:
        return PageRequest(after=Cursor.decode(value))
    except InvalidCursorError as error:
        raise cursor_problem() from error


def next_cursor(list_name: str, page: Page[Any]) -> str | None:
    """The ``next_cursor`` of a core page (None on the last page)."""
    return cursor_tag(list_name, page.next)
