"""The xss part: the long XSS replay (issue #16, docs/security.md "XSS suite").

Every payload of the corpus (tests/security/xss_payloads.py) gets an article of its own,
title, Markdown body, summary, tag and a comment, plus a search and a share with it, and
each page that shows it is opened in Chromium with the hooks of
tests/browser/test_xss_replay.py. The part runs that test in a pytest subprocess with
``ZIXUN_XSS_REPLAY=full`` (it needs the live server and the test database); the CI suite
opens a bounded set of pages instead. ``ZIXUN_XSS_LIMIT=N`` replays the first N payloads.

    python -m bench --only xss        # or: make bench ONLY=xss
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEST = "tests/browser/test_xss_replay.py::test_every_payload_on_its_own_page"
_SUMMARY = re.compile(
    r"\[xss-replay\] (\d+) payloads, (\d+) pages in ([\d.]+) s; executed (\d+), "
    r"pages with problems (\d+)"
)


@dataclass(frozen=True)
class XssResult:
    figures: dict[str, Any]
    skipped: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"skipped": self.skipped} if self.skipped else {"figures": self.figures}


def measure_xss(*, shared: Path) -> XssResult:
    """Run the long replay; ``shared`` is unused (the corpus is generated)."""
    env = {**os.environ, "ZIXUN_XSS_REPLAY": "full"}
    env.pop("DATABASE_URL", None)  # SQLite: the replay writes through one process
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", TEST, "-q", "-x", "-p", "no:cacheprovider"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    output = completed.stdout + completed.stderr
    for line in output.splitlines():
        if line.startswith(("[xss-replay] PROBLEM", "[xss-replay] EXECUTED")):
            print(line, flush=True)
    match = _SUMMARY.search(output)
    if "skipped" in output and match is None:
        return XssResult(figures={}, skipped=output.strip().splitlines()[-1])
    if match is None:
        tail = "\n".join(output.strip().splitlines()[-30:])
        return XssResult(figures={}, skipped=f"the replay did not finish:\n{tail}")
    payloads, pages, browser_s, executed, problems = match.groups()
    return XssResult(
        figures={
            "payloads": int(payloads),
            "pages": int(pages),
            "executed": int(executed),
            "pages_with_problems": int(problems),
            "seconds": round(seconds, 1),
            "browser_seconds": float(browser_s),
            "passed": completed.returncode == 0,
        }
    )


def print_xss(result: XssResult) -> None:
    print()
    if result.skipped:
        print(f"xss: {result.skipped}")
        return
    figures = result.figures
    verdict = "meets" if figures["passed"] else "MISSES"
    print(
        f"xss: {figures['payloads']:,} payloads, each on its own pages ({figures['pages']:,} "
        f"opened in Chromium, {figures['seconds']:.0f} s): {figures['executed']} executed, "
        f"{figures['pages_with_problems']} pages with an on* attribute or a script URL "
        f"({verdict} the goal of 0 and 0)"
    )
