"""``zixun export-behaviors``: the impression log as MIND-format behaviors.tsv and news.tsv."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from zixun.ranking.export import behaviors_export


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.get_current_timezone())
    except ValueError:
        raise CommandError(_("日期应写作 2026-11-30：%(value)s") % {"value": value}) from None
    return day


class Command(BaseCommand):
    help = "Write the impression log as MIND-format behaviors.tsv and news.tsv (pseudonymous)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, help="The folder to write the two files to.")
        parser.add_argument("--since", help="First day (YYYY-MM-DD, site time zone).")
        parser.add_argument("--until", help="Day after the last (YYYY-MM-DD).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.exists() and not out.is_dir():
            raise CommandError(_("%(path)s 不是文件夹") % {"path": out})
        with tqdm(unit=" impressions", disable=options["no_progress"]) as bar:
            impressions, news = behaviors_export(
                out=out, since=_date(options["since"]), until=_date(options["until"]),
                progress=bar.update,
            )  # fmt: skip
        self.stdout.write(_("已写出 %(impressions)s 次曝光和 %(news)s 篇文章到 %(path)s")
                          % {"impressions": impressions, "news": news, "path": out})  # fmt: skip
