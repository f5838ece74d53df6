"""``python -m bench.soak``: load and soak (issue #16, item 7).

A scripted mix of requests against the site served as in production (granian, WSGI):

- anonymous reads (most of the load): article pages (many articles), the home page, channels,
  ``/hot/``, ``/search/?q=…`` and account pages, each simulated reader from its own address
  (``X-Forwarded-For`` through the trusted local proxy, as behind nginx);
- signed-in reads: article pages with the session cookie, ``/feed/``, ``/foryou/``;
- writes through the API (docs/api.md): like and favourite toggles, follow toggles and comments,
  half with the reader's session and CSRF token, half with their personal token, spread over
  ``--readers`` signed-in readers so that the per-user limits are not what is measured.

First the capacity: a closed loop of ``--connections`` connections for ``--capacity-seconds``
(requests per second). Then the soak: a closed loop of twice as many connections for
``--minutes``. Closed loop, not an open loop at twice the measured rate: an open loop offered
twice what the server completes queues without bound (its latency grows with the run's length
by construction, whatever the code does), while twice the concurrency keeps the server saturated
with twice the requests in flight, which is what a soak must survive without errors, with a
bounded p99 and without growing memory.

Figures: 5xx responses (goal 0; a 429 is counted apart, not as a server error), p50/p95/p99 per
window (a minute; shorter for a run under two minutes; goal: the last window's p99 within 2× the
first's) and the resident memory of each granian worker at the start and the end of the soak
(goal: growth under 10 %). A table, and ``bench/soak-results.json``. Ctrl-C stops cleanly and
reports what was measured.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import multiprocessing
import os
import random
import shutil
import signal
import string
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from queue import Empty
from types import FrameType
from typing import Any

from bench.database import bench_env, load_demo, run_snippet, run_step
from bench.errors import BenchError
from bench.latency import worker_memory
from bench.server import HOST, Server, log_tail, serve

ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = ROOT / "bench" / "soak-results.json"
STATIC_CACHE = ROOT / "var" / "bench-static"  # collected static files, reused between runs
SITE_CACHE = ROOT / "var" / "bench-sites"  # built SQLite demo sites, reused between runs
REQUEST_TIMEOUT_S = 30.0
GRACE_S = 60.0
GOAL_P99_RATIO = 2.0
GOAL_RSS_GROWTH = 0.10
# Anonymous readers come from 10.77.0.0/16 through the local proxy (ZIXUN_PROXY_HEADER).
PROXY_HEADER = "X-Forwarded-For"
SEARCH_WORDS = ("新闻", "经济", "发展", "会议", "中国", "合作", "科技", "教育", "援疆", "体育")
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) zixun-soak"

# The mix: (kind, weight). Anonymous reads 66 %, signed-in reads 22 %, writes 12 %.
MIX: tuple[tuple[str, int], ...] = (
    ("anon_article", 36),
    ("anon_home", 8),
    ("anon_channel", 7),
    ("anon_hot", 5),
    ("anon_search", 5),
    ("anon_account", 5),
    ("user_article", 12),
    ("user_feed", 5),
    ("user_foryou", 5),
    ("like", 4),
    ("favorite", 3),
    ("follow", 2),
    ("comment", 3),
)
KINDS = tuple(kind for kind, _ in MIX)
WRITES = frozenset({"like", "favorite", "follow", "comment"})


# --- The site: built once per run, static files collected once per checkout -----------------


def _static_fingerprint(root: Path) -> str:
    """What the collected files depend on: the project's static files and the pinned packages."""
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "uv.lock"):
        path = root / name
        if path.exists():
            digest.update(path.read_bytes())
    for path in sorted((root / "zixun").glob("*/static/**/*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def static_root(*, root: Path, env: dict[str, str]) -> Path:
    """``collectstatic`` (production storage: hashed names, compressed copies) into a cache
    under var/bench-static, reused while the sources are unchanged: it takes a minute or two."""
    target = STATIC_CACHE / _static_fingerprint(root)
    if (target / "staticfiles.json").exists():
        print(f"[bench] static files: reusing {target}", flush=True)
        return target
    STATIC_CACHE.mkdir(parents=True, exist_ok=True)
    for old in STATIC_CACHE.iterdir():
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    building = Path(tempfile.mkdtemp(prefix="collecting-", dir=STATIC_CACHE))
    zixun = root / ".venv" / "bin" / "zixun"
    run_step(
        "collecting static files (cached for later runs)",
        [str(zixun), "collectstatic", "--noinput"],
        env={**env, "ZIXUN_STATIC_ROOT": str(building)},
        cwd=root,
    )
    building.rename(target)
    return target


def _site_fingerprint(root: Path, corpus_limit: int) -> str:
    """What a built demo site depends on: the migrations, the demo loader, the pins and the
    corpus size (by content: a checkout or another edit does not make a new one)."""
    digest = hashlib.sha256(str(corpus_limit).encode())
    paths = [
        root / "pyproject.toml",
        root / "uv.lock",
        *(root / "zixun" / "demo").rglob("*.py"),
        *(root / "zixun").glob("*/migrations/*.py"),
    ]
    for path in sorted(paths):
        if path.is_file():
            digest.update(f"{path.relative_to(root)}\0".encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def build_site(*, root: Path, env: dict[str, str], corpus_limit: int) -> dict[str, str]:
    """Migrate and load the demo; returns ``env`` with the collected static files.

    On SQLite the built site (database, media, secret key) is kept under var/bench-sites and
    copied into the next run's var dir while the migrations, the demo loader and the corpus
    size are the same."""
    env = {**env, "ZIXUN_STATIC_ROOT": str(static_root(root=root, env=env))}
    var_dir = Path(env["ZIXUN_VAR_DIR"])
    sqlite = "DATABASE_URL" not in env
    cached = SITE_CACHE / _site_fingerprint(root, corpus_limit)
    if sqlite and (cached / "zixun.sqlite3").exists():
        print(f"[bench] demo site: copying {cached}", flush=True)
        shutil.copytree(cached, var_dir, dirs_exist_ok=True)
        return env
    zixun = root / ".venv" / "bin" / "zixun"
    run_step("migrating", [str(zixun), "migrate", "--no-input"], env=env, cwd=root)
    for line in load_demo(zixun=zixun, env=env, cwd=root, corpus_limit=corpus_limit).splitlines():
        print(f"[bench]   {line}", flush=True)
    if sqlite:
        SITE_CACHE.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix="building-", dir=SITE_CACHE))
        for name in ("zixun.sqlite3", "zixun.sqlite3-wal", "media", "private", "secret_key"):
            source = var_dir / name
            if source.is_dir():
                shutil.copytree(source, building / name)
            elif source.exists():
                shutil.copy2(source, building / name)
        shutil.rmtree(cached, ignore_errors=True)
        building.rename(cached)
        for old in SITE_CACHE.iterdir():  # keep the newest few
            if old != cached and old.stat().st_mtime < time.time() - 86400:
                shutil.rmtree(old, ignore_errors=True)
    return env


# --- Signed-in readers: sessions, CSRF secrets and personal tokens ---------------------------

# Runs in `manage.py shell -c` with PARAMS prepended; prints one `soak-json {...}` line.
_PEOPLE_SNIPPET = """\
import json
from django.conf import settings
from django.db import transaction
from django.test import Client
from zixun.accounts.models import User
from zixun.api import tokens
from zixun.articles.models import Article
from zixun.channels.models import Channel
from zixun.creators.models import Creator

readers = []
for n in range(PARAMS["readers"]):
    name = f"{PARAMS['prefix']}-{n}"
    user, _ = User.objects.get_or_create(username=name, defaults={"email": f"{name}@example.com"})
    user.set_unusable_password()
    user.save()
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    with transaction.atomic():
        secret = tokens.token_create_personal(
            user=user, name=f"soak {n}", scopes=list(tokens.PERSONAL_SCOPES), expires_at=None
        ).secret
    readers.append({"id": user.pk, "username": name,
                    "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "token": secret})
writers = []
for n in range(PARAMS["writers"]):
    user, _ = User.objects.get_or_create(username=f"{PARAMS['prefix']}-writer-{n}",
                                         defaults={"email": f"{PARAMS['prefix']}-writer-{n}@example.com"})
    creator, _ = Creator.objects.get_or_create(name=f"{PARAMS['prefix']}号{n}",
                                               defaults={"is_trusted": True})
    creator.is_trusted = True
    creator.save()
    creator.members.add(user)
    with transaction.atomic():
        secret = tokens.token_create_for_account(
            creator=creator, by=user, name="soak", scopes=list(tokens.ACCOUNT_SCOPES),
            expires_at=None,
        ).secret
    writers.append({"user_id": user.pk, "creator_id": creator.pk, "token": secret})
published = Article.objects.filter(status="published", deleted_at__isnull=True)
result = {
    "session_cookie": settings.SESSION_COOKIE_NAME,
    "csrf_cookie": settings.CSRF_COOKIE_NAME,
    "readers": readers,
    "writers": writers,
    "articles": list(published.order_by("-published_at").values_list("id", flat=True)[:2000]),
    "accounts": list(Creator.objects.order_by("pk").values_list("id", flat=True)[:300]),
    "channels": list(Channel.objects.filter(is_active=True).values_list("slug", flat=True)),
    "channel_ids": list(Channel.objects.filter(is_active=True).values_list("id", flat=True)),
}
print("soak-json", json.dumps(result))
"""


@dataclass(frozen=True)
class Person:
    user_id: int
    username: str
    session: str
    token: str
    csrf: str  # a CSRF secret: sent as the cookie and as X-CSRFToken, as a page's script does
    address: str  # the reader's address, through the local proxy


@dataclass(frozen=True)
class Site:
    session_cookie: str
    csrf_cookie: str
    readers: tuple[Person, ...]
    writers: tuple[dict[str, Any], ...]
    articles: tuple[int, ...]
    accounts: tuple[int, ...]
    channels: tuple[str, ...]
    channel_ids: tuple[int, ...]


def _csrf_secret(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(32))


def create_people(
    *, root: Path, env: dict[str, str], readers: int, writers: int = 0, prefix: str = "soak"
) -> Site:
    """Create ``readers`` signed-in readers (a session and a personal token each) and ``writers``
    trusted accounts with an account token each; list what the load will visit."""
    print(f"[bench] signing in {readers} readers …", flush=True)
    data = run_snippet(
        root=root,
        env=env,
        snippet=_PEOPLE_SNIPPET,
        tag="soak-json",
        label="signing in readers",
        params={"readers": readers, "writers": writers, "prefix": prefix},
    )
    rng = random.Random(16)
    people = tuple(
        Person(
            user_id=int(item["id"]),
            username=str(item["username"]),
            session=str(item["session"]),
            token=str(item["token"]),
            csrf=_csrf_secret(rng),
            address=f"10.78.{n // 250}.{n % 250 + 1}",
        )
        for n, item in enumerate(data["readers"])
    )
    if not data["articles"]:
        raise BenchError("the demo loaded no published article")
    return Site(
        session_cookie=str(data["session_cookie"]),
        csrf_cookie=str(data["csrf_cookie"]),
        readers=people,
        writers=tuple(data["writers"]),
        articles=tuple(int(pk) for pk in data["articles"]),
        accounts=tuple(int(pk) for pk in data["accounts"]),
        channels=tuple(str(slug) for slug in data["channels"]),
        channel_ids=tuple(int(pk) for pk in data["channel_ids"]),
    )


def person_headers(site: Site, person: Person, *, token: bool) -> dict[str, str]:
    """A write's headers: the personal token, or the session cookie with the CSRF token."""
    headers = {PROXY_HEADER: person.address, "User-Agent": USER_AGENT}
    if token:
        headers["Authorization"] = f"Bearer {person.token}"
    else:
        headers["Cookie"] = (
            f"{site.session_cookie}={person.session}; {site.csrf_cookie}={person.csrf}"
        )
        headers["X-CSRFToken"] = person.csrf
    return headers


# --- The load: closed-loop connections in several processes ---------------------------------


@dataclass(frozen=True)
class Plan:
    port: int
    connections: int
    duration_s: float
    seed: int
    site: Site
    mix: tuple[tuple[str, int], ...] = MIX


@dataclass
class Sample:
    """What one process measured: one row per request."""

    started: list[float] = field(default_factory=list)  # seconds since the phase began
    latency: list[float] = field(default_factory=list)  # seconds
    status: list[int] = field(default_factory=list)  # 0: no answer (connection error, timeout)
    kind: list[int] = field(default_factory=list)  # index into KINDS


def _request(
    plan: Plan, rng: random.Random, kind: str, toggles: dict[tuple[str, int, int], bool]
) -> tuple[str, str, dict[str, str], bytes | None]:
    """The method, path, headers and body of one request of ``kind``."""
    site = plan.site
    if kind.startswith("anon_"):
        headers = {
            PROXY_HEADER: f"10.77.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            "User-Agent": USER_AGENT,
        }
        path = {
            "anon_article": lambda: f"/article/{rng.choice(site.articles)}/",
            "anon_home": lambda: "/",
            "anon_channel": lambda: f"/channel/{rng.choice(site.channels)}/",
            "anon_hot": lambda: "/hot/",
            "anon_search": lambda: (
                "/search/?" + urllib.parse.urlencode({"q": rng.choice(SEARCH_WORDS)})
            ),
            "anon_account": lambda: f"/account/{rng.choice(site.accounts)}/",
        }[kind]()
        return "GET", path, headers, None
    person = rng.choice(site.readers)
    if kind.startswith("user_"):
        headers = person_headers(site, person, token=False)
        del headers["X-CSRFToken"]
        path = {
            "user_article": lambda: f"/article/{rng.choice(site.articles)}/",
            "user_feed": lambda: "/feed/",
            "user_foryou": lambda: "/foryou/",
        }[kind]()
        return "GET", path, headers, None
    headers = person_headers(site, person, token=rng.random() < 0.5)
    if kind == "comment":
        body = {
            "article_id": rng.choice(site.articles),
            "body": f"写得很好，谢谢分享（{rng.randrange(10**6)}）",
        }
        headers["Content-Type"] = "application/json"
        return "POST", "/api/v1/me/comments", headers, json.dumps(body).encode()
    target = rng.choice(site.accounts if kind == "follow" else site.articles)
    key = (kind, person.user_id, target)
    on = not toggles.get(key, False)
    toggles[key] = on
    path = f"/api/v1/me/{ {'like': 'likes', 'favorite': 'favorites', 'follow': 'follows'}[kind] }/{target}"
    return ("PUT" if on else "DELETE"), path, headers, None


def _connection_loop(
    plan: Plan,
    index: int,
    began: float,
    deadline: float,
    stop: Event,
    sample: Sample,
    lock: threading.Lock,
) -> None:
    rng = random.Random(plan.seed * 1000 + index)
    kinds = [kind for kind, _ in plan.mix]
    weights = [weight for _, weight in plan.mix]
    toggles: dict[tuple[str, int, int], bool] = {}
    connection: http.client.HTTPConnection | None = None
    while not stop.is_set() and time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        method, path, headers, body = _request(plan, rng, kind, toggles)
        if connection is None:
            connection = http.client.HTTPConnection(HOST, plan.port, timeout=REQUEST_TIMEOUT_S)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException):
            status = 0
            if connection is not None:
                connection.close()
            connection = None
        ended = time.monotonic()
        with lock:
            sample.started.append(started - began)
            sample.latency.append(ended - started)
            sample.status.append(status)
            sample.kind.append(KINDS.index(kind))
        if status == 0:
            time.sleep(0.05)
    if connection is not None:
        connection.close()


