"""Two figures of the served site beside the load rounds (issue #15):

- the article page on a page-cache miss at one connection: requests one after another on one
  keep-alive connection to ``/bench/render/<id>/`` (the page rendered past the page cache, on the
  bench database with the reference account at 1,076,115 articles), latency p50/p95/p99;
- resident memory per web worker: VmRSS of every granian process in the server's process group
  but the supervisor, read from /proc after the rounds (the workers have served every page).
"""

from __future__ import annotations

import http.client
import os
import time
from pathlib import Path
from typing import Any

from bench.errors import BenchError
from bench.server import HOST, Server

GOALS = {"cache_miss_p95_ms": 10.0, "worker_rss_mb": 250.0}
PROC = Path("/proc")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def one_connection(
    server: Server, path: str, *, duration_s: float, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """GET ``path`` back to back on one connection for ``duration_s``; latencies in ms."""
    connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
    times: list[float] = []
    deadline = time.monotonic() + duration_s
    try:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            response.read()
            times.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise BenchError(f"GET {path} returned {response.status}, expected 200")
    finally:
        connection.close()
    if not times:
        raise BenchError(f"no request to {path} finished in {duration_s} s")
    return {
        "path": path,
        "requests": len(times),
        "p50_ms": round(_percentile(times, 0.50), 3),
        "p95_ms": round(_percentile(times, 0.95), 3),
        "p99_ms": round(_percentile(times, 0.99), 3),
        "goal_p95_ms": GOALS["cache_miss_p95_ms"],
    }


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The fields after the command's closing parenthesis: state, ppid, pgrp, …
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def _rss_mb(pid: int) -> float | None:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def worker_memory(server: Server) -> dict[str, Any]:
    """Resident memory of each granian worker (the supervisor left out), in MB."""
    pgid = os.getpgid(server.process.pid)
    workers = [pid for pid in _group_members(pgid) if pid != server.process.pid]
    sizes = [mb for pid in workers if (mb := _rss_mb(pid)) is not None]
    if not sizes:
        raise BenchError("found no granian worker process to measure")
    return {
        "workers": len(sizes),
        "rss_mb": [round(mb, 1) for mb in sorted(sizes)],
        "max_mb": round(max(sizes), 1),
        "supervisor_mb": round(_rss_mb(server.process.pid) or 0.0, 1),
        "goal_mb": GOALS["worker_rss_mb"],
    }
