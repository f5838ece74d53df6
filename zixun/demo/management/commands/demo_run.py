from __future__ import annotations

import os
import signal
import subprocess
import sys
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zixun.web.serving import granian_argv, site_url_default


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ask a child to stop, and make it stop if it has not within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Command(BaseCommand):
    help = (
        "Migrate, collect static files, load the demo content, then serve the site "
        "with the background worker beside it (Ctrl-C stops both)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-corpus", action="store_true", help="skip the large corpora")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("demo_load", no_corpus=options["no_corpus"])
        # A SIGTERM stops the worker too, as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        worker = subprocess.Popen([sys.executable, "-m", "zixun", "worker"])
        url = site_url_default(host=options["host"], port=options["port"])
        if url and not os.environ.get("ZIXUN_SITE_URL"):
            os.environ["ZIXUN_SITE_URL"] = url  # the server builds its links on it
        shown = options["host"] if ":" not in options["host"] else f"[{options['host']}]"
        self.stdout.write(_("资讯已启动：%(url)s") % {"url": f"http://{shown}:{options['port']}/"})
        self.stdout.flush()
        server = subprocess.Popen(  # noqa: S603
            granian_argv(host=options["host"], port=options["port"], workers=1)
        )
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            # SIGTERM lets granian stop its workers; a SIGKILL (what subprocess.run sends on
            # an interrupt) would leave them orphaned and still serving.
            _stop(server)
            _stop(worker)