def _worker(plan: Plan, began_wall: float, stop: Event, results: Queue[Sample]) -> None:
    """One process: ``plan.connections`` threads, each a closed loop on its own connection."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and sets stop
    began = time.monotonic() - (time.time() - began_wall)  # the parent's start, on our clock
    deadline = began + plan.duration_s
    sample = Sample()
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=_connection_loop, args=(plan, i, began, deadline, stop, sample, lock)
        )
        for i in range(plan.connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(sample)


def run_load(
    *,
    port: int,
    site: Site,
    connections: int,
    duration_s: float,
    seed: int,
    on_tick: Any = None,
    tick_s: float = 60.0,
    mix: tuple[tuple[str, int], ...] = MIX,
) -> tuple[Sample, bool]:
    """Run the mix for ``duration_s`` over ``connections`` closed-loop connections, spread over
    up to one process per CPU. Returns every request, and whether Ctrl-C cut the run short.
    ``on_tick(elapsed_s)`` runs in this process every ``tick_s`` (memory readings)."""
    context = multiprocessing.get_context("spawn")
    processes = max(1, min(connections, os.cpu_count() or 1))
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    stop = context.Event()
    queue: Queue[Sample] = context.Queue()
    began_wall = time.time()
    workers = [
        context.Process(
            target=_worker,
            args=(
                Plan(port, share, duration_s, seed * 100 + i, site, mix),
                began_wall,
                stop,
                queue,
            ),
            daemon=True,
        )
        for i, share in enumerate(shares)
    ]
    for worker in workers:
        worker.start()
    interrupted = False
    samples: list[Sample] = []
    began = time.monotonic()
    next_tick = tick_s
    try:
        while len(samples) < len(workers):
            elapsed = time.monotonic() - began
            if elapsed > duration_s + GRACE_S:
                raise BenchError("the load generator did not report in time")
            if on_tick is not None and elapsed >= next_tick:
                on_tick(elapsed)
                next_tick += tick_s
            try:
                samples.append(queue.get(timeout=0.5))
            except Empty:
                continue
    except KeyboardInterrupt:
        interrupted = True
        print("\n[bench] Ctrl-C: stopping the load …", flush=True)
        stop.set()
        deadline = time.monotonic() + REQUEST_TIMEOUT_S + 5
        while len(samples) < len(workers) and time.monotonic() < deadline:
            try:
                samples.append(queue.get(timeout=0.5))
            except (Empty, KeyboardInterrupt):
                continue
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
    merged = Sample()
    for sample in samples:
        merged.started += sample.started
        merged.latency += sample.latency
        merged.status += sample.status
        merged.kind += sample.kind
    return merged, interrupted


# --- Figures ------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0–100) of any list; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def _status_class(status: int) -> str:
    if status == 0:
        return "no_answer"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    if status >= 400:
        return "client_error"
    return "ok"


def summarize(sample: Sample, *, duration_s: float) -> dict[str, Any]:
    """Requests per second, percentiles and the outcome of every request, by kind."""
    ok = [lat for lat, st in zip(sample.latency, sample.status, strict=True) if st]
    outcomes = Counter(_status_class(st) for st in sample.status)
    by_kind: dict[str, dict[str, Any]] = {}
    for index, kind in enumerate(KINDS):
        rows = [
            (lat, st)
            for lat, st, k in zip(sample.latency, sample.status, sample.kind, strict=True)
            if k == index
        ]
        answered = [lat for lat, st in rows if st]
        by_kind[kind] = {
            "requests": len(rows),
            "p50_ms": _ms(percentile(answered, 50)),
            "p99_ms": _ms(percentile(answered, 99)),
            "statuses": dict(sorted(Counter(str(st) for _, st in rows).items())),
        }
    return {
        "requests": len(sample.status),
        "rps": round(len(sample.status) / duration_s, 1) if duration_s > 0 else 0.0,
        "p50_ms": _ms(percentile(ok, 50)),
        "p95_ms": _ms(percentile(ok, 95)),
        "p99_ms": _ms(percentile(ok, 99)),
        "server_errors": outcomes["server_error"],
        "rate_limited": outcomes["rate_limited"],
        "client_errors": outcomes["client_error"],
        "no_answer": outcomes["no_answer"],
        "by_kind": by_kind,
    }


def _ms(seconds: float) -> float | None:
    return None if math.isnan(seconds) else round(seconds * 1000, 2)


def windows(sample: Sample, *, duration_s: float, window_s: float) -> list[dict[str, Any]]:
    """p50/p95/p99, requests and errors per window of the run (a request counts in the window
    it started in)."""
    count = max(1, math.ceil(duration_s / window_s - 1e-9))
    rows: list[list[tuple[float, int]]] = [[] for _ in range(count)]
    for started, lat, status in zip(sample.started, sample.latency, sample.status, strict=True):
        rows[min(count - 1, int(started // window_s))].append((lat, status))
    result = []
    for n, row in enumerate(rows):
        answered = [lat for lat, st in row if st]
        span = min(window_s, duration_s - n * window_s)
        result.append(
            {
                "window": n + 1,
                "from_s": round(n * window_s, 1),
                "requests": len(row),
                "rps": round(len(row) / span, 1) if span > 0 else 0.0,
                "p50_ms": _ms(percentile(answered, 50)),
                "p95_ms": _ms(percentile(answered, 95)),
                "p99_ms": _ms(percentile(answered, 99)),
                "server_errors": sum(1 for _, st in row if st >= 500),
                "rate_limited": sum(1 for _, st in row if st == 429),
            }
        )
    return result


def memory_growth(start: dict[str, Any], end: dict[str, Any]) -> dict[str, Any]:
    """Each worker's resident memory at the start and the end, and the largest growth."""
    pairs = list(zip(start["rss_mb"], end["rss_mb"], strict=False))
    growth = [(after - before) / before for before, after in pairs if before > 0]
    worst = max(growth) if growth else math.nan
    total_before, total_after = sum(start["rss_mb"]), sum(end["rss_mb"])
    return {
        "start_mb": start["rss_mb"],
        "end_mb": end["rss_mb"],
        "total_start_mb": round(total_before, 1),
        "total_end_mb": round(total_after, 1),
        "max_growth": None if math.isnan(worst) else round(worst, 4),
        "total_growth": round((total_after - total_before) / total_before, 4)
        if total_before
        else None,
        "goal_growth": GOAL_RSS_GROWTH,
    }


