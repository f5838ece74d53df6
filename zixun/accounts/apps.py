from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zixun.accounts"
    label = "accounts"
