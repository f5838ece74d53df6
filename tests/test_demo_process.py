"""`zixun demo` stops everything it started: SIGTERM leaves no process listening."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def processes_serving(port: int) -> list[str]:
    found = subprocess.run(
        ["pgrep", "-af", "--", f"--port {port} "],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in found.stdout.splitlines() if "pgrep" not in line]


@pytest.mark.slow(73)
def test_sigterm_stops_the_server_its_workers_and_the_task_worker(tmp_path):
    # given a running demo (no corpus: starter content only)
    port = free_port()
    env = {**os.environ, "ZIXUN_VAR_DIR": str(tmp_path), "ZIXUN_SHARED_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the demo runs on the real settings
    demo = subprocess.Popen(
        [sys.executable, "-m", "zixun", "demo", "--no-corpus", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not listening(port):
            assert demo.poll() is None, "the demo exited before serving"
            assert time.monotonic() < deadline, "the demo did not start serving in 120 s"
            time.sleep(0.5)
        # when it is told to stop
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=30)
        # then nothing it started is left serving
        deadline = time.monotonic() + 15
        while (listening(port) or processes_serving(port)) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not listening(port)
        assert processes_serving(port) == []
    finally:
        if demo.poll() is None:
            demo.kill()
        for line in processes_serving(port):
            os.kill(int(line.split()[0]), signal.SIGKILL)


@pytest.fixture(autouse=True)
def _no_database():
    """This test starts its own site; it needs no test database."""
