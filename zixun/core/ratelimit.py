"""Rate limits: a fixed one-minute window per user (or per IP address) and scope, in the cache."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

RATE_LIMITED = (
    "操作太频繁，请 {seconds} 秒后再试 / Too many requests: try again in {seconds} seconds"
)

View = Callable[..., HttpResponse]


def _who(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    return f"ip{request.META.get('REMOTE_ADDR', '')}"


def rate_limit_hit(*, scope: str, who: str, per_minute: int) -> int:
    """Count one action; returns 0 if allowed, else the seconds until the window ends."""
    window = int(time.time() // 60)
    key = f"ratelimit:{scope}:{who}:{window}"
    cache.add(key, 0, 70)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 70)
        count = 1
    if count <= per_minute:
        return 0
    return 60 - int(time.time()) % 60


def rate_limited(
    scope: str, *, per_minute: int, methods: Iterable[str] | None = None
) -> Callable[[View], View]:
    """Answer 429 with a clear message once a user passes ``per_minute`` requests."""
    limited_methods = set(methods) if methods is not None else None

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if limited_methods is None or request.method in limited_methods:
                wait = rate_limit_hit(scope=scope, who=_who(request), per_minute=per_minute)
                if wait:
                    response = HttpResponse(
                        RATE_LIMITED.format(seconds=wait),
                        status=429,
                        content_type="text/plain; charset=utf-8",
                    )
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
