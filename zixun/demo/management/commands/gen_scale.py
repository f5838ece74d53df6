from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from zixun.core.dbstats import statistics_refresh
from zixun.demo.corpus import CorpusMissingError
from zixun.demo.largesite import Sizes, gen_scale

DEFAULTS = Sizes()
SIZES = (
    ("articles", "articles of the other accounts"),
    ("archive", "published articles the reference account (金台资讯) ends with"),
    ("accounts", "other accounts"),
    ("readers", "readers who act (views, likes, comments …)"),
    ("followers", "followers of the reference account (readers first, then follow-only users)"),
    ("events", "engagement events of the generated readers in all"),
)


class Command(BaseCommand):
    help = (
        "Generate a large site from the real corpora in ../shared/data: accounts, articles, "
        "readers, followers and engagement events. Safe to interrupt and run again: it "
        "continues where it stopped. Then run search-reindex --dirty and related-rebuild."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        for name, what in SIZES:
            default = getattr(DEFAULTS, name)
            parser.add_argument(f"--{name}", type=int, default=default,
                                help=f"{what} (default {default:,})")  # fmt: skip
        parser.add_argument("--batch", type=int, default=DEFAULTS.batch,
                            help="articles or users per transaction (events: 4 times as many)")  # fmt: skip
        parser.add_argument("--seed", type=int, default=DEFAULTS.seed, help="random seed")
        parser.add_argument("--shared", type=Path, default=None, help="the shared/ folder")
        parser.add_argument("--learn-interests", action="store_true",
                            help="fold the events into readers' interests too (slow: ~2,000/s)")  # fmt: skip
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")

    def handle(self, *args: Any, **options: Any) -> None:
        for name, _what in SIZES:
            if options[name] < 0:
                raise CommandError(f"--{name} must be 0 or more")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        sizes = Sizes(**{name: options[name] for name, _w in SIZES},
                      batch=options["batch"], seed=options["seed"])  # fmt: skip
        shared: Path = options["shared"] or settings.ZIXUN_SHARED_DIR
        bars: list[tqdm[Any]] = []

        def progress(name: str, total: int, initial: int) -> Callable[[int], None]:
            for bar in bars:
                bar.close()
            bar = tqdm(total=total, initial=initial, desc=name, unit_scale=True,
                       disable=options["no_progress"], file=self.stderr)  # fmt: skip
            bars.append(bar)

            def update(n: int) -> None:
                bar.update(n)

            return update

        try:
            rates = gen_scale(shared=shared, sizes=sizes, learn=options["learn_interests"],
                              progress=progress)  # fmt: skip
        except CorpusMissingError:
            self.stdout.write(_("%(dir)s 下没有语料，已跳过") % {"dir": shared / "data"})
            return
        except KeyboardInterrupt:
            for bar in bars:
                bar.close()
            self.stderr.write(_("已中断：已提交的批次都保留着，再运行同一命令即可继续"))
            raise SystemExit(130) from None
        finally:
            for bar in bars:
                bar.close()
        self.stdout.write(
            _("文章 +%(articles)s（每秒 %(articles_s)s 篇）· 读者 +%(users)s · 事件 +%(events)s"
              "（每秒 %(events_s)s 个）· 热榜计算 %(ranking_s)s 秒")
            % {"articles": f"{rates.articles:,}", "articles_s": f"{rates.articles_s:,.0f}",
               "users": f"{rates.users:,}", "events": f"{rates.events:,}",
               "events_s": f"{rates.events_s:,.0f}", "ranking_s": f"{rates.ranking_s:.1f}"}
        )  # fmt: skip
        statistics_refresh()  # the planner must know the tables grew (zixun/core/dbstats.py)
