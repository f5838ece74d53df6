from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "zixun.engagement"
    label = "engagement"
