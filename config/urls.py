from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("zixun.web.urls")),
]

if settings.ZIXUN_BENCH:
    from zixun.web.bench_views import bare

    urlpatterns.insert(0, path("bench/bare/", bare, name="bench-bare"))
