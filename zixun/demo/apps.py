from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zixun.demo"
    label = "demo"
