from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zixun.web.serving import DEFAULT_THREADS, granian_argv, site_url_default


class Command(BaseCommand):
    help = "Serve the site with granian (the production server)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("THREADS", str(DEFAULT_THREADS)))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = granian_argv(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
        )
        url = site_url_default(host=options["host"], port=options["port"])
        if url and not os.environ.get("ZIXUN_SITE_URL"):
            os.environ["ZIXUN_SITE_URL"] = url  # the server builds its links on it
        shown = options["host"] if ":" not in options["host"] else f"[{options['host']}]"
        self.stdout.write(_("资讯已启动：%(url)s") % {"url": f"http://{shown}:{options['port']}/"})
        self.stdout.flush()
        os.execv(argv[0], argv)  # noqa: S606 - replace this process with the server
