"""``python -m bench.crash``: crash safety (issue #16, item 5).

Against the site served as in production (granian, WSGI) and its task worker (``zixun worker``),
on SQLite (WAL) and then on PostgreSQL when ``--postgres-url`` reaches a server:

- writers publish through the API with account tokens (create a draft, submit it: live at once
  for a trusted account) and edit published articles (a new revision); readers like, unlike,
  favourite, follow and unfollow and comment with personal tokens; viewers load article pages;
- at random moments the granian server (its whole process group) or the worker, or both, get
  SIGKILL and are started again;
- every write the client got a 2xx for is recorded as acknowledged.

Then, with everything stopped: ``zixun worker --batch`` runs what is queued, and the checks are

- 0 acknowledged writes missing: articles, publications, edits (the title), comments, likes,
  favourites, follows (the last acknowledged state, when no unanswered attempt followed it);
- 0 half-published articles: every published article has published_at, a revision with its
  current title, an ``article.publish`` audit entry and a publish event;
- counters against COUNT(*): how many differ before ``zixun recount``, and 0 after it;
- every interrupted task done exactly once: every published article is in the search index
  (its SearchDocument present, not dirty), one ``article.publish`` entry per publication, no task
  left running or failed; what the follow-up repair of ``zixun publish-due`` (the minutely sweep) still has to
  repair is reported;
- SQLite: ``PRAGMA integrity_check`` is ``ok``;
- views: how many of the article pages served were counted (the in-process view buffer loses up
  to ZIXUN_VIEW_FLUSH_SECONDS of a killed worker's views, see zixun/engagement/viewcount.py).

A table, and ``bench/crash-results.json``. Ctrl-C stops the load, the server and the worker.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from bench.database import bench_env, run_snippet
from bench.errors import BenchError
from bench.server import HOST, ZIXUN_APP, free_port, log_tail, server_argv
from bench.soak import PROXY_HEADER, USER_AGENT, Site, build_site, create_people

ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = ROOT / "bench" / "crash-results.json"
REQUEST_TIMEOUT_S = 20.0
READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 15.0
BODY = "第一段：崩溃测试写入的正文。\n\n第二段：服务被强行终止后，已确认的写入必须都在。"


# --- The served site and its worker, killed and started again ------------------------------


@dataclass
class Processes:
    """The granian server and the task worker, each in its own process group."""

    env: dict[str, str]
    var_dir: Path
    workers: int
    port: int = field(default_factory=free_port)
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    kills: list[dict[str, Any]] = field(default_factory=list)

    def _spawn(self, argv: list[str], log_name: str) -> subprocess.Popen[bytes]:
        with (self.var_dir / log_name).open("ab") as log:
            return subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_server(self) -> float:
        """Start granian on the same port as before; returns how long until it answered."""
        started = time.monotonic()
        argv = server_argv(port=self.port, workers=self.workers, granian=None, app=ZIXUN_APP)
        self.server = self._spawn(argv, "server.log")
        deadline = started + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise BenchError(
                    f"granian exited with {self.server.returncode}:\n"
                    f"{log_tail(self.var_dir / 'server.log')}"
                )
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
                connection.request("GET", "/api/v1/channels")
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return time.monotonic() - started
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise BenchError(f"granian not ready after {READY_TIMEOUT_S:.0f} s")

    def start_worker(self) -> None:
        zixun = ROOT / ".venv" / "bin" / "zixun"
        self.worker = self._spawn([str(zixun), "worker", "--interval", "0.5"], "worker.log")

    def kill(self, which: str) -> None:
        """SIGKILL ``server`` or ``worker`` (its whole process group)."""
        process = self.server if which == "server" else self.worker
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        process.wait(timeout=STOP_TIMEOUT_S)

    def stop(self) -> None:
        """SIGTERM both process groups, SIGKILL what lingers."""
        for process in (self.server, self.worker):
            if process is None or process.poll() is not None:
                continue
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    process.wait(timeout=STOP_TIMEOUT_S)
                    break
                except subprocess.TimeoutExpired:
                    continue


# --- The clients and what they were told ---------------------------------------------------


@dataclass
class Ledger:
    """What the clients sent and what the server acknowledged (a 2xx)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    created: set[int] = field(default_factory=set)  # drafts answered 201
    published: set[int] = field(default_factory=set)  # submits answered "published"
    # Per article, each title sent, in order, and whether it was acknowledged.
    titles: dict[int, list[tuple[str, bool]]] = field(default_factory=dict)
    comments: set[int] = field(default_factory=set)
    # Per (kind, user, target): each state sent, in order, and whether it was acknowledged.
    toggles: dict[tuple[str, int, int], list[tuple[bool, bool]]] = field(default_factory=dict)
    views: Counter[int] = field(default_factory=Counter)  # article pages served with 200
    sent: Counter[str] = field(default_factory=Counter)
    acknowledged: Counter[str] = field(default_factory=Counter)
    unanswered: Counter[str] = field(default_factory=Counter)  # no answer: maybe done, maybe not
    statuses: Counter[str] = field(default_factory=Counter)

    def count(self, kind: str, status: int) -> None:
        with self.lock:
            self.sent[kind] += 1
            self.statuses[f"{kind} {status}"] += 1
            if 200 <= status < 300:
                self.acknowledged[kind] += 1
            elif status == 0:
                self.unanswered[kind] += 1


