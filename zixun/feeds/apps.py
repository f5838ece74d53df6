from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "zixun.feeds"
    label = "feeds"
