"""The studio's webhook pages, under /studio/webhooks/ (docs/api.md)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
