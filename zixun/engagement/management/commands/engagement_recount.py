from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zixun.articles.services.counters import creator_articles_recount
from zixun.creators.services import creator_followers_recount
from zixun.engagement.services import engagement_recount


class Command(BaseCommand):
    help = (
        "Recompute every counter from the rows: accounts' article and follower counts, "
        "articles' like, favourite, share and comment counts."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        articles_changed = creator_articles_recount()
        followers_changed = creator_followers_recount()
        self.stdout.write(
            _("已校正 %(articles)s 个账号的文章数、%(followers)s 个账号的关注度")
            % {"articles": articles_changed, "followers": followers_changed}
        )
        articles = engagement_recount()
        self.stdout.write(
            _("已重算 %(count)s 篇文章的点赞、收藏、分享、跟贴数") % {"count": articles}
        )
