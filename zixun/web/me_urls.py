"""我的: the reader's own pages, mounted at /me/ by config/urls.py."""

from django.urls import URLPattern, path

from zixun.web.views import foryou as foryou_views
from zixun.web.views import me as me_views
from zixun.web.views import tokens, trust

app_name = "me"
urlpatterns: list[URLPattern] = [
    path("", me_views.me_home, name="home"),
    path("follows/", me_views.me_follows, name="follows"),
    path("favorites/", me_views.me_favorites, name="favorites"),
    path("history/", me_views.me_history, name="history"),
    path("history/clear/", me_views.me_history_clear, name="history-clear"),
    path("comments/", me_views.me_comments, name="comments"),
    path("interests/", foryou_views.me_interests, name="interests"),
    path("interests/change/", foryou_views.me_interests_change, name="interests-change"),
    path("notices/", trust.me_notices, name="notices"),
    path("appeal/<int:entry_id>/", trust.me_appeal, name="appeal"),
    path("tokens/", tokens.me_tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", tokens.me_token_revoke, name="token-revoke"),
    path("data.json", me_views.me_data, name="data"),
    path("delete/", me_views.me_delete, name="delete"),
]
