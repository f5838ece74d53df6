from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "zixun.webhooks"
    label = "webhooks"
