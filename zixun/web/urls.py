from django.urls import path

from zixun.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("channel/<slug:slug>/", views.channel_detail, name="channel"),
    path("article/<int:article_id>/", views.article_detail, name="article"),
    path("article/<int:article_id>/qr.svg", views.article_qr, name="article-qr"),
    path("account/<int:creator_id>/", views.account_detail, name="account"),
    path("apply/", views.apply_info, name="apply"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("mode/<str:mode>/<str:state>/", views.mode_set, name="mode-set"),
    path("lang/<str:code>/", views.language_set, name="language-set"),
]
