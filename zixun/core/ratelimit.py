"""Rate limits: a one-minute window per user (or IP address) and scope, kept in the cache
that every worker shares (the ``shared`` alias: ``core/sharedcache.py``).

The window opens at the first request (not on the clock's minute), so a burst
cannot be split across a minute boundary to get twice the allowance.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from zixun.core.clientaddr import client_address
from zixun.core.errors import message_format

RATE_LIMITED = _("操作太频繁，请 %(seconds)s 秒后再试")

View = Callable[..., HttpResponse]
WINDOW_SECONDS = 60


def requester_key(request: HttpRequest) -> str:
    """Who is asking: the signed-in user, else the client address."""
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    return f"ip{client_address(request)}"


def rate_limit_hit(*, scope: str, who: str, per_minute: int) -> int:
    """Count one action; returns 0 if allowed, else the seconds until the window ends."""
    key = f"ratelimit:{scope}:{who}"
    cache = caches["shared"]
    now = time.time()
    cache.add(f"{key}:start", now, WINDOW_SECONDS)
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed between add and incr
        cache.set(f"{key}:start", now, WINDOW_SECONDS)
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    if count <= per_minute:
        return 0
    start = cache.get(f"{key}:start", now)
    return max(1, int(WINDOW_SECONDS - (now - start)) + 1)


def rate_limited(
    scope: str, *, per_minute: int, methods: Iterable[str] | None = None
) -> Callable[[View], View]:
    """Answer 429 with a clear message once a user passes ``per_minute`` requests."""
    limited_methods = set(methods) if methods is not None else None

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if limited_methods is None or request.method in limited_methods:
                wait = rate_limit_hit(
                    scope=scope, who=requester_key(request), per_minute=per_minute
                )
                if wait:
                    message = message_format(RATE_LIMITED, seconds=wait)
                    if request.headers.get("Accept", "").startswith("application/json"):
                        response: HttpResponse = JsonResponse(
                            {"ok": False, "error": message}, status=429
                        )
                    else:
                        response = HttpResponse(
                            message, status=429, content_type="text/plain; charset=utf-8"
                        )
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
