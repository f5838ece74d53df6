"""/healthz: is this web process able to serve (docs/deploy.md, "Health checks").

It reads the database and writes and reads both caches (the per-process one and the one every
worker shares: rate limits, counters, hot scores), with no session, no page cache and nothing
stored. It answers 200 when all work and 503 naming the parts that failed, never why: the
reason goes to the log, not to whoever asks.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache(alias: str) -> Callable[[], None]:
    def check() -> None:
        key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
        cache = caches[alias]
        cache.set(key, value, 10)
        try:
            if cache.get(key) != value:
                raise RuntimeError(f"the {alias} cache did not return what was stored")
        finally:
            cache.delete(key)

    return check


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "cache": _cache("default"),
    "shared_cache": _cache("shared"),
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception:  # any failure of a part is the answer, not a 500
            log.exception("health check %s failed", name)
            results[name] = "failed"
    healthy = all(state == "ok" for state in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=200 if healthy else 503,
    )
