"""How Zixun is served in production: granian, WSGI. `zixun serve` and `make bench` share it."""

from __future__ import annotations

import sys
from pathlib import Path

# Python threads per worker that run requests. Rendering is CPU-bound under the
# GIL, so a few threads keep the worker busy while one waits on the database
# without the contention of granian's default (hundreds).
DEFAULT_THREADS = 4


def granian_argv(
    *, host: str, port: int, workers: int, threads: int = DEFAULT_THREADS
) -> list[str]:
    """The command line that serves config.wsgi with granian."""
    granian = Path(sys.executable).with_name("granian")
    return [
        str(granian), "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", str(threads),
        "--backpressure", str(threads * 4), "--no-ws", "--log-level", "warning",
        "config.wsgi:application",
    ]  # fmt: skip


def site_url_default(*, host: str, port: int) -> str:
    """The address to build links on when ZIXUN_SITE_URL is not set: the one the server
    listens on, unless it listens on every interface (then the request's host is used)."""
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - recognising, not binding
        return ""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"
