from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "zixun.webhooks"
    label = "webhooks"
    verbose_name = _("通知推送")

    def ready(self) -> None:
        from zixun.articles.services.publishing import article_changed
        from zixun.engagement.services import comment_visible
        from zixun.webhooks import receivers

        article_changed.connect(receivers.on_article_changed, dispatch_uid="webhooks-article")
        comment_visible.connect(receivers.on_comment_visible, dispatch_uid="webhooks-comment")
