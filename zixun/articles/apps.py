from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "zixun.articles"
    label = "articles"
