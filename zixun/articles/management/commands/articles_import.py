from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from zixun.articles.importing import articles_import, count_lines, import_summary
from zixun.channels.selectors import category_map_load
from zixun.core.dbstats import statistics_refresh
from zixun.core.errors import message_format

NO_FILE = gettext_lazy("找不到文件 %(path)s")


class Command(BaseCommand):
    help = (
        "Import articles from a JSON Lines file (plain or .gz). Safe to run again: "
        "existing records are matched on id, changed ones updated, unchanged ones skipped."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--account", default="", help="publish every record under this account")
        parser.add_argument(
            "--category-map",
            type=Path,
            help='JSON file {"source category": "channel slug or name"} added to the built-in map',
        )
        parser.add_argument("--limit", type=int, help="read at most this many lines")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(message_format(NO_FILE, path=path))
        try:
            category_map = (
                category_map_load(options["category_map"]) if options["category_map"] else None
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        # Counting the lines costs one extra read of the file; only the bar needs it.
        total = None if options["no_progress"] else count_lines(path)
        if total is not None and options["limit"] is not None:
            total = min(total, options["limit"])
        bar = tqdm(
            total=total, unit="条", desc=path.name, disable=options["no_progress"], file=self.stderr
        )

        def report(line: int, reason: str) -> None:
            bar.write(f"{path.name}:{line}: {reason}", file=self.stderr)

        try:
            stats = articles_import(
                path,
                default_account=options["account"],
                category_map=category_map,
                limit=options["limit"],
                on_progress=bar.update,
                on_error=report,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        self.stdout.write(import_summary(stats))
        statistics_refresh()  # the planner must know the tables grew (zixun/core/dbstats.py)
        for reason in stats.skip_reasons():
            self.stdout.write(reason)
