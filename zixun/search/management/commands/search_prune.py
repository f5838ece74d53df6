"""``zixun search-prune``: forget the hourly search counts behind 热搜 older than ``--days``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zixun.search.services import queries_prune


class Command(BaseCommand):
    help = "Forget hourly search counts (热搜's input) older than --days (30)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = queries_prune(days=max(1, options["days"]))
        self.stdout.write(_("已删除 %(n)s 条搜索计数") % {"n": deleted})
