"""``zixun related-rebuild``: index every published article and compute every 相关推荐
list (after an import, or a change of the similarity code). Resumable: run it again
after an interruption and it goes on where it stopped; ``--reset`` starts over."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from zixun.articles.models import Article
from zixun.ranking.related import related_rebuild


class Command(BaseCommand):
    help = "Index every published article and compute its related articles (resumable)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reset", action="store_true", help="Start over from the first.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        total = Article.objects.filter(status=Article.Status.PUBLISHED).count() * 2
        with tqdm(total=total, unit=" steps", disable=options["no_progress"]) as bar:
            indexed, lists = related_rebuild(reset=options["reset"], progress=bar.update)
        self.stdout.write(_("已索引 %(indexed)s 篇文章，计算 %(lists)s 个相关推荐列表")
                          % {"indexed": indexed, "lists": lists})  # fmt: skip
