"""``zixun backup DEST``: an online backup of the database and the uploaded files into the new
directory DEST; ``zixun backup --verify SRC`` checks a backup's files against its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zixun.core.backup import BackupError, backup_create, backup_verify


class Command(BaseCommand):
    help = (
        "Back up the database, ZIXUN_MEDIA_ROOT and ZIXUN_PRIVATE_ROOT into the new directory "
        "PATH while the site runs (docs/operations.md); --verify checks an existing backup."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path, help="The backup directory (must not exist).")
        parser.add_argument("--verify", action="store_true",
                            help="Check the backup at PATH against its manifest; write nothing.")  # fmt: skip
        parser.add_argument("--no-progress", action="store_true", help="No progress lines.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = (lambda line: None) if options["no_progress"] else self.stderr.write
        try:
            if options["verify"]:
                verify(self, options["path"], report)
                return
            manifest = backup_create(dest=options["path"], report=report)
        except BackupError as error:
            raise CommandError(str(error)) from error
        tables = manifest["tables"]
        self.stdout.write(
            _("已备份到 %(path)s：%(engine)s 数据库 %(tables)s 张表 %(rows)s 行，%(files)s 个文件")
            % {"path": options["path"], "engine": manifest["engine"], "tables": len(tables),
               "rows": sum(table["rows"] for table in tables.values()),
               "files": len(manifest["files"])}
        )  # fmt: skip


def verify(command: BaseCommand, path: Path, report: Any) -> None:
    """Check the backup at ``path`` and say so; CommandError listing the problems if any."""
    result = backup_verify(src=path, report=report)
    manifest = result.manifest
    if result.problems:
        for problem in result.problems:
            command.stderr.write(problem)
        raise CommandError(
            _("备份 %(path)s 未通过校验：%(count)s 处问题")
            % {"path": path, "count": len(result.problems)}
        )
    command.stdout.write(
        _("备份 %(path)s 完好：%(engine)s，%(created)s，%(files)s 个文件 %(mb).1f MB 与清单一致")
        % {"path": path, "engine": manifest["engine"], "created": manifest.get("created_at"),
           "files": result.files, "mb": result.bytes / 1e6}
    )  # fmt: skip
