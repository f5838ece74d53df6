from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("me/", include("zixun.web.me_urls")),
    path("", include("zixun.web.urls")),
]

if settings.ZIXUN_SERVE_MEDIA:
    from django.views.static import serve

    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )

if settings.ZIXUN_BENCH:
    from zixun.web.views import bench as bench_views

    urlpatterns[:0] = [
        path("bench/bare/", bench_views.bare, name="bench-bare"),
        path("bench/render/<int:article_id>/", bench_views.render, name="bench-render"),
    ]
