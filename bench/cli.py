"""``python -m bench``: build the bench database, serve it with granian, measure, report."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from bench import wagtail
from bench.database import (
    bench_env,
    build_database,
    find_article_id,
    production_services,
    wagtail_database,
)
from bench.errors import BenchError
from bench.feed import FeedResult, measure_feed
from bench.latency import one_connection, worker_memory
from bench.loadgen import Measurement, Tool, measure, pick_tool
from bench.pagination import DEFAULT_SCALE, PaginationResult, measure_pagination, scale_account
from bench.ranking import RankingResult, measure_ranking
from bench.reader import check_signed_in, create_reader
from bench.related import RelatedResult, measure_related
from bench.report import (
    RESULTS_PATH,
    Report,
    WagtailPage,
    ZixunPages,
    print_table,
    write_results,
)
from bench.scale import ScaleResult, measure_scale
from bench.search import SearchResult, measure_search
from bench.server import Server, log_tail, serve
from bench.uploads import UploadResult, measure_uploads

ROOT = Path(__file__).resolve().parent.parent
BARE_PATH = "/bench/bare/"
WARMUP_S = 2
SERVER_ATTEMPTS = 2
# The parts `--only` picks from, in the order they run. article: Zixun's article page
# (anonymous, signed in, a cache miss) against the bare view; pagination and feed: the
# timing snippets at scale; wagtail: the Wagtail baseline page; uploads: peak memory of one
# image upload per file, hostile and normal, each in a fresh process (no database, no server).
PARTS = (
    "article", "pagination", "feed", "ranking", "related", "search", "keywords", "dedup",
    "clickbait", "wagtail", "uploads", "scale", "xss",
)  # fmt: skip
# Parts only `--only` runs: the long XSS replay takes about 45 minutes (docs/security.md).
OPT_IN_PARTS = frozenset({"xss"})


def _safety_parts() -> dict[str, tuple[Callable[..., Any], Callable[[Any], None]]]:
    """Trust and safety's parts (docs/moderation.md): each measures from the shared data alone."""
    from bench.clickbait import measure_clickbait, print_clickbait
    from bench.dedup import measure_dedup, print_dedup
    from bench.keywords import measure_keywords, print_keywords
    from bench.xss import measure_xss, print_xss

    return {
        "keywords": (measure_keywords, print_keywords),
        "dedup": (measure_dedup, print_dedup),
        "clickbait": (measure_clickbait, print_clickbait),
        "xss": (measure_xss, print_xss),  # the long XSS replay (docs/security.md)
    }


ZIXUN_PARTS = frozenset({"article", "pagination", "feed", "ranking"})
SERVED_PARTS = frozenset({"article", "wagtail"})  # measured with the load generator
WAGTAIL_CACHE = ROOT / "var" / "bench-wagtail"  # the throwaway venv (gitignored, reused)


