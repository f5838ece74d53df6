"""``zixun moderation-lists``: load and show the keyword filter's lists from files (the admin
edits them one by one). Loading is idempotent: a second run, or a run after an interruption,
adds only what is missing.

    zixun moderation-lists import-keywords keywords.tsv --action review --action-for 广告类型=mask
    zixun moderation-lists import-domains blocked_domains.txt
    zixun moderation-lists import-allowlist            # the built-in list of ordinary words
    zixun moderation-lists show
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils.translation import gettext as _
from tqdm import tqdm

from zixun.moderation import keywords
from zixun.moderation.models import AllowWord, BlockedDomain, WordList
from zixun.moderation.services import (
    ModerationError,
    allow_words_set,
    blocked_domains_set,
    domain_checked,
    wordlist_save,
    words_add,
)

BATCH = 5000


class Command(BaseCommand):
    help = "Load the keyword filter's lists from files, or show them."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["import-keywords", "import-domains", "import-allowlist", "show"])  # fmt: skip
        parser.add_argument(
            "file", nargs="?", help="TSV (category<TAB>keyword) or one entry per line"
        )
        parser.add_argument("--action", dest="list_action", default="review",
                            choices=["block", "review", "mask"],
                            help="what a list created here does (default: review)")  # fmt: skip
        parser.add_argument("--action-for", action="append", default=[], metavar="CATEGORY=ACTION",
                            help="another action for one category; repeatable")  # fmt: skip
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "show":
                self._show()
            elif action == "import-allowlist":
                path = Path(options["file"]) if options["file"] else keywords.ALLOWLIST_PATH
                added, _removed = allow_words_set(
                    by=None, add=sorted(keywords.load_allowlist(path))
                )
                self.stdout.write(_("白名单新增 %(n)s 个词") % {"n": added})
            elif not options["file"]:
                raise CommandError(_("请给出文件"))
            elif action == "import-domains":
                self._domains(Path(options["file"]), options["no_progress"])
            else:
                self._keywords(Path(options["file"]), options, options["no_progress"])
        except (ModerationError, ValueError, OSError) as error:
            raise CommandError(str(error)) from None

    def _show(self) -> None:
        for row in WordList.objects.annotate(n=Count("words")).order_by("name"):
            state = row.get_action_display() if row.is_active else _("停用")
            self.stdout.write(f"{row.name}\t{state}\t{row.n}")
        self.stdout.write(_("白名单 %(a)s 个词，禁止链接的域名 %(d)s 个")
                          % {"a": AllowWord.objects.count(), "d": BlockedDomain.objects.count()})  # fmt: skip

    def _keywords(self, path: Path, options: dict[str, Any], quiet: bool) -> None:
        actions: dict[str, str] = {}
        for pair in options["action_for"]:
            category, _sep, chosen = pair.partition("=")
            if chosen not in {"block", "review", "mask"}:
                raise CommandError(_("--action-for 应写成 分类=block|review|mask：%(pair)s") % {"pair": pair})  # fmt: skip
            actions[category] = chosen
        rules = keywords.rules_from_tsv(path, action_by_category={}, default=keywords.Action.REVIEW)
        by_category: dict[str, list[str]] = defaultdict(list)
        for rule in rules:
            by_category[rule.category].append(rule.word)
        added = 0
        with tqdm(total=len(rules), unit=" words", disable=quiet) as bar:
            for category, words in by_category.items():
                listed = WordList.objects.filter(name=category).first() or wordlist_save(
                    by=None, name=category, action=actions.get(category, options["list_action"])
                )
                for start in range(0, len(words), BATCH):
                    chunk = [w for w in words[start : start + BATCH] if keywords.normalise(w)]
                    added += words_add(by=None, word_list=listed, words=chunk)
                    bar.update(len(words[start : start + BATCH]))
        self.stdout.write(_("%(lists)s 个词库，新增 %(added)s 个关键词")
                          % {"lists": len(by_category), "added": added})  # fmt: skip

    def _domains(self, path: Path, quiet: bool) -> None:
        domains, skipped = [], 0
        for domain in sorted(keywords.domains_from_file(path)):
            try:
                domains.append(domain_checked(domain))
            except ModerationError:
                skipped += 1
        added = 0
        with tqdm(total=len(domains), unit=" domains", disable=quiet) as bar:
            for start in range(0, len(domains), BATCH):
                chunk = domains[start : start + BATCH]
                added += blocked_domains_set(by=None, add=chunk)[0]
                bar.update(len(chunk))
        self.stdout.write(_("新增 %(n)s 个禁止链接的域名，跳过 %(skipped)s 个不是域名的行")
                          % {"n": added, "skipped": skipped})  # fmt: skip