class Client:
    """One keep-alive connection to the server, reopened after any failure."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def call(
        self, method: str, path: str, headers: dict[str, str], body: Any = None
    ) -> tuple[int, Any]:
        """The status (0: no answer) and the JSON body (None if none)."""
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers = {**headers, "Content-Type": "application/json"}
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_S)
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
            if response.will_close:
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, None
        try:
            payload = json.loads(raw) if raw and raw[:1] in (b"{", b"[") else None
        except ValueError:
            payload = None
        return response.status, payload

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass(frozen=True)
class Load:
    port: int
    site: Site
    ledger: Ledger
    stop: threading.Event
    seed: int


def _pause(load: Load, status: int) -> None:
    """Back off while the server is down (no answer) or a limit is reached."""
    if status in (0, 429):
        load.stop.wait(0.3)


def writer_loop(load: Load, index: int, writer: dict[str, Any]) -> None:
    """Publish and edit through the API with one account token."""
    rng = random.Random(load.seed * 1000 + index)
    client = Client(load.port)
    headers = {
        "Authorization": f"Bearer {writer['token']}",
        PROXY_HEADER: f"10.79.0.{index + 1}",
        "User-Agent": USER_AGENT,
    }
    ledger = load.ledger
    mine: list[int] = []  # this writer's published articles
    n = 0
    while not load.stop.is_set():
        n += 1
        if mine and rng.random() < 0.35:
            article_id = rng.choice(mine)
            title = f"崩溃测试 {writer['creator_id']}-{article_id} 第{n}次修改"
            with ledger.lock:
                ledger.titles.setdefault(article_id, []).append((title, False))
            status, _ = client.call(
                "PATCH",
                f"/api/v1/me/articles/{article_id}",
                headers,
                {"title": title, "note": f"第{n}次修改"},
            )
            ledger.count("edit", status)
            if status != 0:  # answered: done (2xx) or refused, changing nothing
                with ledger.lock:
                    attempts = ledger.titles[article_id]
                    position = attempts.index((title, False))
                    if 200 <= status < 300:
                        attempts[position] = (title, True)
                    else:
                        attempts.pop(position)
            _pause(load, status)
            continue
        title = f"崩溃测试 {writer['creator_id']}-{n}"
        body = {
            "title": title,
            "body_markdown": BODY,
            "channel_id": rng.choice(load.site.channel_ids),
        }
        status, payload = client.call("POST", "/api/v1/me/articles", headers, body)
        ledger.count("create", status)
        if status != 201 or not isinstance(payload, dict):
            _pause(load, status)
            continue
        article_id = int(payload["id"])
        with ledger.lock:
            ledger.created.add(article_id)
            ledger.titles[article_id] = [(title, True)]
        status, payload = client.call("POST", f"/api/v1/me/articles/{article_id}/submit", headers)
        ledger.count("publish", status)
        if status == 200 and isinstance(payload, dict) and payload.get("status") == "published":
            with ledger.lock:
                ledger.published.add(article_id)
            mine.append(article_id)
        _pause(load, status)


_TOGGLE_PATHS = {"like": "likes", "favorite": "favorites", "follow": "follows"}


def reader_loop(load: Load, index: int, readers: list[Any]) -> None:
    """Like, favourite, follow (and undo) and comment with personal tokens; each reader is
    driven by this one thread, so the order of its writes is the order they were sent."""
    rng = random.Random(load.seed * 1000 + 500 + index)
    client = Client(load.port)
    ledger = load.ledger
    site = load.site
    states: dict[tuple[str, int, int], bool] = {}
    articles = site.articles[:40]  # a few articles, so that toggles come back to the same rows
    while not load.stop.is_set():
        person = rng.choice(readers)
        headers = {
            "Authorization": f"Bearer {person.token}",
            PROXY_HEADER: person.address,
            "User-Agent": USER_AGENT,
        }
        kind = rng.choices(("like", "favorite", "follow", "comment"), (4, 3, 2, 1))[0]
        if kind == "comment":
            body = {
                "article_id": rng.choice(articles),
                "body": f"崩溃测试的跟贴 {rng.randrange(10**9)}",
            }
            status, payload = client.call("POST", "/api/v1/me/comments", headers, body)
            ledger.count("comment", status)
            if status == 201 and isinstance(payload, dict):
                with ledger.lock:
                    ledger.comments.add(int(payload["id"]))
            _pause(load, status)
            load.stop.wait(0.05)
            continue
        target = rng.choice(site.accounts[:20] if kind == "follow" else articles)
        key = (kind, person.user_id, target)
        on = not states.get(key, False)
        states[key] = on
        with ledger.lock:
            attempts = ledger.toggles.setdefault(key, [])
            attempts.append((on, False))
            position = len(attempts) - 1
        status, _ = client.call(
            "PUT" if on else "DELETE", f"/api/v1/me/{_TOGGLE_PATHS[kind]}/{target}", headers
        )
        ledger.count(kind, status)
        with ledger.lock:
            if 200 <= status < 300:
                attempts[position] = (on, True)
            elif status != 0:  # refused (a 429): changed nothing, so it is no attempt
                attempts.pop(position)
                states[key] = not on
        _pause(load, status)
        load.stop.wait(0.05)


def viewer_loop(load: Load, index: int) -> None:
    """Anonymous article pages, each from a new address (so that each counts as a view)."""
    rng = random.Random(load.seed * 1000 + 900 + index)
    client = Client(load.port)
    while not load.stop.is_set():
        article_id = rng.choice(load.site.articles[:200])
        headers = {
            PROXY_HEADER: f"10.{80 + index}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            "User-Agent": USER_AGENT,
        }
        status, _ = client.call("GET", f"/article/{article_id}/", headers)
        load.ledger.count("view", status)
        if status == 200:
            with load.ledger.lock:
                load.ledger.views[article_id] += 1
        _pause(load, status)


# --- The checks, in the site's own database -----------------------------------------------

# Runs in `manage.py shell -c` with PARAMS prepended; prints one `crash-json {...}` line.
_CHECK_SNIPPET = """\
import json
from collections import Counter
from django.conf import settings
from django.db import connection
from django.db.models import Count, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from zixun.articles.models import Article
from zixun.audit.models import AuditEntry
from zixun.creators.models import Creator, Follow
from zixun.engagement.models import Comment, Favorite, Like
from zixun.events.models import Event
from zixun.search.models import SearchDocument

