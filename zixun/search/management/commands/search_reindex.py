"""``zixun search-reindex``: index every published article again (resumable), or with ``--dirty``
only what is missing, marked dirty, stale or no longer published."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Max
from django.utils.translation import gettext as _
from tqdm import tqdm

from zixun.articles.models import Article
from zixun.search.services import search_clear, search_reindex


class Command(BaseCommand):
    help = (
        "Index every published article for search (resumable); --dirty repairs only what drifted."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dirty", action="store_true", help="Only what is missing, dirty or stale."
        )
        parser.add_argument(
            "--restart", action="store_true", help="Do not resume an interrupted run."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Empty the index first (implies --restart)."
        )
        parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                            help="Processes that segment the text (default: up to 2).")  # fmt: skip
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            search_clear()
        total = Article.objects.aggregate(m=Max("pk"))["m"] or 0
        with tqdm(total=total, unit=" articles", disable=options["no_progress"]) as bar:
            checked, indexed = search_reindex(dirty_only=options["dirty"],
                                              restart=options["restart"] or options["reset"],
                                              workers=max(1, options["workers"]),
                                              progress=bar.update)  # fmt: skip
        self.stdout.write(_("已检查 %(checked)s 篇文章，索引 %(indexed)s 篇")
                          % {"checked": checked, "indexed": indexed})  # fmt: skip
