"""The benchmark's anchors, served only when ZIXUN_BENCH=1 (`make bench` sets it).

``bare`` returns fixed bytes (the article page as the bench saved it): the cost
of the server and middleware alone. ``render`` renders an article page without
the page cache: what a cache miss costs.
"""

from __future__ import annotations

import inspect
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from zixun.web.views import reading as views


@cache
def _body() -> bytes:
    return Path(settings.ZIXUN_BENCH_BARE_FILE).read_bytes()


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_body(), content_type="text/html; charset=utf-8")


def render(request: HttpRequest, article_id: int) -> HttpResponse:
    article_detail = inspect.unwrap(views.article_detail)  # past require_GET and cached_page
    response: HttpResponse = article_detail(request, article_id)
    return response
