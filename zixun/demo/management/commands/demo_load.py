from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

from zixun.articles.importing import ImportStats
from zixun.demo.loading import (
    demo_load_corpora,
    demo_load_people,
    demo_load_reference,
    demo_load_starter,
)


def _summary(stats: ImportStats) -> str:
    return f"新增 {stats.created} · 更新 {stats.updated} · 未变 {stats.unchanged} · 跳过 {stats.skipped}"


class Command(BaseCommand):
    help = (
        "Load the demo: the starter content, and with ../shared the reference article and corpus."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--shared", type=Path, default=None, help="the shared/ folder")
        parser.add_argument("--no-corpus", action="store_true", help="skip the large corpora")
        parser.add_argument(
            "--corpus-limit", type=int, help="import at most N lines of each corpus"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        shared: Path = options["shared"] or settings.ZIXUN_SHARED_DIR
        self.stdout.write(f"起步内容 starter content: {_summary(demo_load_starter())}")
        for username, email, password in demo_load_people(var_dir=settings.VAR_DIR):
            self.stdout.write(f"演示用户 demo user: {email} / {password} ({username})")
        reference = demo_load_reference(shared)
        if reference is None:
            self.stdout.write(f"未找到参考文章 no reference page under {shared}; skipped")
        else:
            self.stdout.write(f"参考文章 reference article: {_summary(reference)}")
        if options["no_corpus"]:
            return
        bars: list[tqdm[Any]] = []

        def progress(name: str, total: int) -> Callable[[int], None]:
            bar = tqdm(
                total=total, unit="条", desc=name, disable=options["no_progress"], file=self.stderr
            )
            bars.append(bar)

            def advance(lines: int) -> None:
                bar.update(lines)

            return advance

        try:
            results = demo_load_corpora(shared, limit=options["corpus_limit"], progress=progress)
        finally:
            for bar in bars:
                bar.close()
        if not results:
            self.stdout.write(f"未找到语料 no corpus under {shared / 'data'}; skipped")
        for name, stats in results.items():
            self.stdout.write(f"{name}: {_summary(stats)}")
