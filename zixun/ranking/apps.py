from django.apps import AppConfig


class RankingConfig(AppConfig):
    name = "zixun.ranking"
    label = "ranking"
    verbose_name = "排序与推荐"

    def ready(self) -> None:
        from zixun.articles.services.publishing import article_changed
        from zixun.events.services import events_recorded
        from zixun.ranking import receivers

        events_recorded.connect(receivers.on_events_recorded, dispatch_uid="ranking-hot")
        article_changed.connect(receivers.on_article_changed, dispatch_uid="ranking-article")
