from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zixun.creators.services import creators_recount


class Command(BaseCommand):
    help = (
        "Recompute every counter from the rows: accounts' article and follower counts, "
        "articles' like, favourite, share and comment counts."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from zixun.engagement.services import engagement_recount

        changed = creators_recount()
        self.stdout.write(f"已校正 {changed} 个账号 / corrected {changed} accounts")
        articles = engagement_recount()
        self.stdout.write(
            f"已重算 {articles} 篇文章的点赞、收藏、分享、跟贴数 / recounted {articles} articles"
        )
