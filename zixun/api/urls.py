"""The REST API under /api/v1/ (docs/api.md)."""

from django.urls import URLPattern, URLResolver, path

from zixun.api.main import api

urlpatterns: list[URLPattern | URLResolver] = [path("", api.urls)]