@dataclass(frozen=True)
class Options:
    duration_s: int
    connections: int
    rounds: int
    workers: int
    corpus_limit: int | None
    tool: Tool | None
    keep: bool
    scale: int
    parts: tuple[str, ...] = PARTS
    search_docs: int = 1_000_000
    results: Path = RESULTS_PATH
    database: str = "sqlite"


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Article page vs a bare view serving the same bytes, on granian.",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=2, help="measurements per page")
    parser.add_argument("--workers", type=int, default=2, help="granian workers")
    parser.add_argument(
        "--corpus-limit", type=int, default=5000, help="corpus lines to load (default 5000)"
    )
    parser.add_argument("--full", action="store_true", help="load the whole corpus")
    parser.add_argument(
        "--tool", choices=["wrk", "python"], help="load generator (default: wrk when installed)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (db, server log)")
    parser.add_argument(
        "--scale",
        type=int,
        default=DEFAULT_SCALE,
        help=f"give the reference account this many articles, then time its first, middle "
        f"and last pages (default {DEFAULT_SCALE}; 0 skips it)",
    )
    parser.add_argument(
        "--search-docs", type=int, default=1_000_000,
        help="articles on the search bench site (default 1,000,000; built once, kept in var/bench-search)",
    )  # fmt: skip
    parser.add_argument(
        "--results", type=Path, default=RESULTS_PATH,
        help="where to write the figures (default bench/results.json)",
    )  # fmt: skip
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql"], default="sqlite",
        help="where the Zixun parts (article, pagination, feed, ranking) run: the embedded "
        "SQLite (default), or PostgreSQL + Redis on 127.0.0.1 (database zixun_bench and Redis "
        "db 13, both emptied first; the production profile)",
    )  # fmt: skip
    parser.add_argument(
        "--only",
        metavar="PARTS",
        help=f"run only these parts, comma-separated: {', '.join(PARTS)} (default: all but the opt-in xss)",
    )
    args = parser.parse_args(argv)
    for name in ("duration", "connections", "rounds", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.scale < 0:
        parser.error("--scale must be 0 or more")
    parts: tuple[str, ...] = tuple(part for part in PARTS if part not in OPT_IN_PARTS)
    if args.only:
        wanted = {part.strip() for part in args.only.split(",") if part.strip()}
        if unknown := wanted - set(PARTS):
            parser.error(
                f"--only: unknown part(s) {', '.join(sorted(unknown))}; "
                f"pick from {', '.join(PARTS)}"
            )
        if not wanted:
            parser.error("--only needs at least one part")
        parts = tuple(part for part in PARTS if part in wanted)
    return Options(
        duration_s=args.duration,
        connections=args.connections,
        rounds=args.rounds,
        workers=args.workers,
        corpus_limit=None if args.full else args.corpus_limit,
        tool=args.tool,
        keep=args.keep,
        scale=args.scale,
        parts=parts,
        search_docs=max(1000, args.search_docs),
        results=args.results,
        database=args.database,
    )


@contextmanager
def var_dir(*, keep: bool) -> Iterator[Path]:
    if keep:
        path = Path(tempfile.mkdtemp(prefix="zixun-bench-"))
        print(f"[bench] keeping {path}", flush=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="zixun-bench-") as name:
        yield Path(name)


def _differing_bytes(a: bytes, b: bytes) -> int:
    return sum(x != y for x, y in zip(a, b, strict=False)) + abs(len(a) - len(b))


def prepare_bare(server: Server, article_path: str, bare_file: Path) -> tuple[bool, int]:
    """Write the article's bytes to the bare file, then check both pages match in length.

    Must run before any request to the bare view: each worker reads the file once.
    Returns (same length, body length).
    """
    article = server.get_ok(article_path)
    bare_file.write_bytes(article)
    again = server.get_ok(article_path)
    bare = server.get_ok(BARE_PATH)
    print(
        f"[bench] body lengths: article {len(again)} bytes, bare {len(bare)} bytes "
        f"({_differing_bytes(again, bare)} bytes differ; a CSRF token differs on every request)",
        flush=True,
    )
    if len(again) == len(bare):
        return True, len(bare)
    bare_file.write_bytes(server.get_ok(article_path))
    return False, len(bare)


@dataclass(frozen=True)
class Target:
    """One page measured in the rounds: a server, a path, the headers of every request."""

    name: str
    server: Server
    path: str
    headers: dict[str, str] = field(default_factory=dict)


def run_rounds(targets: list[Target], *, tool: Tool, options: Options) -> dict[str, Measurement]:
    """Warm each page up, then take them in turn every round, to spread drift over all."""
    for target in targets:
        print(f"[bench] warming up {target.name} ({WARMUP_S} s) …", flush=True)
        measure(
            tool, port=target.server.port, path=target.path, duration_s=WARMUP_S,
            connections=options.connections, headers=target.headers,
        )  # fmt: skip
    results: dict[str, list[Measurement]] = {target.name: [] for target in targets}
    for round_no in range(1, options.rounds + 1):
        for target in targets:
            print(f"[bench] round {round_no}: {target.name} ({options.duration_s} s) …", flush=True)
            m = measure(
                tool,
                port=target.server.port,
                path=target.path,
                duration_s=options.duration_s,
                connections=options.connections,
                headers=target.headers,
            )
            print(
                f"[bench]   {m.rps:.1f} req/s, p50 {m.p50_ms:.2f} ms, p90 {m.p90_ms:.2f} ms, "
                f"p99 {m.p99_ms:.2f} ms, {m.requests} requests, {m.errors} errors",
                flush=True,
            )
            results[target.name].append(m)
    return {name: Measurement.mean(rounds) for name, rounds in results.items()}


def start_zixun(
    stack: ExitStack, *, env: dict[str, str], directory: Path, article_path: str, workers: int
) -> tuple[Server, int]:
    """Serve the bench database, the bare file holding the article's bytes.

    Restarts the server once if the lengths differ (each worker reads the file once).
    The server stops when ``stack`` closes. Returns it and the article's length.
    """
    bare_file = directory / "bare.html"
    server_env = {**env, "ZIXUN_BENCH": "1", "ZIXUN_BENCH_BARE_FILE": str(bare_file)}
    for attempt in range(1, SERVER_ATTEMPTS + 1):
        with ExitStack() as attempt_stack:
            server = attempt_stack.enter_context(
                serve(root=ROOT, env=server_env, workers=workers, log_path=directory / "server.log")
            )
            same, body_bytes = prepare_bare(server, article_path, bare_file)
            if same or attempt == SERVER_ATTEMPTS:
                if not same:
                    print("[bench] warning: the lengths still differ; measuring anyway")
                stack.push(attempt_stack.pop_all())  # keep it running until `stack` closes
                return server, body_bytes
            print("[bench] lengths differ: rewrote bare.html, restarting the server")
    raise AssertionError("unreachable")


def run(options: Options) -> int:
    tool = pick_tool(options.tool)
    parts = set(options.parts)
    print(f"[bench] parts: {', '.join(options.parts)}; load generator: {tool}", flush=True)
    if tool == "python" and parts & SERVED_PARTS:
        print(
            "[bench] wrk is not installed (apt-get install wrk): the Python load generator takes"
            " CPU from the servers, so the fastest pages are under-measured and the ratios to"
            " Wagtail come out low",
            flush=True,
        )
    with var_dir(keep=options.keep) as directory:
        env = bench_env(directory)
        if options.database == "postgresql" and parts & ZIXUN_PARTS:
            env |= production_services()
        pagination: PaginationResult | None = None
        feed: FeedResult | None = None
        ranking: RankingResult | None = None
        article_id, kind = 0, ""
        if parts & ZIXUN_PARTS:
            build_database(root=ROOT, env=env, corpus_limit=options.corpus_limit)
            if "article" in parts:
                article_id, kind = find_article_id(root=ROOT, env=env)
            # Whatever Zixun part runs, it runs on the same database: the scaled account
            # is part of what the server serves and what the feed reads.
            if options.scale:
                added, scale_s = scale_account(root=ROOT, env=env, count=options.scale)
                if "pagination" in parts:
                    pagination = measure_pagination(
                        root=ROOT, env=env, count=options.scale, scale_added=added,
                        scale_s=scale_s,
                    )  # fmt: skip
            # The follow feed reads the scaled account too: one of the 500 a reader follows.
            if "feed" in parts:
                feed = measure_feed(root=ROOT, env=env)
            if "ranking" in parts:
                ranking = measure_ranking(root=ROOT, env=env)
        related: RelatedResult | None = None
        if "related" in parts:
            related = measure_related(
                shared=Path(os.environ.get("ZIXUN_SHARED_DIR", ROOT.parent / "shared"))
            )
        safety: dict[str, tuple[Any, Callable[[Any], None]]] = {}
        for name, (measure_part, print_part) in _safety_parts().items():
            if name in parts:
                shared = Path(os.environ.get("ZIXUN_SHARED_DIR", ROOT.parent / "shared"))
                print(f"[bench] {name} …", flush=True)
                safety[name] = (measure_part(shared=shared), print_part)
        scale: ScaleResult | None = None
        if "scale" in parts:
            scale = measure_scale(
                root=ROOT, shared=Path(os.environ.get("ZIXUN_SHARED_DIR", ROOT.parent / "shared"))
            )
        search: SearchResult | None = None
        if "search" in parts:
            search = measure_search(
                root=ROOT, shared=Path(os.environ.get("ZIXUN_SHARED_DIR", ROOT.parent / "shared")),
                docs=options.search_docs,
            )  # fmt: skip
        reader = create_reader(root=ROOT, env=env) if "article" in parts else None
        site = None
        if "wagtail" in parts:
            # On the engine Zixun runs on: a ratio of two sites on different engines would
            # measure the engines as much as the sites.
            site = wagtail.build_site(
                root=ROOT, directory=directory / "wagtail", cache_dir=WAGTAIL_CACHE,
                database_url=wagtail_database() if options.database == "postgresql" else None,
            )  # fmt: skip
        uploads: list[UploadResult] | None = None
        if "uploads" in parts:
            uploads = measure_uploads(root=ROOT, env=env)
        zixun: ZixunPages | None = None
        wagtail_page: WagtailPage | None = None
        cache_miss: dict[str, Any] | None = None
        memory: dict[str, Any] | None = None
        logs: list[tuple[str, Path]] = []
        with ExitStack() as stack:
            targets: list[Target] = []
            body_bytes = signed_in_bytes = wagtail_bytes = 0
            article_path = f"/article/{article_id}/"
            if reader is not None:
                print(f"[bench] measuring {article_path} ({kind})", flush=True)
                server, body_bytes = start_zixun(
                    stack, env=env, directory=directory, article_path=article_path,
                    workers=options.workers,
                )  # fmt: skip
                logs.append(("Zixun", server.log_path))
                reader, signed_in_bytes = check_signed_in(server, article_path, reader)
                targets += [
                    Target("bare", server, BARE_PATH),
                    Target("article", server, article_path),
                    Target("render", server, f"/bench/render/{article_id}/"),
                    Target("signed_in", server, article_path, reader.headers),
                ]
            if site is not None:
                wagtail_server = stack.enter_context(
                    serve(
                        root=site.directory, env=site.env, workers=options.workers,
                        log_path=directory / "wagtail-server.log", label="Wagtail",
                        granian=site.granian, app=wagtail.APP,
                    )
                )  # fmt: skip
                logs.append(("Wagtail", wagtail_server.log_path))
                wagtail_bytes = wagtail.check_page(wagtail_server, site)
                targets.append(Target("wagtail", wagtail_server, site.path))
            measured = run_rounds(targets, tool=tool, options=options) if targets else {}
            if reader is not None:
                path = f"/bench/render/{article_id}/"
                print(f"[bench] a page-cache miss at one connection: {path} …", flush=True)
                cache_miss = one_connection(server, path, duration_s=options.duration_s)
                memory = worker_memory(server)
        if reader is not None:
            zixun = ZixunPages(
                article_id=article_id,
                article_kind=kind,
                body_bytes=body_bytes,
                article=measured["article"],
                bare=measured["bare"],
                render=measured["render"],
                signed_in=measured["signed_in"],
                signed_in_body_bytes=signed_in_bytes,
                reader=reader.username,
            )
        if site is not None:
            wagtail_page = WagtailPage(
                measurement=measured["wagtail"],
                body_bytes=wagtail_bytes,
                path=site.path,
                pages=site.pages,
                related=wagtail.RELATED,
                source=site.source,
                database=site.database,
                versions=site.versions,
                setup_s=site.setup_s,
            )
        report = Report(
            tool=tool,
            duration_s=options.duration_s,
            connections=options.connections,
            workers=options.workers,
            rounds=options.rounds,
            corpus_limit=options.corpus_limit,
            parts=options.parts,
            database=options.database,
            zixun=zixun,
            wagtail=wagtail_page,
            pagination=pagination,
            feed=feed,
            ranking=ranking,
            related=related,
            search=search,
            safety=safety,
            uploads=uploads,
            cache_miss=cache_miss,
            memory=memory,
            scale=scale.as_dict() if scale else None,
        )
        print_table(report)
        write_results(report, options.results)
        for label, log_path in logs:
            if tail := log_tail(log_path):
                print(f"[bench] {label} server log (last lines of {log_path.name}):\n{tail}")
            else:
                print(f"[bench] {label} server log: empty (no warnings or errors)")
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM cleans up like Ctrl-C
    try:
        return run(options)
    except KeyboardInterrupt:
        print("\n[bench] interrupted; stopped cleanly", file=sys.stderr)
        return 130
    except BenchError as error:
        print(f"[bench] error: {error}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
