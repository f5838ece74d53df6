"""Step 3: granian serving the site on 127.0.0.1, always stopped at the end."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.errors import BenchError
from zixun.web.serving import granian_argv, site_url_default

HOST = "127.0.0.1"  # the bench only ever targets the loopback interface
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 10.0


ZIXUN_APP = "config.wsgi:application"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: list[tuple[str, str]]

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


@dataclass(frozen=True)
class Server:
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_S)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return Response(response.status, response.read(), response.getheaders())
        finally:
            connection.close()

    def get_ok(self, path: str, headers: dict[str, str] | None = None) -> bytes:
        return self.get_ok_response(path, headers).body

    def get_ok_response(self, path: str, headers: dict[str, str] | None = None) -> Response:
        response = self.get(path, headers)
        if response.status != 200:
            raise BenchError(f"GET {path} returned {response.status}, expected 200")
        return response


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def log_tail(log_path: Path, lines: int = 20) -> str:
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(
                f"granian exited with {server.process.returncode}:\n{log_tail(server.log_path)}"
            )
        try:
            server.get("/")
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
        else:
            return
    raise BenchError(
        f"granian not ready after {READY_TIMEOUT_S:.0f} s:\n{log_tail(server.log_path)}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            continue
        return


def zixun_server_env(env: dict[str, str], *, port: int) -> dict[str, str]:
    """Zixun's environment as `zixun serve` makes it: ZIXUN_SITE_URL, when not set, is the
    address the server listens on (production sets it too: docs/configuration.md), so links
    are built on it and pages are not kept per Host header."""
    if env.get("ZIXUN_SITE_URL"):
        return env
    return {**env, "ZIXUN_SITE_URL": site_url_default(host=HOST, port=port)}


def server_argv(*, port: int, workers: int, granian: Path | None, app: str) -> list[str]:
    """Zixun's production command line (zixun/web/serving.py), with another granian
    executable and WSGI app when given: the Wagtail baseline is served alike."""
    argv = granian_argv(host=HOST, port=port, workers=workers)
    if ZIXUN_APP not in argv:
        raise BenchError(f"granian_argv() no longer serves {ZIXUN_APP}: {argv}")
    argv[argv.index(ZIXUN_APP)] = app
    if granian is not None:
        argv[0] = str(granian)
    return argv


@contextmanager
def serve(
    *,
    root: Path,
    env: dict[str, str],
    workers: int,
    log_path: Path,
    label: str = "Zixun",
    granian: Path | None = None,
    app: str = ZIXUN_APP,
) -> Iterator[Server]:
    """Start granian in its own process group, wait until it answers, stop it on exit.

    ``root`` is the working directory; ``granian`` and ``app`` default to Zixun's.
    """
    port = free_port()
    argv = server_argv(port=port, workers=workers, granian=granian, app=app)
    if app == ZIXUN_APP:
        env = zixun_server_env(env, port=port)
    print(
        f"[bench] starting granian for {label} ({workers} workers) on {HOST}:{port} …", flush=True
    )
    with log_path.open("ab") as log:
        # Its own session: Ctrl-C reaches only the bench, which then stops the whole group.
        process = subprocess.Popen(
            argv,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(port=port, log_path=log_path, process=process)
    try:
        _wait_ready(server)
        try:
            yield server
        except BenchError as error:  # e.g. a 500: the server log tells why
            if tail := log_tail(log_path, lines=40):
                raise BenchError(f"{error}\n{label} server log ({log_path}):\n{tail}") from error
            raise
    finally:
        _stop(process)
        print(f"[bench] granian for {label} stopped", flush=True)