def counted(model, field, **filters):
    rows = model.objects.filter(**{field: OuterRef("pk")}, **filters).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), Value(0))

out = {}
if PARAMS["mode"] == "baseline":
    out["views"] = Article.objects.aggregate(n=Sum("view_count"))["n"] or 0
    print("crash-json", json.dumps(out))
    raise SystemExit(0)

def check():
    out = {}
    published = Article.objects.filter(status="published", deleted_at__isnull=True)
    pub_ids = set(published.values_list("pk", flat=True))
    articles = {a["pk"]: a for a in Article.objects.filter(pk__in=PARAMS["created"]).values("pk", "status", "title")}
    out["missing_articles"] = sorted(set(PARAMS["created"]) - set(articles))
    out["missing_publications"] = sorted(pk for pk in PARAMS["published"]
                                         if articles.get(pk, {}).get("status") != "published")
    wrong_titles = []
    for pk, allowed in PARAMS["titles"].items():
        if int(pk) in articles and articles[int(pk)]["title"] not in allowed:
            wrong_titles.append(int(pk))
    out["lost_edits"] = sorted(wrong_titles)
    out["missing_comments"] = sorted(set(PARAMS["comments"]) - set(
        Comment.objects.filter(pk__in=PARAMS["comments"]).values_list("pk", flat=True)))
    lost = {}
    for kind, user, target, state in PARAMS["toggles"]:
        model, field = {"like": (Like, "article_id"), "favorite": (Favorite, "article_id"),
                        "follow": (Follow, "creator_id")}[kind]
        exists = model.objects.filter(user_id=user, **{field: target}).exists()
        if exists != state:
            lost.setdefault(kind, []).append([user, target, state])
    out["lost_toggles"] = lost

    # Half-published: live without its publication time, a revision with its title, the audit
    # entry or the publish event (all written in the publish's transaction).
    with_revision = set(published.filter(revisions__title=F("title")).values_list("pk", flat=True))
    audited = Counter()
    for target in AuditEntry.objects.filter(action="article.publish", target_type="articles.article").values_list("target_id", flat=True):
        audited[target] += 1
    evented = set(Event.objects.filter(kind=Event.Kind.PUBLISH, article_id__in=pub_ids).values_list("article_id", flat=True))
    half = {}
    ours = set(published.filter(creator_id__in=PARAMS["creators"]).values_list("pk", flat=True))
    for pk in ours:
        reasons = []
        if pk not in with_revision:
            reasons.append("no revision with its title")
        if not audited.get(pk):
            reasons.append("no publish audit entry")
        if pk not in evented:
            reasons.append("no publish event")
        if reasons:
            half[pk] = reasons
    half.update({pk: ["no published_at"] for pk in published.filter(pk__in=ours, published_at__isnull=True).values_list("pk", flat=True)})
    out["half_published"] = {str(k): v for k, v in sorted(half.items())}
    out["published_total"] = len(pub_ids)
    out["published_by_run"] = len(ours)
    out["published_twice"] = sorted(pk for pk in PARAMS["published"] if audited.get(pk, 0) > 1)

    # Counters against COUNT(*).
    checks = {
        "article.like_count": Article.objects.annotate(n=counted(Like, "article")).exclude(like_count=F("n")),
        "article.favorite_count": Article.objects.annotate(n=counted(Favorite, "article")).exclude(favorite_count=F("n")),
        "article.comment_count": Article.objects.annotate(n=counted(Comment, "article", status="visible")).exclude(comment_count=F("n")),
        "creator.follower_count": Creator.objects.annotate(n=counted(Follow, "creator")).exclude(follower_count=F("n")),
        "creator.article_count": Creator.objects.annotate(n=counted(Article, "creator", status="published", deleted_at__isnull=True)).exclude(article_count=F("n")),
    }
    out["counters_differing"] = {name: qs.count() for name, qs in checks.items()}

    # Tasks: the index has every published article; nothing left running or failed.
    docs = dict(SearchDocument.objects.filter(article_id__in=pub_ids).values_list("article_id", "dirty"))
    out["search_missing"] = sorted(pk for pk in pub_ids if pk not in docs)
    out["search_dirty"] = sorted(pk for pk, dirty in docs.items() if dirty)
    out["search_dirty_total"] = SearchDocument.objects.filter(dirty=True).count()
    tasks = {}
    from django_tasks_db.models import DBTaskResult
    tasks["database"] = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("pk")))
    if settings.ZIXUN_TASK_QUEUE == "database":
        # The follow-up of each article the run published: the newest task for it must have run.
        follow_ups = {}
        rows = DBTaskResult.objects.filter(task_path__endswith="article_after_change_task")
        for args, status, when in rows.values_list("args_kwargs", "status", "enqueued_at"):
            article_id = (args.get("kwargs") or {}).get("article_id")
            if article_id in ours and (article_id not in follow_ups or when > follow_ups[article_id][0]):
                follow_ups[article_id] = (when, status)
        tasks["follow_up_never_enqueued"] = sorted(pk for pk in ours if pk not in follow_ups)
        tasks["follow_up_not_done"] = sorted(
            pk for pk, (_, st) in follow_ups.items() if st != "SUCCESSFUL"
        )
    if settings.ZIXUN_TASK_QUEUE == "redis":
        import django_rq
        from rq.registry import FailedJobRegistry, StartedJobRegistry
        queue = django_rq.get_queue("default")
        tasks["redis"] = {"queued": queue.count,
                          "started": len(StartedJobRegistry(queue=queue)),
                          "failed": len(FailedJobRegistry(queue=queue))}
    out["tasks"] = tasks
    out["views"] = Article.objects.aggregate(n=Sum("view_count"))["n"] or 0
    out["vendor"] = connection.vendor
    return out


