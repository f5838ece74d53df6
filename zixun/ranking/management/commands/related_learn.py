"""``zixun related-learn``: learn 相关推荐's term vectors from every indexed article (no labels,
nothing downloaded), make them the model in use, and re-index so that every article gets its
vector and topic under it. Run it after a large import and then now and then (weekly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from zixun.articles.models import Article
from zixun.ranking.models import RelatedList
from zixun.ranking.related import related_learn, related_rebuild


class Command(BaseCommand):
    help = "Learn term vectors for related articles from the indexed articles, then re-index."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["no_progress"]
        with tqdm(total=RelatedList.objects.count(), unit=" articles", disable=quiet) as bar:
            model = related_learn(progress=bar.update)
        if model is None:
            self.stdout.write(_("已索引的文章太少，没有学到词向量；相关推荐继续只按字词匹配"))
            return
        total = Article.objects.filter(status=Article.Status.PUBLISHED).count() * 2
        with tqdm(total=total, unit=" steps", disable=quiet) as bar:
            indexed, lists = related_rebuild(reset=True, progress=bar.update)
        self.stdout.write(_("已从 %(docs)s 篇文章学到词向量，重新索引 %(indexed)s 篇，计算 %(lists)s 个相关推荐列表")
                          % {"docs": model.documents, "indexed": indexed, "lists": lists})  # fmt: skip
