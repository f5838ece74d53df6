from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zixun.webhooks.services import deliveries_due_attempt, deliveries_prune


class Command(BaseCommand):
    help = (
        "Send every webhook delivery that is due (a lost task, or a retry the task backend "
        "could not defer; safe to run at any time, e.g. from cron every minute), then drop "
        "the deliveries older than the retention period."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        attempted = deliveries_due_attempt()
        pruned = deliveries_prune()
        self.stdout.write(
            _("已尝试投递 %(attempted)s 条，清理 %(pruned)s 条旧记录")
            % {"attempted": attempted, "pruned": pruned}
        )
