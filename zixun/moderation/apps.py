from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "zixun.moderation"
    label = "moderation"
