"""The studio's webhook pages (通知推送), mounted at /studio/webhooks/ by config/urls.py
(docs/webhooks.md)."""

from django.urls import URLPattern, URLResolver, path

from zixun.web.views import webhooks as views

app_name = "webhooks"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.webhook_list, name="list"),
    path("new/", views.webhook_new, name="new"),
    path("<int:webhook_id>/", views.webhook_detail, name="detail"),
    path("<int:webhook_id>/edit/", views.webhook_edit, name="edit"),
    path("<int:webhook_id>/delete/", views.webhook_remove, name="delete"),
    path("<int:webhook_id>/test/", views.webhook_test, name="test"),
    path(
        "<int:webhook_id>/deliveries/<int:delivery_id>/redeliver/",
        views.delivery_redeliver,
        name="redeliver",
    ),
]