from io import StringIO
from django.core.management import call_command

result = {"before": check()}
text = StringIO()
call_command("engagement_recount", stdout=text)
result["recount_output"] = text.getvalue().strip()
result["after"] = check()
# The minutely sweep (zixun publish-due) once the lost follow-ups are overdue: it runs them.
from datetime import timedelta
from zixun.articles.services.publishing import article_followups_repair
result["sweep_output"] = f"follow-ups run again: {article_followups_repair(older_than=timedelta(0))}"
result["swept"] = check()
print("crash-json", json.dumps(result))
"""


def _allowed_titles(attempts: list[tuple[str, bool]]) -> list[str] | None:
    """The titles an article may have: the last acknowledged one and any sent after it."""
    last = max((i for i, (_, acked) in enumerate(attempts) if acked), default=None)
    if last is None:
        return None
    return [title for title, _ in attempts[last:]]


def _expected_toggles(ledger: Ledger) -> tuple[list[list[Any]], int]:
    """(kind, user, target, state) whose last attempt was acknowledged; and how many keys an
    unanswered attempt after the last acknowledgement leaves undecided."""
    expected = []
    undecided = 0
    for (kind, user, target), attempts in ledger.toggles.items():
        last = max((i for i, (_, acked) in enumerate(attempts) if acked), default=None)
        if last is None:
            continue
        states = {state for state, _ in attempts[last:]}
        if len(states) == 1:
            expected.append([kind, user, target, attempts[last][0]])
        else:
            undecided += 1
    return expected, undecided


def check_site(*, env: dict[str, str], ledger: Ledger, creators: list[int]) -> dict[str, Any]:
    """The checks after the run (``before``), after ``zixun recount`` (``after``) and after
    ``zixun search-reindex --dirty`` (``swept``), in one process."""
    titles = {
        str(pk): allowed
        for pk, attempts in ledger.titles.items()
        if (allowed := _allowed_titles(attempts)) is not None
    }
    toggles, undecided = _expected_toggles(ledger)
    params = {
        "mode": "check",
        "creators": creators,
        "created": sorted(ledger.created),
        "published": sorted(ledger.published),
        "titles": titles,
        "comments": sorted(ledger.comments),
        "toggles": toggles,
    }
    data = run_snippet(
        root=ROOT,
        env=env,
        snippet=_CHECK_SNIPPET,
        params=params,
        tag="crash-json",
        label="checking the site (then zixun recount, then the follow-up repair sweep)",
    )
    for phase in ("before", "after", "swept"):
        data[phase]["toggles_checked"] = len(toggles)
        data[phase]["toggles_undecided"] = undecided
    return data


def _zixun(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "zixun"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(
            f"zixun {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    return result.stdout.strip()


def integrity_check(var_dir: Path) -> str:
    connection = sqlite3.connect(var_dir / "zixun.sqlite3")
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    return "; ".join(str(row[0]) for row in rows)


# --- One run: a backend, its load and its kills ---------------------------------------------


@dataclass(frozen=True)
class Options:
    seconds: float
    kills: int
    writers: int
    readers: int
    viewers: int
    workers: int
    corpus_limit: int
    seed: int
    postgres_url: str | None
    redis_url: str | None
    backends: tuple[str, ...]
    results: Path
    keep: bool
    sync_cost: float | None = None
    view_flush: float | None = None


def _postgres(url: str, *, create: bool) -> None:
    """Create (emptied first) or drop the database ``url`` names."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


