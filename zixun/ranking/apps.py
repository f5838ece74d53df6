from django.apps import AppConfig


class RankingConfig(AppConfig):
    name = "zixun.ranking"
    label = "ranking"
    verbose_name = "Ranking"
