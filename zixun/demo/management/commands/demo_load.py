from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from zixun.articles.importing import ImportStats, import_summary
from zixun.core.dbstats import statistics_refresh
from zixun.demo.loading import (
    demo_activity,
    demo_load_corpora,
    demo_load_people,
    demo_load_reference,
    demo_load_starter,
    demo_related,
)


def _summary(stats: ImportStats) -> str:
    return "；".join([import_summary(stats), *stats.skip_reasons()])


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
        self.stdout.write(_("起步内容：%(summary)s") % {"summary": _summary(demo_load_starter())})
        for username, email, password in demo_load_people(var_dir=settings.VAR_DIR):
            self.stdout.write(
                _("演示用户：%(email)s，密码 %(password)s（%(username)s）")
                % {"email": email, "password": password, "username": username}
            )
        reference = demo_load_reference(shared)
        if reference is None:
            self.stdout.write(_("%(dir)s 下没有参考文章，已跳过") % {"dir": shared})
        else:
            self.stdout.write(_("参考文章：%(summary)s") % {"summary": _summary(reference)})
        activity = demo_activity()
        if activity:
            self.stdout.write(_("读者互动：%(count)s 组事件，热榜已计算") % {"count": activity})
        if not options["no_corpus"]:
            self._corpora(shared, options)
            statistics_refresh()  # the corpora grew the tables (zixun/core/dbstats.py)
        lists = demo_related()
        self.stdout.write(_("相关推荐：已为 %(count)s 篇文章计算") % {"count": lists})

    def _corpora(self, shared: Path, options: dict[str, Any]) -> None:
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
            self.stdout.write(_("%(dir)s 下没有语料，已跳过") % {"dir": shared / "data"})
        for name, stats in results.items():
            self.stdout.write(f"{name}: {_summary(stats)}")