def postgres_reachable(url: str) -> bool:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def kill_plan(options: Options, rng: random.Random) -> list[tuple[float, str]]:
    """What to kill, and how long to wait before, counted from the end of the previous restart
    (so that the load builds up again between two kills): a random moment in each of ``kills``
    equal slots of the run. The server and the worker are each killed at least once when there
    are two kills or more; a single kill kills both."""
    slot = options.seconds * 0.85 / max(1, options.kills)
    gaps = [rng.uniform(0.3, 1.0) * slot for _ in range(options.kills)]
    victims = [rng.choice(("server", "worker", "both")) for _ in gaps]
    if len(victims) >= 2 and "server" not in victims and "both" not in victims:
        victims[0] = "server"
    if len(victims) >= 2 and "worker" not in victims and "both" not in victims:
        victims[-1] = "worker"
    if len(victims) == 1:
        victims = ["both"]
    return list(zip(gaps, victims, strict=True))


def run_backend(backend: str, options: Options, var_dir: Path) -> dict[str, Any]:
    env = bench_env(var_dir)
    env["ZIXUN_PROXY_HEADER"] = PROXY_HEADER
    env["ZIXUN_TASK_QUEUE"] = "database"
    if options.view_flush is not None:
        env["ZIXUN_VIEW_FLUSH_SECONDS"] = str(options.view_flush)
    if backend == "postgresql":
        assert options.postgres_url is not None
        _postgres(options.postgres_url, create=True)
        env["DATABASE_URL"] = options.postgres_url
        if options.redis_url:
            _redis_flush(options.redis_url)
            env["REDIS_URL"] = options.redis_url
            env["ZIXUN_TASK_QUEUE"] = "redis"
    print(f"[crash] {backend}: building the site in {var_dir} …", flush=True)
    env = build_site(root=ROOT, env=env, corpus_limit=options.corpus_limit)
    site = create_people(
        root=ROOT, env=env, readers=options.readers, writers=options.writers, prefix="crash"
    )
    _zixun(env, "worker", "--batch")  # what loading the demo queued
    baseline = run_snippet(
        root=ROOT,
        env=env,
        snippet=_CHECK_SNIPPET,
        params={"mode": "baseline"},
        tag="crash-json",
        label="baseline",
    )
    flush_s = float(env.get("ZIXUN_VIEW_FLUSH_SECONDS", "10"))
    rng = random.Random(options.seed)
    processes = Processes(env=env, var_dir=var_dir, workers=options.workers)
    ledger = Ledger()
    stop = threading.Event()
    load = Load(port=processes.port, site=site, ledger=ledger, stop=stop, seed=options.seed)
    threads: list[threading.Thread] = []
    interrupted = False
    restarts: list[float] = []
    try:
        processes.start_server()
        processes.start_worker()
        readers = list(site.readers)
        share = max(1, len(readers) // max(1, options.writers))
        threads = [
            threading.Thread(target=writer_loop, args=(load, i, writer), daemon=True)
            for i, writer in enumerate(site.writers)
        ]
        groups = [readers[i::share] for i in range(min(share, len(readers)))] if readers else []
        threads += [
            threading.Thread(target=reader_loop, args=(load, i, group), daemon=True)
            for i, group in enumerate(groups)
        ]
        threads += [
            threading.Thread(target=viewer_loop, args=(load, i), daemon=True)
            for i in range(options.viewers)
        ]
        for thread in threads:
            thread.start()
        began = time.monotonic()
        print(
            f"[crash] {backend}: load for {options.seconds:.0f} s, {options.kills} kills "
            f"({len(site.writers)} writers, {len(groups)} reader threads, "
            f"{options.viewers} viewers) …",
            flush=True,
        )
        for gap, victim in kill_plan(options, rng):
            stop.wait(gap)
            views_before = sum(ledger.views.values())
            for which in ("server", "worker") if victim == "both" else (victim,):
                processes.kill(which)
            processes.kills.append(
                {
                    "at_s": round(time.monotonic() - began, 1),
                    "killed": victim,
                    "views_served_so_far": views_before,
                }
            )
            print(f"[crash]   {time.monotonic() - began:5.1f} s: SIGKILL {victim}", flush=True)
            stop.wait(rng.uniform(0.0, 1.0))
            if victim in ("server", "both"):
                restarts.append(processes.start_server())
            if victim in ("worker", "both"):
                processes.start_worker()
        # At least a few seconds of load after the last restart.
        stop.wait(max(5.0, options.seconds - (time.monotonic() - began)))
    except KeyboardInterrupt:
        interrupted = True
        print("\n[crash] Ctrl-C: stopping …", flush=True)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT_S + 5)
        if not interrupted:
            # Let every worker write its buffered views and the queue drain, then stop.
            time.sleep(flush_s + 2)
        processes.stop()
    if interrupted:
        raise KeyboardInterrupt
    print(f"[crash] {backend}: zixun worker --batch, then the checks …", flush=True)
    _zixun(env, "worker", "--batch")
    creators = [int(writer["creator_id"]) for writer in site.writers]
    checked = check_site(env=env, ledger=ledger, creators=creators)
    before, after, swept = checked["before"], checked["after"], checked["swept"]
    recount, sweep = checked["recount_output"], checked["sweep_output"]
    result: dict[str, Any] = {
        "backend": backend,
        "task_queue": env["ZIXUN_TASK_QUEUE"],
        "seconds": options.seconds,
        "kills": processes.kills,
        "server_restart_s": [round(s, 1) for s in restarts],
        "sent": dict(ledger.sent),
        "acknowledged": dict(ledger.acknowledged),
        "unanswered": dict(ledger.unanswered),
        "statuses": dict(sorted(ledger.statuses.items())),
        "acknowledged_ids": {
            "articles": len(ledger.created),
            "published": len(ledger.published),
            "comments": len(ledger.comments),
            "toggles_checked": after["toggles_checked"],
            "toggles_undecided": after["toggles_undecided"],
        },
        "missing": {
            "articles": before["missing_articles"],
            "publications": before["missing_publications"],
            "edits": before["lost_edits"],
            "comments": before["missing_comments"],
            "toggles": before["lost_toggles"],
        },
        "half_published": before["half_published"],
        "published_total": before["published_total"],
        "published_by_run": before["published_by_run"],
        "published_twice": before["published_twice"],
        "counters_differing_before_recount": before["counters_differing"],
        "counters_differing_after_recount": after["counters_differing"],
        "recount_output": recount,
        "search_after_worker": {
            "missing": before["search_missing"],
            "dirty": before["search_dirty"],
        },
        "search_after_sweep": {
            "missing": swept["search_missing"],
            "dirty": swept["search_dirty"],
            "sweep_output": sweep,
        },
        "tasks_after_worker": before["tasks"],
        "views": {
            "served": sum(ledger.views.values()),
            "counted": before["views"] - baseline["views"],
            "flush_seconds": flush_s,
            "server_kills": sum(1 for kill in processes.kills if kill["killed"] != "worker"),
        },
    }
    result["views"]["lost"] = result["views"]["served"] - result["views"]["counted"]
    if backend == "sqlite":
        result["integrity_check"] = integrity_check(var_dir)
    result["goals"] = goals(result)
    return result


