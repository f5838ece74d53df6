"""Rate limits of the API: per client and minute, in the cache every worker shares.

Every request under /api/v1/ counts once (main.api_view), before it is parsed:
reads (GET, HEAD) against ``READS_PER_MINUTE``, everything else against
``WRITES_PER_MINUTE``, in a one-minute window (zixun/core/ratelimit.py). The client
is the credential it presents (the digest of its Authorization header), else the
signed-in user of a session, else its IP address (zixun/core/clientaddr.py). A
request with a credential also counts against its address at ``ADDRESS_FACTOR``
times the limit, so that sending made-up tokens does not buy fresh allowances.

Past the limit the answer is a 429 ``rate_limited`` problem with Retry-After.
An endpoint with a tighter limit of its own (a comment, a token) calls
``api_rate_limit(request, scope=..., per_minute=...)``, which raises that problem.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest

from zixun.api.problems import rate_limited_problem
from zixun.core.clientaddr import client_address
from zixun.core.ratelimit import rate_limit_hit

READS_PER_MINUTE = 300
WRITES_PER_MINUTE = 60
ADDRESS_FACTOR = 4
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def has_credentials(request: HttpRequest) -> bool:
    """A token or a session cookie: the answer may be the caller's own (never shared)."""
    return "Authorization" in request.headers or settings.SESSION_COOKIE_NAME in request.COOKIES


def api_client_key(request: HttpRequest) -> str:
    """Who is asking: a credential's digest, a session's user, else the address."""
    if header := request.headers.get("Authorization"):
        return "k" + hashlib.blake2b(header.encode(), digest_size=12).hexdigest()
    if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
        return f"u{request.user.pk}"
    return f"ip{client_address(request)}"


def api_rate_limit(request: HttpRequest, *, scope: str, per_minute: int) -> None:
    """Count one request of the client in ``scope``; raise a 429 Problem past ``per_minute``."""
    wait = rate_limit_hit(scope=f"api-{scope}", who=api_client_key(request), per_minute=per_minute)
    if "Authorization" in request.headers:
        wait = max(
            wait,
            rate_limit_hit(
                scope=f"api-{scope}-address",
                who=f"ip{client_address(request)}",
                per_minute=per_minute * ADDRESS_FACTOR,
            ),
        )
    if wait:
        raise rate_limited_problem(wait)


def api_rate_limit_request(request: HttpRequest) -> None:
    """The limit every API request counts against (reads and writes apart)."""
    if request.method in SAFE_METHODS:
        api_rate_limit(request, scope="read", per_minute=READS_PER_MINUTE)
    else:
        api_rate_limit(request, scope="write", per_minute=WRITES_PER_MINUTE)
