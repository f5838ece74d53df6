"""``zixun eval-recs``: replay MIND-format click logs and score the rankers side by side."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zixun.ranking.baselines import PopularityRanker, RandomRanker, RecencyRanker
from zixun.ranking.metrics import LABELS, scores_of
from zixun.ranking.mind import LogError, Ranker, behaviors_read, news_read, replay
from zixun.ranking.plot import plot_write


class Command(BaseCommand):
    help = "Replay MIND-format impression logs in time order and print AUC, MRR and nDCG."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--behaviors", type=Path, required=True, help="behaviors.tsv(.gz)")
        parser.add_argument(
            "--news", type=Path, action="append", default=[], help="news.tsv(.gz); repeatable"
        )
        parser.add_argument("--train", type=Path, help="earlier behaviors the rankers learn from")
        parser.add_argument("--json", type=Path, help="write the figures to this file")
        parser.add_argument("--plot", type=Path, help="draw the figures to this PNG file")
        parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        for path in [options["behaviors"], options["train"], *options["news"]]:
            if path is not None and not path.is_file():
                raise CommandError(_("找不到文件 %(path)s") % {"path": path})
        if options["resamples"] < 1:
            raise CommandError(_("--resamples 至少为 1"))
        try:
            news = news_read(options["news"])
            behaviors = list(behaviors_read(options["behaviors"]))
            train = list(behaviors_read(options["train"])) if options["train"] else []
        except LogError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(
            _("%(impressions)s 次曝光，%(news)s 条新闻；按时间回放……")
            % {"impressions": len(behaviors), "news": len(news)}
        )
        rankers: list[Ranker] = [
            RandomRanker(seed=options["seed"]),
            PopularityRanker(),
            RecencyRanker(),
        ]
        scored = replay(behaviors, rankers, train=train)
        methods = []
        for ranker in rankers:
            try:
                result = scores_of(
                    scored[ranker.name], resamples=options["resamples"], seed=options["seed"]
                )
            except ValueError as error:
                raise CommandError(_("没有既有点击又有未点击的曝光，无法评估")) from error
            methods.append({"name": ranker.name, **result.as_dict()})
        self.stdout.write(
            ("method".ljust(12) + "".join(f"{label:<24}" for label in LABELS.values())).rstrip()
        )
        for method in methods:
            cells = "".join(
                f"{method[m]:.4f} [{method[m + '_low']:.3f}, {method[m + '_high']:.3f}]  "
                for m in LABELS
            )
            self.stdout.write(f"{method['name']:<12}{cells}".rstrip())
        self.stdout.write(
            _("%(count)s 次曝光计入（各有点击和未点击）；方括号内为 95%% 自助法区间")
            % {"count": methods[0]["impressions"]}
        )
        if options["plot"]:
            plot_write(methods, options["plot"])
        if options["json"]:
            options["json"].write_text(
                json.dumps({"methods": methods}, indent=2, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
