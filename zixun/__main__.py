"""The ``zixun`` command: Django's management commands under friendlier names.

``zixun import-articles FILE`` runs ``manage.py articles_import FILE``; any other
name is passed through with hyphens turned into underscores
(``zixun migrate``, ``zixun createsuperuser``).
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "import-articles": "articles_import",
    "demo": "demo_run",
    "load-demo": "demo_load",
    "serve": "web_serve",
    "recount": "engagement_recount",
    "publish-due": "articles_publish_due",
    "eval-recs": "ranking_eval",
    "export-behaviors": "behaviors_export",
    "moderation-lists": "moderation_lists",
    "moderation-rescreen": "moderation_rescreen",
    "backup": "core_backup",
    "restore": "core_restore",
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    if args and not args[0].startswith("-"):
        args[0] = ALIASES.get(args[0], args[0].replace("-", "_"))
    execute_from_command_line(["zixun", *args])


if __name__ == "__main__":
    main()
