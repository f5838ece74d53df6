from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zixun.creators.services import creators_recount


class Command(BaseCommand):
    help = "Recompute every account's article and follower counts from the rows."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = creators_recount()
        self.stdout.write(f"已校正 {changed} 个账号 / corrected {changed} accounts")
