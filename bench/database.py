"""Step 1 and 2: a fresh bench database in a temp dir, and the article to measure."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.errors import BenchError

# Env vars that would point the bench away from its own SQLite file and var dir.
_DROPPED_ENV = ("DATABASE_URL", "REDIS_URL", "ZIXUN_STATIC_ROOT", "ZIXUN_MEDIA_ROOT")
STARTER_RETRIES = 3
STARTER_RETRY_WAIT_S = 60.0
STEP_TIMEOUT_S = 3600.0
# ``--database postgresql``: the production profile's services, emptied at the start of a run.
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_NAME = "zixun_bench"
PG_WAGTAIL_NAME = "zixun_bench_wagtail"  # the Wagtail baseline's, when Zixun runs on PostgreSQL
REDIS_BENCH_URL = "redis://127.0.0.1:6379/13"

_ARTICLE_ID_SNIPPET = """\
from zixun.demo.loading import reference_article_id
print("reference", reference_article_id())
"""
_NEWEST_ID_SNIPPET = """\
from zixun.articles.models import Article
newest = (
    Article.objects.filter(status="published")
    .order_by("-published_at")
    .values_list("id", flat=True)
    .first()
)
print("newest", newest)
"""


def bench_env(var_dir: Path) -> dict[str, str]:
    """The environment of every subprocess: production settings, files under var_dir."""
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED_ENV}
    env["ZIXUN_VAR_DIR"] = str(var_dir)
    env["ZIXUN_DEBUG"] = "0"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.pop("ZIXUN_BENCH", None)
    return env


def _database_afresh(name: str) -> None:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        raise BenchError(f"PostgreSQL at 127.0.0.1:5432 is not usable: {error}") from error


def wagtail_database() -> str:
    """The URL of an empty PostgreSQL database for the Wagtail baseline."""
    _database_afresh(PG_WAGTAIL_NAME)
    print(f"[bench] Wagtail on PostgreSQL ({PG_WAGTAIL_NAME})", flush=True)
    return f"postgres://postgres@127.0.0.1:5432/{PG_WAGTAIL_NAME}"


def production_services() -> dict[str, str]:
    """The environment that moves the Zixun parts to PostgreSQL + Redis (production settings):
    the database ``zixun_bench`` dropped and created afresh, the Redis db emptied. A service
    that cannot be reached stops the run with the reason."""
    import redis

    _database_afresh(PG_BENCH_NAME)
    try:
        redis.Redis.from_url(REDIS_BENCH_URL, socket_connect_timeout=3).flushdb()
    except redis.RedisError as error:
        raise BenchError(f"Redis at {REDIS_BENCH_URL} is not usable: {error}") from error
    print(
        f"[bench] Zixun on PostgreSQL ({PG_BENCH_NAME}) and Redis ({REDIS_BENCH_URL})", flush=True
    )
    return {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_NAME}",
        "REDIS_URL": REDIS_BENCH_URL,
    }


def _run(
    argv: list[str], *, env: dict[str, str], cwd: Path, timeout: float = STEP_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _fail(label: str, result: subprocess.CompletedProcess[str]) -> BenchError:
    output = (result.stdout + result.stderr).strip().splitlines()
    tail = "\n".join(output[-30:])
    return BenchError(f"{label} failed (exit {result.returncode}):\n{tail}")


def run_step(
    label: str, argv: list[str], *, env: dict[str, str], cwd: Path, timeout: float = STEP_TIMEOUT_S
) -> str:
    """Run one command, print a progress line, return its stdout; raise on failure."""
    print(f"[bench] {label} …", flush=True)
    started = time.monotonic()
    result = _run(argv, env=env, cwd=cwd, timeout=timeout)
    if result.returncode != 0:
        raise _fail(label, result)
    print(f"[bench]   done in {time.monotonic() - started:.1f} s", flush=True)
    return result.stdout


def _starter_missing(result: subprocess.CompletedProcess[str]) -> bool:
    output = result.stdout + result.stderr
    return "articles.jsonl" in output or "accounts.json" in output


def load_demo(*, zixun: Path, env: dict[str, str], cwd: Path, corpus_limit: int | None) -> str:
    """``zixun load-demo``, retried while the starter content is still being written."""
    argv = [str(zixun), "load-demo", "--no-progress"]
    if corpus_limit is not None:
        argv += ["--corpus-limit", str(corpus_limit)]
    limit = "all" if corpus_limit is None else str(corpus_limit)
    for attempt in range(1, STARTER_RETRIES + 1):
        print(f"[bench] loading demo (corpus limit: {limit}) …", flush=True)
        started = time.monotonic()
        result = _run(argv, env=env, cwd=cwd)
        if result.returncode == 0:
            print(f"[bench]   done in {time.monotonic() - started:.1f} s", flush=True)
            return result.stdout
        if attempt == STARTER_RETRIES or not _starter_missing(result):
            raise _fail("load-demo", result)
        print(
            f"[bench]   starter content not readable yet; retrying in {STARTER_RETRY_WAIT_S:.0f} s",
            flush=True,
        )
        time.sleep(STARTER_RETRY_WAIT_S)
    raise AssertionError("unreachable")


def build_database(*, root: Path, env: dict[str, str], corpus_limit: int | None) -> None:
    """Migrate, collect static files and load the demo into the bench var dir."""
    zixun = root / ".venv" / "bin" / "zixun"
    run_step("migrating", [str(zixun), "migrate", "--no-input"], env=env, cwd=root)
    run_step(
        "collecting static files", [str(zixun), "collectstatic", "--noinput"], env=env, cwd=root
    )
    for line in load_demo(zixun=zixun, env=env, cwd=root, corpus_limit=corpus_limit).splitlines():
        print(f"[bench]   {line}", flush=True)


def _shell_value(snippet: str, tag: str, *, root: Path, env: dict[str, str]) -> int | None:
    python = root / ".venv" / "bin" / "python"
    result = _run([str(python), "manage.py", "shell", "-c", snippet], env=env, cwd=root)
    if result.returncode != 0:
        raise _fail("manage.py shell", result)
    for line in reversed(result.stdout.splitlines()):
        parts = line.split()
        if len(parts) == 2 and parts[0] == tag:
            return None if parts[1] == "None" else int(parts[1])
    raise BenchError(f"manage.py shell printed no {tag!r} line:\n{result.stdout}")


def find_article_id(*, root: Path, env: dict[str, str]) -> tuple[int, str]:
    """The reference article's id, else the newest published one; and which it is."""
    reference = _shell_value(_ARTICLE_ID_SNIPPET, "reference", root=root, env=env)
    if reference is not None:
        return reference, "reference article"
    newest = _shell_value(_NEWEST_ID_SNIPPET, "newest", root=root, env=env)
    if newest is None:
        raise BenchError("the demo loaded no published article")
    return newest, "newest article (no reference page under ../shared)"


def run_snippet(
    *, root: Path, env: dict[str, str], snippet: str, params: dict[str, Any], tag: str, label: str
) -> dict[str, Any]:
    """Run a timing snippet in `manage.py shell` with the page cache off; return the JSON
    it printed on its ``tag`` line (the snippet sees ``PARAMS``)."""
    started = time.monotonic()
    result = _run(
        [str(root / ".venv" / "bin" / "python"), "manage.py", "shell", "-c",
         f"PARAMS = {params!r}\n{snippet}"],
        env={**env, "ZIXUN_PAGE_CACHE_SECONDS": "0"},
        cwd=root,
    )  # fmt: skip
    if result.returncode != 0:
        raise _fail(label, result)
    print(f"[bench]   done in {time.monotonic() - started:.1f} s", flush=True)
    for line in reversed(result.stdout.splitlines()):
        found, _, payload = line.partition(" ")
        if found == tag:
            data: dict[str, Any] = json.loads(payload)
            return data
    raise BenchError(f"the timing snippet printed no {tag!r} line:\n{result.stdout}")