def goals(result: dict[str, Any]) -> dict[str, Any]:
    missing = result["missing"]
    lost = sum(len(v) for k, v in missing.items() if k != "toggles") + sum(
        len(v) for v in missing["toggles"].values()
    )
    tasks = result["tasks_after_worker"]
    stuck = tasks.get("database", {}).get("RUNNING", 0) + tasks.get("database", {}).get("FAILED", 0)
    stuck += tasks.get("redis", {}).get("started", 0) + tasks.get("redis", {}).get("failed", 0)
    out = {
        "acknowledged_writes_missing": {"value": lost, "goal": 0},
        "half_published_articles": {"value": len(result["half_published"]), "goal": 0},
        "counters_differing_after_recount": {
            "value": sum(result["counters_differing_after_recount"].values()),
            "goal": 0,
        },
        "published_twice": {"value": len(result["published_twice"]), "goal": 0},
        "index_missing_or_dirty_after_worker": {
            "value": len(result["search_after_worker"]["missing"])
            + len(result["search_after_worker"]["dirty"]),
            "goal": 0,
        },
        "tasks_left_running_or_failed": {"value": stuck, "goal": 0},
        "follow_up_tasks_lost": {
            "value": len(tasks.get("follow_up_never_enqueued", []))
            + len(tasks.get("follow_up_not_done", [])),
            "goal": 0,
        },
        "index_missing_or_dirty_after_sweep": {
            "value": len(result["search_after_sweep"]["missing"])
            + len(result["search_after_sweep"]["dirty"]),
            "goal": 0,
        },
    }
    if "integrity_check" in result:
        out["sqlite_integrity_check"] = {"value": result["integrity_check"], "goal": "ok"}
    for goal in out.values():
        goal["met"] = goal["value"] == goal["goal"]
    return out


def print_result(result: dict[str, Any]) -> None:
    print()
    print(
        f"== {result['backend']} (task queue: {result['task_queue']}), {result['seconds']:.0f} s, "
        f"{len(result['kills'])} kills =="
    )
    print("kills: " + ", ".join(f"{k['at_s']} s {k['killed']}" for k in result["kills"]))
    print(f"server restarts took {result['server_restart_s']} s")
    print(f"{'write':<10} {'sent':>6} {'2xx':>6} {'no answer':>10}")
    for kind in ("create", "publish", "edit", "comment", "like", "favorite", "follow", "view"):
        print(
            f"{kind:<10} {result['sent'].get(kind, 0):>6} {result['acknowledged'].get(kind, 0):>6} "
            f"{result['unanswered'].get(kind, 0):>10}"
        )
    ids = result["acknowledged_ids"]
    print(
        f"acknowledged: {ids['articles']} articles, {ids['published']} publications, "
        f"{ids['comments']} comments, {ids['toggles_checked']} like/favourite/follow states "
        f"({ids['toggles_undecided']} left undecided by an unanswered attempt)"
    )
    print(f"counters differing before recount: {result['counters_differing_before_recount']}")
    views = result["views"]
    print(
        f"views: {views['served']} pages served, {views['counted']} counted, {views['lost']} lost "
        f"over {views['server_kills']} server kills (flush every {views['flush_seconds']:.0f} s)"
    )
    print(f"tasks after the worker: {result['tasks_after_worker']}")
    for name, goal in result["goals"].items():
        print(
            f"  {name:<38} {goal['value']!s:>6}  goal {goal['goal']}  "
            f"{'met' if goal['met'] else 'NOT MET'}"
        )


# --- The cost of synchronous=FULL on the write path (ADR 0017) --------------------------------

