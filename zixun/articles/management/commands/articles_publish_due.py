from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zixun.articles.services.publishing import article_followups_repair, articles_publish_due
from zixun.creators.services import creator_suspensions_end


class Command(BaseCommand):
    help = (
        "Publish every scheduled article whose time has come: the repair sweep for a lost "
        "task (safe to run at any time, e.g. from cron every minute). Also runs the follow-up "
        "of changes whose task was lost (index, related, counts) and ends the account "
        "suspensions whose period is over."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        published = articles_publish_due()
        self.stdout.write(_("已发布 %(count)s 篇") % {"count": published})
        repaired = article_followups_repair()
        if repaired:
            self.stdout.write(_("已补做 %(count)s 篇文章的后续处理") % {"count": repaired})
        ended = creator_suspensions_end()
        if ended:
            self.stdout.write(_("%(count)s 个账号的封禁期已满，已解除") % {"count": ended})
