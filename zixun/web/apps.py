from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zixun.web"
    label = "web"