def _rss_by_pid(server: Server) -> dict[str, Any]:
    """worker_memory, with each worker in a stable order (its pid) so that start and end pair."""
    from bench.latency import _group_members, _rss_mb  # the readings worker_memory makes

    pgid = os.getpgid(server.process.pid)
    pids = sorted(pid for pid in _group_members(pgid) if pid != server.process.pid)
    sizes = [(pid, mb) for pid in pids if (mb := _rss_mb(pid)) is not None]
    if not sizes:
        worker_memory(server)  # raises the bench's error
    return {"pids": [pid for pid, _ in sizes], "rss_mb": [round(mb, 1) for _, mb in sizes]}


def verdict(report: dict[str, Any]) -> dict[str, Any]:
    soak = report["soak"]
    rows = [row for row in report["windows"] if row["p99_ms"] is not None]
    first, last = (rows[0]["p99_ms"], rows[-1]["p99_ms"]) if rows else (None, None)
    ratio = round(last / first, 2) if first and last is not None else None
    memory = report["memory"]
    return {
        "server_errors": {
            "value": soak["server_errors"],
            "goal": 0,
            "met": soak["server_errors"] == 0,
        },
        "p99_last_over_first": {
            "value": ratio,
            "goal": GOAL_P99_RATIO,
            "met": ratio is not None and ratio <= GOAL_P99_RATIO,
        },
        "rss_growth": {
            "value": memory["max_growth"],
            "goal": GOAL_RSS_GROWTH,
            "met": memory["max_growth"] is not None and memory["max_growth"] < GOAL_RSS_GROWTH,
        },
    }


