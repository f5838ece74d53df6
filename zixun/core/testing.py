"""Helpers shared by the test suites of every app (imported by tests only)."""

from __future__ import annotations

import html
import os
import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
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


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk: length, type, body and CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_blank(
    width: int, height: int, *, depth: int = 8, colour: int = 6, channels: int = 4
) -> bytes:
    """A real PNG of blank rows (RGBA by default), compressed row by row: a few hundred KB
    for millions of pixels, never the whole image in memory (the tests' and the bench's
    hostile uploads)."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + width * channels * depth // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def in_another_process(code: str) -> None:
    """Run ``code`` in a fresh `manage.py shell` with the test settings, as another worker of
    the site or a command would: it shares the test run's shared cache and Redis database."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    subprocess.run(  # noqa: S603 - the test's own code
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
    )
