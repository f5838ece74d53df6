from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "zixun.privacy"
    label = "privacy"
    verbose_name = "个人信息"
