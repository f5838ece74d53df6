"""``zixun events-prune``: delete ranking events and impressions older than their retention."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from zixun.events.services import events_prune
from zixun.ranking.personal import impressions_prune


class Command(BaseCommand):
    help = "Delete ranking events older than ZIXUN_EVENT_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None, help="Keep this many days.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = (
            options["days"] if options["days"] is not None else settings.ZIXUN_EVENT_RETENTION_DAYS
        )
        if days < 1:
            self.stderr.write(_("保留天数至少为 1"))
            raise SystemExit(2)
        # Deleted in batches of short transactions: interrupt and run again at any time.
        deleted = events_prune(before=timezone.now() - timedelta(days=days))
        self.stdout.write(_("已删除 %(n)s 个 %(days)s 天前的事件") % {"n": deleted, "days": days})
        keep = settings.ZIXUN_IMPRESSION_RETENTION_DAYS
        shown = impressions_prune(before=timezone.now() - timedelta(days=keep))
        self.stdout.write(_("已删除 %(n)s 条 %(days)s 天前的曝光记录") % {"n": shown, "days": keep})
