from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "zixun.moderation"
    label = "moderation"
    verbose_name = _("内容安全")

    def ready(self) -> None:
        from zixun.articles.services.publishing import article_changed
        from zixun.moderation import receivers

        article_changed.connect(receivers.on_article_changed, dispatch_uid="moderation-article")
