from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zixun.web"
    label = "web"

    def ready(self) -> None:
        from zixun.articles.services.counters import article_counters_changed
        from zixun.engagement.services import comment_changed
        from zixun.web import i18nmemo, receivers

        comment_changed.connect(receivers.on_article_page_changed, dispatch_uid="web-comment-pages")
        article_counters_changed.connect(
            receivers.on_article_page_changed, dispatch_uid="web-counter-pages"
        )
        i18nmemo.install()
