"""``zixun search-words add|remove|list WORD ...``: the operators' dictionary of new names and terms.
Adding re-indexes only the articles that hold the word."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from zixun.search.models import SearchWord
from zixun.search.services import SearchWordError, search_word_add, search_word_remove


class Command(BaseCommand):
    help = "Add, remove or list the words operators added to the search dictionary."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["add", "remove", "list"])
        parser.add_argument("words", nargs="*")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        words = options["words"]
        if options["action"] == "list":
            for word in SearchWord.objects.values_list("word", flat=True):
                self.stdout.write(word)
            return
        if not words:
            raise CommandError(_("请给出至少一个词"))
        try:
            if options["action"] == "add":
                with tqdm(unit=" articles", disable=options["no_progress"]) as bar:
                    added, reindexed = search_word_add(words=words, progress=bar.update)
                self.stdout.write(_("新增 %(added)s 个词，重新索引 %(reindexed)s 篇文章")
                                  % {"added": added, "reindexed": reindexed})  # fmt: skip
            else:
                removed = search_word_remove(words=words)
                self.stdout.write(_("删除 %(removed)s 个词") % {"removed": removed})
        except SearchWordError as error:
            raise CommandError(str(error)) from None
