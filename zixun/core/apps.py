from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zixun.core"
    label = "core"
