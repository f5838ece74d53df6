from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "zixun.events"
    label = "events"
    verbose_name = "阅读信号"
