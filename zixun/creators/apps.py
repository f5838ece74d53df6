from django.apps import AppConfig


class CreatorsConfig(AppConfig):
    name = "zixun.creators"
    label = "creators"
