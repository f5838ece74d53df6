"""RSS and Atom feeds, sitemaps (docs/api.md)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
