"""``zixun search-prewarm``: read the search index and what a search reads into memory, so that
the first searches after a restart do not wait on the disk (docs/search.md, "Memory")."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from zixun.search.engine import SearchPrewarmError
from zixun.search.services import search_prewarm, search_prewarm_size


class Command(BaseCommand):
    help = "Read the search index into the page cache (after a restart)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        total = search_prewarm_size()
        with tqdm(total=total, unit="B", unit_scale=True, disable=options["no_progress"]) as bar:
            try:
                read = search_prewarm(progress=bar.update)
            except SearchPrewarmError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(_("已读入 %(mb).0f MB") % {"mb": read / 2**20})