def print_report(report: dict[str, Any]) -> None:
    cap, soak = report["capacity"], report["soak"]
    print()
    print(
        f"capacity: {cap['connections']} connections, {cap['duration_s']:.0f} s: "
        f"{cap['rps']} req/s, p50 {cap['p50_ms']} ms, p99 {cap['p99_ms']} ms"
    )
    print(
        f"soak: {soak['connections']} connections (2 × capacity's, closed loop), "
        f"{soak['duration_s']:.0f} s: {soak['rps']} req/s, {soak['requests']} requests"
        f"{' (interrupted)' if report['interrupted'] else ''}"
    )
    print(
        f"  5xx {soak['server_errors']} · 429 {soak['rate_limited']} · "
        f"other 4xx {soak['client_errors']} · no answer {soak['no_answer']}"
    )
    print()
    print(
        f"{'window':>6} {'from s':>7} {'req':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'5xx':>5} {'429':>5}"
    )
    for row in report["windows"]:
        print(
            f"{row['window']:>6} {row['from_s']:>7} {row['requests']:>7} {row['rps']:>7} "
            f"{row['p50_ms']!s:>8} {row['p95_ms']!s:>8} {row['p99_ms']!s:>8} "
            f"{row['server_errors']:>5} {row['rate_limited']:>5}"
        )
    memory = report["memory"]
    print()
    print(
        f"granian workers' VmRSS: start {memory['start_mb']} MB, end {memory['end_mb']} MB "
        f"(largest growth {_pct(memory['max_growth'])})"
    )
    print()
    print(f"{'kind':<14} {'req':>7} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for kind, row in soak["by_kind"].items():
        print(
            f"{kind:<14} {row['requests']:>7} {row['p50_ms']!s:>8} {row['p99_ms']!s:>8}  "
            f"{row['statuses']}"
        )
    print()
    print("goals:")
    for name, goal in report["goals"].items():
        print(
            f"  {name:<22} {goal['value']!s:>8}  goal {goal['goal']}  "
            f"{'met' if goal['met'] else 'NOT MET'}"
        )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:+.1f} %"


