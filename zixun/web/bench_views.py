"""The benchmark's anchor: a bare view returning fixed bytes (served only when ZIXUN_BENCH=1)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse


@cache
def _body() -> bytes:
    return Path(os.environ["ZIXUN_BENCH_BARE_FILE"]).read_bytes()


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_body(), content_type="text/html; charset=utf-8")
