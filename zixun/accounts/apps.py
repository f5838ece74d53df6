from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zixun.accounts"
    label = "accounts"

    def ready(self) -> None:
        # allauth counts its sign-in limits in Django's default cache, with no setting to
        # choose another; the default is per process in the embedded setup, so a limit there
        # would be one per worker. Count them in the cache every worker shares
        # (zixun/core/sharedcache.py); test_sign_in_limits_are_shared_by_processes holds it.
        from allauth.core.internal import ratelimit
        from django.core.cache import caches
        from django.utils.connection import ConnectionProxy

        ratelimit.cache = ConnectionProxy(caches, "shared")  # type: ignore[attr-defined,assignment]
