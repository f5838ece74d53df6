"""``python -m bench``: build the bench database, serve it with granian, measure, report."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from bench.database import bench_env, build_database, find_article_id
from bench.errors import BenchError
from bench.feed import FeedResult, measure_feed
from bench.loadgen import Measurement, Tool, measure, pick_tool
from bench.pagination import DEFAULT_SCALE, PaginationResult, measure_pagination
from bench.report import Report, print_table, write_results
from bench.server import Server, log_tail, serve

ROOT = Path(__file__).resolve().parent.parent
BARE_PATH = "/bench/bare/"
WARMUP_S = 2
SERVER_ATTEMPTS = 2


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
    args = parser.parse_args(argv)
    for name in ("duration", "connections", "rounds", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.scale < 0:
        parser.error("--scale must be 0 or more")
    return Options(
        duration_s=args.duration,
        connections=args.connections,
        rounds=args.rounds,
        workers=args.workers,
        corpus_limit=None if args.full else args.corpus_limit,
        tool=args.tool,
        keep=args.keep,
        scale=args.scale,
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


def run_rounds(
    server: Server, *, tool: Tool, article_path: str, render_path: str, options: Options
) -> tuple[Measurement, Measurement, Measurement]:
    """Warm each page up, then alternate bare/article/render to spread drift over all."""
    pages = (("bare", BARE_PATH), ("article", article_path), ("render", render_path))
    for name, path in pages:
        print(f"[bench] warming up {name} ({WARMUP_S} s) …", flush=True)
        measure(
            tool, port=server.port, path=path, duration_s=WARMUP_S, connections=options.connections
        )
    results: dict[str, list[Measurement]] = {name: [] for name, _ in pages}
    for round_no in range(1, options.rounds + 1):
        for name, path in pages:
            print(f"[bench] round {round_no}: {name} ({options.duration_s} s) …", flush=True)
            m = measure(
                tool,
                port=server.port,
                path=path,
                duration_s=options.duration_s,
                connections=options.connections,
            )
            print(
                f"[bench]   {m.rps:.1f} req/s, p50 {m.p50_ms:.2f} ms, p90 {m.p90_ms:.2f} ms, "
                f"p99 {m.p99_ms:.2f} ms, {m.requests} requests, {m.errors} errors",
                flush=True,
            )
            results[name].append(m)
    return (
        Measurement.mean(results["article"]),
        Measurement.mean(results["bare"]),
        Measurement.mean(results["render"]),
    )


def run(options: Options) -> int:
    tool = pick_tool(options.tool)
    print(f"[bench] load generator: {tool}", flush=True)
    with var_dir(keep=options.keep) as directory:
        env = bench_env(directory)
        build_database(root=ROOT, env=env, corpus_limit=options.corpus_limit)
        article_id, kind = find_article_id(root=ROOT, env=env)
        # Before the server starts: the scaled account is part of the database it serves.
        pagination: PaginationResult | None = None
        if options.scale:
            pagination = measure_pagination(root=ROOT, env=env, count=options.scale)
        # The follow feed reads the scaled account too: one of the 500 a reader follows.
        feed: FeedResult = measure_feed(root=ROOT, env=env)
        article_path = f"/article/{article_id}/"
        print(f"[bench] measuring {article_path} ({kind})", flush=True)
        bare_file = directory / "bare.html"
        log_path = directory / "server.log"
        server_env = {**env, "ZIXUN_BENCH": "1", "ZIXUN_BENCH_BARE_FILE": str(bare_file)}
        render_path = f"/bench/render/{article_id}/"
        measured: tuple[Measurement, Measurement, Measurement] | None = None
        body_bytes = 0
        for attempt in range(1, SERVER_ATTEMPTS + 1):
            with serve(
                root=ROOT, env=server_env, workers=options.workers, log_path=log_path
            ) as server:
                same, body_bytes = prepare_bare(server, article_path, bare_file)
                if same or attempt == SERVER_ATTEMPTS:
                    if not same:
                        print("[bench] warning: the lengths still differ; measuring anyway")
                    measured = run_rounds(
                        server,
                        tool=tool,
                        article_path=article_path,
                        render_path=render_path,
                        options=options,
                    )
                    break
                print("[bench] lengths differ: rewrote bare.html, restarting the server")
        assert measured is not None
        article, bare, render = measured
        report = Report(
            tool=tool,
            duration_s=options.duration_s,
            connections=options.connections,
            workers=options.workers,
            rounds=options.rounds,
            corpus_limit=options.corpus_limit,
            article_id=article_id,
            article_kind=kind,
            body_bytes=body_bytes,
            article=article,
            bare=bare,
            render=render,
            pagination=pagination,
            feed=feed,
        )
        print_table(report)
        write_results(report)
        if tail := log_tail(log_path):
            print(f"[bench] server log (last lines of {log_path.name}):\n{tail}")
        else:
            print("[bench] server log: empty (no warnings or errors)")
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
