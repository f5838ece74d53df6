from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "zixun.api"
    label = "api"
