"""``zixun eval-recs``: replay MIND-format click logs and score the rankers side by side."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zixun.ranking.baselines import PopularityRanker, RandomRanker, RecencyRanker
from zixun.ranking.metrics import LABELS, scores_of
from zixun.ranking.mind import Behavior, LogError, News, Ranker, behaviors_read, news_read, replay
from zixun.ranking.plot import plot_write
from zixun.ranking.scoring import (
    WEIGHTS_PATH,
    ScoringWeights,
    ZixunRanker,
    impressions_replayed,
    weights_fit_listwise,
    weights_load,
)


def _titles_and_channels(files: list[dict[str, News]]) -> tuple[dict[str, str], dict[str, str]]:
    """Zixun's ranker reads Chinese titles first (the site's language), then any other;
    categories come from whichever file has them."""
    titles: dict[str, str] = {}
    channels: dict[str, str] = {}
    for news in files:
        for item in news.values():
            chinese = any("\u4e00" <= char <= "\u9fff" for char in item.title)
            if item.title and (chinese or item.news_id not in titles):
                titles[item.news_id] = item.title
            if item.category:
                channels.setdefault(item.news_id, item.category)
    return titles, channels


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
        parser.add_argument(
            "--weights",
            type=Path,
            default=WEIGHTS_PATH,
            help="the zixun ranker's weights (JSON); the site's by default",
        )
        parser.add_argument(
            "--fit",
            type=Path,
            help="fit the zixun ranker's weights on --behaviors (after --train) and write them "
            "to this JSON file instead of evaluating",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        weights_path = None if options["fit"] else options["weights"]
        for path in [options["behaviors"], options["train"], weights_path, *options["news"]]:
            if path is not None and not path.is_file():
                raise CommandError(_("找不到文件 %(path)s") % {"path": path})
        if options["resamples"] < 1:
            raise CommandError(_("--resamples 至少为 1"))
        try:
            files = [news_read([path]) for path in options["news"]]
            behaviors = list(behaviors_read(options["behaviors"]))
            train = list(behaviors_read(options["train"])) if options["train"] else []
        except LogError as error:
            raise CommandError(str(error)) from error
        news = {news_id: item for found in reversed(files) for news_id, item in found.items()}
        titles, channels = _titles_and_channels(files)
        if options["fit"]:
            self._fit(options["fit"], behaviors, train, titles, channels)
            return
        self.stderr.write(
            _("%(impressions)s 次曝光，%(news)s 条新闻；按时间回放……")
            % {"impressions": len(behaviors), "news": len(news)}
        )
        rankers: list[Ranker] = [
            RandomRanker(seed=options["seed"]),
            PopularityRanker(),
            RecencyRanker(),
            ZixunRanker(
                titles=titles, categories=channels, weights=weights_load(options["weights"])
            ),
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

    def _fit(
        self,
        out: Path,
        behaviors: list[Behavior],
        train: list[Behavior],
        titles: dict[str, str],
        channels: dict[str, str],
    ) -> None:
        base = ScoringWeights()
        ranker = ZixunRanker(titles=titles, categories=channels, weights=base)
        impressions = impressions_replayed(ranker, behaviors, warm_up=train)
        rows = [row for impression in impressions for row in impression]
        self.stderr.write(_("按时间回放 %(count)s 个候选，拟合权重……") % {"count": len(rows)})
        try:
            fitted = weights_fit_listwise(impressions, base=base)
        except ValueError as error:
            raise CommandError(_("没有既有点击又有未点击的候选，无法拟合")) from error
        days = sorted({b.time.date().isoformat() for b in behaviors})
        fitted = replace(
            fitted,
            note=f"fitted on {len(rows)} candidates of {len(behaviors)} impressions "
            f"of {days[0]}…{days[-1]} by ranking_eval --fit (listwise)",
        )
        out.write_text(fitted.to_json(), encoding="utf-8")
        for name, value in fitted.coefficients.items():
            self.stdout.write(f"{name:<20}{value:+.4f}")
        self.stdout.write(f"{'bias':<20}{fitted.bias:+.4f}")
