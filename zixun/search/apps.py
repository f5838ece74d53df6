from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "zixun.search"
    label = "search"
    verbose_name = "搜索"
