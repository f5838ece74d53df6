from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("", include("zixun.web.urls")),
]

if settings.ZIXUN_BENCH:
    from zixun.web import bench_views

    urlpatterns[:0] = [
        path("bench/bare/", bench_views.bare, name="bench-bare"),
        path("bench/render/<int:article_id>/", bench_views.render, name="bench-render"),
    ]
