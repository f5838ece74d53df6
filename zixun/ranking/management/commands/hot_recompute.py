"""``zixun hot-recompute``: rebuild the hot list from the event log (repair after drift,
or after changing ZIXUN_HOT_WEIGHTS or ZIXUN_HOT_HALF_LIFE_HOURS)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from zixun.ranking.hot import hot_recompute


class Command(BaseCommand):
    help = "Rebuild the hot list from the events of the last ZIXUN_HOT_WINDOW_DAYS days."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        with tqdm(unit=" events", disable=options["no_progress"]) as bar:
            read = hot_recompute(progress=bar.update)
        # Safe to interrupt: the stores are replaced in one step at the end.
        self.stdout.write(_("热榜已按 %(n)s 个事件重新计算") % {"n": read})
