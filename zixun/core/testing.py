"""Helpers shared by the test suites of every app (imported by tests only)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from django.test import Client
from django.utils.functional import Promise

from zixun.core.errors import message_format
from zixun.core.pagination import Cursor, Page, PageRequest

_LINK = re.compile(r"<a\b[^>]*>")
_ATTRIBUTE = re.compile(r'\b(href|rel)="([^"]*)"')


def exactly(message: str | Promise, **params: object) -> str:
    """A ``pytest.raises(match=...)`` pattern for exactly this message, as shown now."""
    return f"^{re.escape(message_format(message, **params))}$"


def page_walk(
    fetch: Callable[[PageRequest], Page[Any]], *, backwards: bool = False
) -> list[Page[Any]]:
    """Every page of a keyset-paginated list, as a reader pages through it.

    ``fetch`` returns the page for a request. The walk starts at the first page and
    follows each page's ``next`` cursor (``?after=``) to the last, or, ``backwards``,
    starts at the last page and follows the ``previous`` cursors (``?before=``) to the
    first.
    """
    request = PageRequest(last=True) if backwards else PageRequest()
    pages = []
    while True:
        page = fetch(request)
        pages.append(page)
        cursor = page.previous if backwards else page.next
        if cursor is None:
            return pages
        decoded = Cursor.decode(cursor)
        request = PageRequest(before=decoded) if backwards else PageRequest(after=decoded)


def link_href(page_html: str, rel: str) -> str | None:
    """The target of the page's ``<a rel=REL>`` link (``next``, ``prev`` …), or None."""
    for tag in _LINK.findall(page_html):
        attributes: dict[str, str] = dict(_ATTRIBUTE.findall(tag))
        if rel in attributes.get("rel", "").split() and "href" in attributes:
            return html.unescape(attributes["href"])
    return None


def link_walk(client: Client, url: str, *, rel: str = "next") -> list[str]:
    """The HTML of each page from ``url`` on, following its ``<a rel=REL>`` link (下一页)
    until a page has none. Every page must answer 200."""
    pages = []
    seen = set()
    while url:
        assert url not in seen, f"the {rel} links loop back to {url}"
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages.append(response.content.decode())
        href = link_href(pages[-1], rel)
        url = urljoin(url, href) if href else ""
    return pages