# Writes 70 %: like, favourite and follow toggles and comments through the API, with signed-in
# and anonymous article pages between them.
WRITE_MIX: tuple[tuple[str, int], ...] = (
    ("like", 30),
    ("favorite", 20),
    ("follow", 10),
    ("comment", 10),
    ("user_article", 15),
    ("anon_article", 15),
)
_SYNC_SETTINGS = """\
import os
import re

from config.settings import *  # noqa: F403
from config.settings import DATABASES

_command = DATABASES["default"]["OPTIONS"]["init_command"]
assert re.search(r"synchronous=\\w+", _command), _command
DATABASES["default"]["OPTIONS"]["init_command"] = re.sub(
    r"synchronous=\\w+", "synchronous=" + os.environ["BENCH_SQLITE_SYNCHRONOUS"], _command
)
"""
_SYNC_SNIPPET = """\
import json
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA synchronous")
    value = cursor.fetchone()[0]
print("sync-json", json.dumps({"synchronous": value}))
"""


# One write transaction after another through the services, NORMAL and FULL in turns on the same
# connection (PRAGMA synchronous is per connection): the cost of the fsync per commit alone.
_SYNC_SERVICES_SNIPPET = """\
import json, statistics, time
from django.db import connection
from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.engagement.services import article_like, article_unlike, comment_create

users = list(User.objects.filter(username__startswith="sync-").order_by("pk")[:50])
articles = list(Article.objects.filter(status="published").order_by("pk").values_list("pk", flat=True)[:50])
times = {"NORMAL": [], "FULL": []}
n = 0
for batch in range(PARAMS["batches"]):
    for mode in ("NORMAL", "FULL") if batch % 2 == 0 else ("FULL", "NORMAL"):
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={mode}")
        for _ in range(PARAMS["ops"]):
            n += 1
            user, article = users[n % len(users)], articles[(n // len(users)) % len(articles)]
            for call in (
                lambda: article_like(user=user, article_id=article),
                lambda: article_unlike(user=user, article_id=article),
                lambda: comment_create(user=user, article_id=article, body=f"同步测试的跟贴 {n}"),
            ):
                started = time.perf_counter()
                call()
                times[mode].append((time.perf_counter() - started) * 1000)
out = {}
for mode, values in times.items():
    values.sort()
    out[mode] = {"transactions": len(values), "median_ms": round(statistics.median(values), 3),
                 "p90_ms": round(values[int(0.9 * (len(values) - 1))], 3),
                 "mean_ms": round(statistics.fmean(values), 3)}
print("sync-json", json.dumps(out))
"""


