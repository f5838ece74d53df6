from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from zixun.core.dbstats import statistics_refresh
from zixun.creators.models import Creator
from zixun.demo.reference import REFERENCE_ACCOUNT
from zixun.demo.scale import demo_scale_account, published_count

# The reference account's article count on the reference site.
REFERENCE_COUNT = 1076115


class Command(BaseCommand):
    help = (
        "Top an account up to COUNT published articles with a synthetic archive (to show that "
        "its last page opens as fast as its first). Safe to interrupt and run again: only the "
        "missing articles are added."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--account",
            default=REFERENCE_ACCOUNT,
            help=f"account name (default {REFERENCE_ACCOUNT})",
        )
        parser.add_argument(
            "--count",
            type=int,
            default=REFERENCE_COUNT,
            help=f"published articles the account ends with (default {REFERENCE_COUNT})",
        )
        parser.add_argument("--batch", type=int, default=20000, help="articles per transaction")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["account"]
        count: int = options["count"]
        if count < 0:
            raise CommandError("--count must be 0 or more")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        creator = Creator.objects.filter(name=name.strip()).first()
        existing = published_count(creator) if creator else 0
        bar = tqdm(
            total=count,
            initial=min(existing, count),
            unit="篇",
            unit_scale=True,
            desc=name,
            disable=options["no_progress"],
            file=self.stderr,
        )
        committed = 0

        def advance(added: int) -> None:
            nonlocal committed
            committed += added
            bar.update(added)

        try:
            added = demo_scale_account(
                name=name, count=count, batch=options["batch"], on_progress=advance
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            bar.close()
            self.stderr.write(
                _("已中断：已提交 %(n)s 篇文章；再次运行同一命令即可补齐其余部分")
                % {"n": committed}
            )
            raise SystemExit(130) from None
        finally:
            bar.close()
        statistics_refresh()  # the planner must know the table grew (zixun/core/dbstats.py)
        total = Creator.objects.get(name=name.strip()).article_count
        self.stdout.write(
            _("新增 %(added)s 篇，账号现有 %(total)s 篇文章") % {"added": added, "total": total}
        )
