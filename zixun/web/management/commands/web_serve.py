from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand


def granian_argv(*, host: str, port: int, workers: int) -> list[str]:
    """The command line that serves the site with granian (WSGI)."""
    granian = Path(sys.executable).with_name("granian")
    return [
        str(granian), "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", str(workers), "--no-ws", "--log-level", "warning", "config.wsgi:application",
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Serve the site with granian (the production server)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))

    def handle(self, *args: Any, **options: Any) -> None:
        argv = granian_argv(host=options["host"], port=options["port"], workers=options["workers"])
        host = options["host"] if ":" not in options["host"] else f"[{options['host']}]"
        self.stdout.write(f"Zixun 资讯 已启动 / serving at http://{host}:{options['port']}/")
        self.stdout.flush()
        os.execv(argv[0], argv)  # noqa: S606 - replace this process with the server