# --- The command --------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the soak (10)")
    parser.add_argument(
        "--seconds", type=float, default=None, help="length in seconds (overrides --minutes)"
    )
    parser.add_argument(
        "--capacity-seconds", type=float, default=30.0, help="length of the capacity run (30)"
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=8,
        help="connections of the capacity run; the soak uses twice (8)",
    )
    parser.add_argument(
        "--readers", type=int, default=60, help="signed-in readers the load spreads over (60)"
    )
    parser.add_argument("--workers", type=int, default=2, help="granian workers (2)")
    parser.add_argument(
        "--corpus-limit", type=int, default=2000, help="demo articles to load (2000)"
    )
    parser.add_argument(
        "--window",
        type=float,
        default=60.0,
        help="seconds per row of the table (60; a quarter of a run under 2 windows)",
    )
    parser.add_argument(
        "--results", type=Path, default=RESULTS_PATH, help="where to write the JSON"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp dir (database, server.log)"
    )
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def soak(options: argparse.Namespace, var_dir: Path) -> dict[str, Any]:
    duration = options.seconds if options.seconds is not None else options.minutes * 60
    window = options.window if duration >= 2 * options.window else max(duration / 4, 1.0)
    env = bench_env(var_dir)
    env["ZIXUN_PROXY_HEADER"] = PROXY_HEADER  # requests come through a "proxy" on 127.0.0.1
    env = build_site(root=ROOT, env=env, corpus_limit=options.corpus_limit)
    site = create_people(root=ROOT, env=env, readers=options.readers)
    report: dict[str, Any] = {
        "interrupted": False,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    with serve(
        root=ROOT, env=env, workers=options.workers, log_path=var_dir / "server.log"
    ) as server:
        for path in ("/", f"/article/{site.articles[0]}/", "/hot/"):
            server.get_ok(path, {"User-Agent": USER_AGENT})
        print(
            f"[bench] capacity: {options.connections} connections, closed loop, "
            f"{options.capacity_seconds:.0f} s …",
            flush=True,
        )
        sample, interrupted = run_load(
            port=server.port,
            site=site,
            connections=options.connections,
            duration_s=options.capacity_seconds,
            seed=options.seed,
        )
        capacity = summarize(sample, duration_s=options.capacity_seconds)
        report["capacity"] = {
            "connections": options.connections,
            "duration_s": options.capacity_seconds,
            **capacity,
        }
        print(f"[bench]   {capacity['rps']} req/s, p99 {capacity['p99_ms']} ms", flush=True)
        if interrupted:
            raise KeyboardInterrupt
        start = _rss_by_pid(server)
        readings = [{"at_s": 0.0, "rss_mb": start["rss_mb"]}]

        def tick(elapsed: float) -> None:
            readings.append({"at_s": round(elapsed, 1), "rss_mb": _rss_by_pid(server)["rss_mb"]})
            print(
                f"[bench]   {elapsed:.0f} s: workers' VmRSS {readings[-1]['rss_mb']} MB", flush=True
            )

        connections = options.connections * 2
        print(
            f"[bench] soak: {connections} connections, closed loop, {duration:.0f} s …", flush=True
        )
        began = time.monotonic()
        sample, interrupted = run_load(
            port=server.port,
            site=site,
            connections=connections,
            duration_s=duration,
            seed=options.seed + 1,
            on_tick=tick,
            tick_s=window,
        )
        ran = min(duration, time.monotonic() - began)
        end = _rss_by_pid(server)
        readings.append({"at_s": round(ran, 1), "rss_mb": end["rss_mb"]})
        report["interrupted"] = interrupted
        report["soak"] = {
            "connections": connections,
            "duration_s": round(ran, 1),
            "mode": "closed loop, 2 × the capacity run's connections",
            **summarize(sample, duration_s=ran),
        }
        report["windows"] = windows(sample, duration_s=ran, window_s=window)
        report["window_s"] = window
        report["memory"] = {**memory_growth(start, end), "readings": readings}
        report["workers"] = options.workers
        report["readers"] = options.readers
        report["corpus_articles"] = len(site.articles)
        report["server_log_tail"] = log_tail(server.log_path, lines=20)
    report["goals"] = verdict(report)
    return report


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    var_dir = Path(tempfile.mkdtemp(prefix="zixun-soak-"))
    try:
        report = soak(options, var_dir)
    except KeyboardInterrupt:
        print("[bench] interrupted before the soak ran; nothing written", flush=True)
        return 130
    except BenchError as error:
        print(f"[bench] error: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
        if options.keep:
            print(f"[bench] kept {var_dir}", flush=True)
        else:
            shutil.rmtree(var_dir, ignore_errors=True)
    print_report(report)
    if tail := report.pop("server_log_tail", ""):
        print(f"\nserver log (end):\n{tail}")
    options.results.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\n[bench] wrote {options.results}")
    return 0 if all(goal["met"] for goal in report["goals"].values()) else 2


if __name__ == "__main__":
    raise SystemExit(main())
