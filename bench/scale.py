"""The scale part: ``zixun gen-scale``'s import rate (issue #15, goal ≥ 2,000 articles/s).

A fresh SQLite site in a temp dir is migrated, then ``gen_scale`` (the command's own code) writes
``ARTICLES`` articles over ``ACCOUNTS`` accounts plus ``ARCHIVE`` for the reference account, with
``READERS`` readers and ``EVENTS`` engagement events, from the real corpora. The full reference
size (2,076,115 articles, 10,000,000 events) takes half an hour: run ``zixun gen-scale`` for it
(docs/scaling.md); the rates do not depend on the size (every batch is the same insert).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.database import bench_env, run_snippet, run_step

GOAL_ARTICLES_PER_S = 2000.0
SIZES = {"articles": 40_000, "archive": 10_000, "accounts": 400, "readers": 5_000,
         "followers": 5_000, "events": 150_000}  # fmt: skip

_TAG = "scale-json"
_SNIPPET = """
import json
from pathlib import Path
from zixun.demo.largesite import Sizes, gen_scale
rates = gen_scale(shared=Path(PARAMS["shared"]), sizes=Sizes(**PARAMS["sizes"]))
print("scale-json " + json.dumps({"articles": rates.articles, "articles_per_s": rates.articles_s,
      "users": rates.users, "events": rates.events, "events_per_s": rates.events_s,
      "ranking_s": rates.ranking_s}))
"""


@dataclass(frozen=True)
class ScaleResult:
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {**self.data, "sizes": SIZES, "goal_articles_per_s": GOAL_ARTICLES_PER_S,
                "database": "sqlite"}  # fmt: skip


def measure_scale(*, root: Path, shared: Path) -> ScaleResult | None:
    if not (shared / "data" / "cn_news_cctv_xwlb").is_dir():
        print(f"[bench] scale: the corpora are not in {shared / 'data'}; skipped")
        return None
    with tempfile.TemporaryDirectory(prefix="zixun-bench-scale-") as directory:
        env = bench_env(Path(directory))
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        zixun = root / ".venv" / "bin" / "zixun"
        run_step("scale: migrating a fresh site", [str(zixun), "migrate", "--no-input"],
                 env=env, cwd=root)  # fmt: skip
        print(f"[bench] scale: zixun gen-scale {SIZES} …", flush=True)
        data = run_snippet(root=root, env=env, snippet=_SNIPPET, tag=_TAG, label="gen-scale",
                           params={"shared": str(shared), "sizes": SIZES})  # fmt: skip
    return ScaleResult(data=data)


def print_scale(result: ScaleResult) -> None:
    d = result.data
    verdict = "meets" if d["articles_per_s"] >= GOAL_ARTICLES_PER_S else "MISSES"
    print()
    print(
        f"gen-scale on SQLite: {d['articles']:,} articles at {d['articles_per_s']:,.0f}/s "
        f"({verdict} ≥ {GOAL_ARTICLES_PER_S:,.0f}), {d['users']:,} readers, {d['events']:,} events "
        f"at {d['events_per_s']:,.0f}/s, hot list {d['ranking_s']:.1f} s"
    )
