"""``zixun moderation-rescreen``: fingerprint the published articles for near-duplicate
detection and score their titles (标题党), as publishing does for each new article. For
imported articles, and after a change of the fingerprint's parameters. ``--missing`` (the
default) does only the articles without a fingerprint, so an interrupted run resumes where it
stopped; ``--all`` redoes every one, oldest first (an original before its copies)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from zixun.articles.models import Article
from zixun.moderation.models import Fingerprint
from zixun.moderation.services import article_screen_after_publish

BATCH = 2000


class Command(BaseCommand):
    help = "Fingerprint and score the published articles (near-duplicates, 标题党); resumable."

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--missing", action="store_true", help="only articles without a fingerprint (default)")  # fmt: skip
        group.add_argument("--all", action="store_true", help="every published article")
        parser.add_argument("--limit", type=int, default=None, help="stop after this many")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        published = Article.objects.filter(status=Article.Status.PUBLISHED, deleted_at__isnull=True)
        ids = published.order_by("published_at", "id").values_list("id", flat=True)
        if not options["all"]:
            done = set(Fingerprint.objects.values_list("article_id", flat=True))
            todo = [pk for pk in ids.iterator(chunk_size=BATCH) if pk not in done]
        else:
            todo = list(ids)
        if options["limit"] is not None:
            todo = todo[: options["limit"]]
        copies = 0
        with tqdm(total=len(todo), unit=" articles", disable=options["no_progress"]) as bar:
            for article_id in todo:
                article_screen_after_publish(article_id=article_id)
                bar.update(1)
        copies = published.filter(pk__in=todo, duplicate_of__isnull=False).count() if todo else 0
        self.stdout.write(_("已处理 %(n)s 篇文章，其中 %(copies)s 篇是更早文章的近似重复")
                          % {"n": len(todo), "copies": copies})  # fmt: skip
