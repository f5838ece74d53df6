"""``zixun restore SRC``: restore a backup into this site's (empty) database and file roots,
then compare every table's rows and hash with the manifest; ``--check`` only verifies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zixun.core.backup import RESTORE_MISMATCH, BackupError, backup_restore
from zixun.core.errors import message_format
from zixun.core.management.commands.core_backup import verify


class Command(BaseCommand):
    help = (
        "Restore a backup made by `zixun backup` into an empty database and empty media and "
        "private roots, then compare row counts and content hashes with its manifest."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path, help="The backup directory.")
        parser.add_argument("--force", action="store_true",
                            help="Overwrite a database and file roots that are not empty.")  # fmt: skip
        parser.add_argument("--check", action="store_true",
                            help="Only check the backup's files against its manifest.")  # fmt: skip
        parser.add_argument("--no-progress", action="store_true", help="No progress lines.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = (lambda line: None) if options["no_progress"] else self.stderr.write
        try:
            if options["check"]:
                verify(self, options["path"], report)
                return
            result = backup_restore(src=options["path"], force=options["force"], report=report)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{_('表'):<40}{_('备份行数'):>12}{_('恢复行数'):>12}  {_('内容')}")
        for check in result.tables:
            self.stdout.write(
                f"{check.table:<40}{check.rows_expected!s:>12}{check.rows_found!s:>12}  "
                + (_("一致") if check.hash_matches else _("不一致"))
            )
        for note in result.notes:
            self.stderr.write(note)
        wrong = [check.table for check in result.tables if not check.ok]
        if wrong:
            raise CommandError(message_format(RESTORE_MISMATCH, tables=", ".join(wrong)))
        self.stdout.write(
            _("已恢复 %(path)s（%(created)s）：%(tables)s 张表的行数和内容与清单一致，%(files)s 个文件")
            % {"path": options["path"], "created": result.manifest.get("created_at"),
               "tables": len(result.tables), "files": result.files}
        )  # fmt: skip
