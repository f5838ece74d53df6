from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from zixun.web.views import health, reading, signin

urlpatterns: list[URLPattern | URLResolver] = [
    # The admin signs in through the site's sign-in and its limits (docs/security.md, 2).
    path("admin/login/", signin.admin_login),
    path("admin/", admin.site.urls),
    # allauth's sign-in page, answering 429 when the failed sign-ins are limited.
    path("accounts/login/", signin.login),
    path("accounts/", include("allauth.urls")),
    path("me/", include("zixun.web.me_urls")),
    path("api/v1/", include("zixun.api.urls")),
    path("studio/webhooks/", include("zixun.web.webhook_urls")),
    # Browsers that ignore the page's <link rel="icon"> ask for /favicon.ico.
    path("favicon.ico", reading.favicon),
    # For load balancers and monitors: the database and both caches (docs/deploy.md).
    path("healthz", health.healthz, name="healthz"),
    # The pages before the feeds: most requests are for them, and every include a path is
    # tried against and fails costs a Resolver404 (no pattern of one matches the other's).
    path("", include("zixun.web.urls")),
    path("", include("zixun.web.syndication_urls")),
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
