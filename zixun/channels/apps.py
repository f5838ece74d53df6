from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "zixun.channels"
    label = "channels"