def sync_cost(
    *, seconds: float, rounds: int, connections: int, corpus_limit: int, seed: int, workers: int
) -> dict[str, Any]:
    """The write mix against granian on SQLite, with synchronous=NORMAL and FULL in turns."""
    from bench.soak import KINDS, WRITES, run_load, summarize

    var_dir = Path(tempfile.mkdtemp(prefix="zixun-sync-"))
    try:
        env = bench_env(var_dir)
        env["ZIXUN_PROXY_HEADER"] = PROXY_HEADER
        env = build_site(root=ROOT, env=env, corpus_limit=corpus_limit)
        site = create_people(root=ROOT, env=env, readers=150, prefix="sync")
        (var_dir / "sync_settings.py").write_text(_SYNC_SETTINGS)
        print("[crash] write transactions through the services, NORMAL and FULL in turns …")
        services = run_snippet(
            root=ROOT,
            env=env,
            snippet=_SYNC_SERVICES_SNIPPET,
            params={"batches": 10, "ops": 20},
            tag="sync-json",
            label="timing write transactions",
        )
        print(f"[crash]   {services}", flush=True)
        figures: dict[str, list[dict[str, Any]]] = {"NORMAL": [], "FULL": []}
        for n in range(rounds):
            for mode in ("NORMAL", "FULL") if n % 2 == 0 else ("FULL", "NORMAL"):
                mode_env = {
                    **env,
                    "BENCH_SQLITE_SYNCHRONOUS": mode,
                    "DJANGO_SETTINGS_MODULE": "sync_settings",
                    "PYTHONPATH": f"{var_dir}{os.pathsep}{ROOT}",
                }
                value = run_snippet(
                    root=ROOT,
                    env=mode_env,
                    snippet=_SYNC_SNIPPET,
                    params={},
                    tag="sync-json",
                    label="reading the setting",
                )["synchronous"]
                if value != {"NORMAL": 1, "FULL": 2}[mode]:
                    raise BenchError(f"PRAGMA synchronous is {value} in {mode} mode")
                processes = Processes(env=mode_env, var_dir=var_dir, workers=workers)
                try:
                    processes.start_server()
                    sample, interrupted = run_load(
                        port=processes.port,
                        site=site,
                        connections=connections,
                        duration_s=seconds,
                        seed=seed + n,
                        mix=WRITE_MIX,
                    )
                finally:
                    processes.stop()
                if interrupted:
                    raise KeyboardInterrupt
                summary = summarize(sample, duration_s=seconds)
                writes = [
                    lat
                    for lat, st, k in zip(sample.latency, sample.status, sample.kind, strict=True)
                    if KINDS[k] in WRITES and 200 <= st < 300
                ]
                from bench.soak import percentile

                row = {
                    "round": n + 1,
                    "rps": summary["rps"],
                    "writes_per_s": round(len(writes) / seconds, 1),
                    "write_p50_ms": round(percentile(writes, 50) * 1000, 2),
                    "write_p99_ms": round(percentile(writes, 99) * 1000, 2),
                    "server_errors": summary["server_errors"],
                    "rate_limited": summary["rate_limited"],
                }
                figures[mode].append(row)
                print(f"[crash]   {mode:<6} round {n + 1}: {row}", flush=True)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)

    def mean(mode: str, key: str) -> float:
        return round(sum(float(row[key]) for row in figures[mode]) / len(figures[mode]), 2)

    summary_rows = {
        mode: {key: mean(mode, key) for key in ("writes_per_s", "write_p50_ms", "write_p99_ms")}
        for mode in figures
    }
    return {
        "services": services,
        "rounds": figures,
        "mean": summary_rows,
        "seconds": seconds,
        "connections": connections,
    }


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.crash", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=90.0, help="load per backend (90)")
    parser.add_argument("--kills", type=int, default=6, help="SIGKILLs per backend (6)")
    parser.add_argument(
        "--writers", type=int, default=3, help="publishing accounts, one thread each (3)"
    )
    parser.add_argument(
        "--readers", type=int, default=12, help="readers liking, following, commenting (12)"
    )
    parser.add_argument("--viewers", type=int, default=2, help="threads loading article pages (2)")
    parser.add_argument("--workers", type=int, default=2, help="granian workers (2)")
    parser.add_argument("--corpus-limit", type=int, default=100, help="demo articles to load (100)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("CRASH_DATABASE_URL"),
        help="a PostgreSQL database the run creates and drops (CRASH_DATABASE_URL)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("CRASH_REDIS_URL"),
        help="a Redis database the run EMPTIES, for the cache and the RQ queue on PostgreSQL (CRASH_REDIS_URL)",
    )
    parser.add_argument(
        "--view-flush",
        type=float,
        default=None,
        metavar="SECONDS",
        help="ZIXUN_VIEW_FLUSH_SECONDS of the served site (the setting's default, 10)",
    )
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--sync-cost",
        type=float,
        default=None,
        metavar="SECONDS",
        help="instead: measure synchronous=NORMAL against FULL on SQLite, SECONDS per round (ADR 0017)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS_PATH)
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp dirs and the PostgreSQL database"
    )
    args = parser.parse_args(argv)
    backends = tuple(b.strip() for b in args.backends.split(",") if b.strip())
    if unknown := set(backends) - {"sqlite", "postgresql"}:
        parser.error(f"unknown backend: {', '.join(sorted(unknown))}")
    return Options(
        seconds=args.seconds,
        kills=args.kills,
        writers=args.writers,
        readers=args.readers,
        viewers=args.viewers,
        workers=args.workers,
        corpus_limit=args.corpus_limit,
        seed=args.seed,
        postgres_url=args.postgres_url,
        redis_url=args.redis_url,
        backends=backends,
        results=args.results,
        keep=args.keep,
        sync_cost=args.sync_cost,
        view_flush=args.view_flush,
    )


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if options.sync_cost is not None:
        return _main_sync_cost(options)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    results: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    try:
        for backend in options.backends:
            if backend == "postgresql":
                if not options.postgres_url:
                    skipped[backend] = "no --postgres-url"
                    continue
                if not postgres_reachable(options.postgres_url):
                    skipped[backend] = f"{options.postgres_url} not reachable"
                    continue
            var_dir = Path(tempfile.mkdtemp(prefix=f"zixun-crash-{backend}-"))
            try:
                result = run_backend(backend, options, var_dir)
            finally:
                if options.keep:
                    print(f"[crash] kept {var_dir}", flush=True)
                else:
                    shutil.rmtree(var_dir, ignore_errors=True)
                    if backend == "postgresql" and options.postgres_url:
                        _postgres(options.postgres_url, create=False)
            print_result(result)
            results.append(result)
    except KeyboardInterrupt:
        print("[crash] interrupted; nothing written", flush=True)
        return 130
    except BenchError as error:
        print(f"[crash] error: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    for backend, why in skipped.items():
        print(f"[crash] {backend} skipped: {why}")
    report = {
        "runs": results,
        "skipped": skipped,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    options.results.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\n[crash] wrote {options.results}")
    met = all(goal["met"] for run in results for goal in run["goals"].values())
    return 0 if met and results else 2


def _main_sync_cost(options: Options) -> int:
    assert options.sync_cost is not None
    try:
        figures = sync_cost(
            seconds=options.sync_cost,
            rounds=2,
            connections=8,
            corpus_limit=options.corpus_limit,
            seed=options.seed,
            workers=options.workers,
        )
    except KeyboardInterrupt:
        return 130
    except BenchError as error:
        print(f"[crash] error: {error}", file=sys.stderr, flush=True)
        return 1
    print(json.dumps({"services": figures["services"], "http": figures["mean"]}, indent=2))
    normal, full = figures["mean"]["NORMAL"], figures["mean"]["FULL"]
    if normal["writes_per_s"]:
        print(
            f"FULL: {full['writes_per_s'] / normal['writes_per_s']:.2f} × NORMAL's writes per second, "
            f"write p50 {full['write_p50_ms']} ms against {normal['write_p50_ms']} ms"
        )
    path = options.results.with_name("sync-cost-results.json")
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"[crash] wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
