"""Step 4: load generators. ``wrk`` when installed, else a multi-process Python fallback.

Both run for a fixed duration over keep-alive connections to 127.0.0.1 and return
requests per second and the 50/90/99th latency percentiles.
"""

from __future__ import annotations

import http.client
import math
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from queue import Empty
from typing import Literal

from bench.errors import BenchError
from bench.server import HOST

Tool = Literal["wrk", "python"]
REQUEST_TIMEOUT_S = 5.0
# Extra time a run may take over its duration before it is abandoned.
GRACE_S = 30.0


@dataclass(frozen=True)
class Measurement:
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    errors: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)

    @classmethod
    def mean(cls, rounds: list[Measurement]) -> Measurement:
        if not rounds:
            raise ValueError("no rounds to average")
        n = len(rounds)
        return cls(
            rps=sum(r.rps for r in rounds) / n,
            p50_ms=sum(r.p50_ms for r in rounds) / n,
            p90_ms=sum(r.p90_ms for r in rounds) / n,
            p99_ms=sum(r.p99_ms for r in rounds) / n,
            requests=sum(r.requests for r in rounds),
            errors=sum(r.errors for r in rounds),
        )


def pick_tool(forced: Tool | None) -> Tool:
    if forced is not None:
        if forced == "wrk" and shutil.which("wrk") is None:
            raise BenchError("--tool wrk given but wrk is not installed")
        return forced
    return "wrk" if shutil.which("wrk") else "python"


def measure(
    tool: Tool,
    *,
    port: int,
    path: str,
    duration_s: int,
    connections: int,
    headers: dict[str, str] | None = None,
) -> Measurement:
    """Load ``path`` for ``duration_s``; every request carries ``headers`` (e.g. a Cookie)."""
    if tool == "wrk":
        return wrk_run(
            port=port, path=path, duration_s=duration_s, connections=connections, headers=headers
        )
    return python_run(
        port=port, path=path, duration_s=duration_s, connections=connections, headers=headers
    )


# --- wrk -------------------------------------------------------------------------------

_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_PERCENTILE = re.compile(r"^\s*(50|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def parse_wrk(output: str) -> Measurement:
    """Read Requests/sec, the latency distribution and the error counts of ``wrk --latency``."""
    percentiles = {int(p): float(v) * _UNITS_MS[unit] for p, v, unit in _PERCENTILE.findall(output)}
    rps = _RPS.search(output)
    requests = _REQUESTS.search(output)
    if rps is None or requests is None or set(percentiles) != {50, 90, 99}:
        raise BenchError(f"could not parse the output of wrk:\n{output}")
    errors = (
        sum(int(n) for n in _SOCKET_ERRORS.findall(output)[0]) if "Socket errors" in output else 0
    )
    if non_2xx := _NON_2XX.search(output):
        errors += int(non_2xx.group(1))
    return Measurement(
        rps=float(rps.group(1)),
        p50_ms=percentiles[50],
        p90_ms=percentiles[90],
        p99_ms=percentiles[99],
        requests=int(requests.group(1)),
        errors=errors,
    )


def wrk_run(
    *,
    port: int,
    path: str,
    duration_s: int,
    connections: int,
    headers: dict[str, str] | None = None,
) -> Measurement:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError("wrk is not installed")
    threads = max(1, min(2, connections))
    argv = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", "--latency",
        "--timeout", f"{REQUEST_TIMEOUT_S:.0f}s",
    ]  # fmt: skip
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    argv.append(f"http://{HOST}:{port}{path}")
    try:
        result = subprocess.run(
            argv, capture_output=True, text=True, timeout=duration_s + GRACE_S, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"wrk did not finish within {duration_s + GRACE_S:.0f} s") from error
    if result.returncode != 0:
        raise BenchError(f"wrk failed (exit {result.returncode}):\n{result.stderr}{result.stdout}")
    return parse_wrk(result.stdout)


# --- Python fallback --------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    port: int
    path: str
    connections: int
    duration_s: float
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _JobResult:
    latencies_s: list[float]
    errors: int
    elapsed_s: float


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def _connection_loop(job: _Job, deadline: float, stop: Event, latencies: list[float]) -> int:
    """One keep-alive connection sending GETs back to back until the deadline; returns errors."""
    errors = 0
    connection: http.client.HTTPConnection | None = None
    while time.monotonic() < deadline and not stop.is_set():
        if connection is None:
            connection = http.client.HTTPConnection(HOST, job.port, timeout=REQUEST_TIMEOUT_S)
        started = time.perf_counter()
        try:
            connection.request("GET", job.path, headers=dict(job.headers))
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = None
            time.sleep(0.01)
            continue
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            errors += 1
        if response.will_close:
            connection.close()
            connection = None
    if connection is not None:
        connection.close()
    return errors


def _worker(job: _Job, stop: Event, results: Queue[_JobResult]) -> None:
    """One process: ``job.connections`` threads, each with its own connection."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and sets stop
    started = time.monotonic()
    deadline = started + job.duration_s
    per_thread: list[list[float]] = [[] for _ in range(job.connections)]
    errors = [0] * job.connections

    def run(index: int) -> None:
        errors[index] = _connection_loop(job, deadline, stop, per_thread[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(job.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if stop.is_set():
        return  # interrupted: nobody reads the queue, and a large put would block our exit
    elapsed = time.monotonic() - started
    latencies = [value for values in per_thread for value in values]
    results.put(_JobResult(latencies_s=latencies, errors=sum(errors), elapsed_s=elapsed))


def python_run(
    *,
    port: int,
    path: str,
    duration_s: float,
    connections: int,
    headers: dict[str, str] | None = None,
) -> Measurement:
    """Spread the connections over up to one process per CPU (the GIL would cap one process)."""
    header_items = tuple((headers or {}).items())
    context = multiprocessing.get_context("spawn")
    processes = max(1, min(connections, os.cpu_count() or 1))
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    stop = context.Event()
    queue: Queue[_JobResult] = context.Queue()
    workers = [
        context.Process(
            target=_worker,
            args=(_Job(port, path, share, duration_s, header_items), stop, queue),
            daemon=True,
        )
        for share in shares
    ]
    for worker in workers:
        worker.start()
    try:
        results = [queue.get(timeout=duration_s + GRACE_S) for _ in workers]
    except Empty as error:  # a worker died or hung
        raise BenchError("the Python load generator did not report in time") from error
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=REQUEST_TIMEOUT_S + 2)
            if worker.is_alive():
                worker.terminate()
                worker.join(timeout=2)
    latencies = sorted(value for result in results for value in result.latencies_s)
    return Measurement(
        rps=sum(len(r.latencies_s) / r.elapsed_s for r in results if r.elapsed_s > 0),
        p50_ms=percentile(latencies, 50) * 1e3,
        p90_ms=percentile(latencies, 90) * 1e3,
        p99_ms=percentile(latencies, 99) * 1e3,
        requests=len(latencies),
        errors=sum(r.errors for r in results),
    )
