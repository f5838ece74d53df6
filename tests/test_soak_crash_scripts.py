"""The soak and crash-safety scripts at their smallest size, on SQLite (the real runs are
``python -m bench.soak`` and ``python -m bench.crash``; docs in bench/README.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the scripts build their own SQLite site; they run once, in the SQLite pass",
)


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL")
    }
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_soak_measures_capacity_then_soaks_and_reports_each_goal(tmp_path):
    results = tmp_path / "soak.json"
    run = _run(
        "bench.soak",
        "--seconds",
        "6",
        "--capacity-seconds",
        "3",
        "--connections",
        "2",
        "--readers",
        "4",
        "--corpus-limit",
        "10",
        "--results",
        str(results),
    )
    assert run.returncode in (0, 2), run.stdout[-3000:] + run.stderr[-3000:]
    data = json.loads(results.read_text())
    assert data["capacity"]["requests"] > 0
    soak = data["soak"]
    assert soak["connections"] == 4  # twice the capacity run's
    assert soak["requests"] > 0
    assert soak["server_errors"] == 0, soak["by_kind"]
    assert soak["client_errors"] == 0, soak["by_kind"]  # e.g. a write refused for its CSRF token
    # every part of the mix ran, the writes acknowledged
    assert sum(row["requests"] for row in soak["by_kind"].values()) == soak["requests"]
    assert len(data["windows"]) == 4
    assert sum(row["requests"] for row in data["windows"]) == soak["requests"]
    memory = data["memory"]
    assert len(memory["start_mb"]) == len(memory["end_mb"]) == 2
    assert all(50 < mb < 2000 for mb in memory["end_mb"])
    assert set(data["goals"]) == {"server_errors", "p99_last_over_first", "rss_growth"}
    assert data["goals"]["server_errors"]["met"]
    assert "goals:" in run.stdout


@pytest.mark.slow(118)
def test_the_crash_run_kills_the_server_and_loses_no_acknowledged_write(tmp_path):
    results = tmp_path / "crash.json"
    run = _run(
        "bench.crash",
        "--backends",
        "sqlite",
        "--seconds",
        "8",
        "--kills",
        "1",
        "--writers",
        "1",
        "--readers",
        "2",
        "--viewers",
        "1",
        "--view-flush",
        "2",
        "--corpus-limit",
        "10",
        "--results",
        str(results),
    )
    data = json.loads(results.read_text()) if results.exists() else None
    assert data is not None, run.stdout[-3000:] + run.stderr[-3000:]
    (result,) = data["runs"]
    assert [kill["killed"] for kill in result["kills"]] == ["both"]  # one kill: server and worker
    assert result["acknowledged"].get("create", 0) > 0
    assert result["acknowledged"].get("view", 0) > 0
    assert 0 <= result["views"]["counted"] <= result["views"]["served"]  # never counted twice
    goals = result["goals"]
    for name in (
        "acknowledged_writes_missing",
        "half_published_articles",
        "counters_differing_after_recount",
        "published_twice",
        "index_missing_or_dirty_after_sweep",
        "sqlite_integrity_check",
    ):
        assert goals[name]["met"], (name, goals[name], run.stdout[-3000:])
    assert result["integrity_check"] == "ok"
