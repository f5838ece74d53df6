from django.urls import path

from zixun.web.views import auditlog, editorial, studio, studio_checks, tokens, trust
from zixun.web.views import engagement as engagement_views
from zixun.web.views import feed as feed_views
from zixun.web.views import foryou as foryou_views
from zixun.web.views import hot as hot_views
from zixun.web.views import reading as views
from zixun.web.views import search as search_views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("channel/<slug:slug>/", views.channel_detail, name="channel"),
    path("article/<int:article_id>/", views.article_detail, name="article"),
    path("article/<int:article_id>/qr.svg", views.article_qr, name="article-qr"),
    path("article/<int:article_id>/comments/", views.article_comments, name="comments"),
    path("article/<int:article_id>/like/", engagement_views.article_like, name="like"),
    path("article/<int:article_id>/favorite/", engagement_views.article_favorite, name="favorite"),
    path("article/<int:article_id>/share/", engagement_views.article_share, name="share"),
    path("article/<int:article_id>/read/", engagement_views.article_read, name="read"),
    path(
        "article/<int:article_id>/comment/", engagement_views.comment_create, name="comment-create"
    ),
    path("comment/<int:comment_id>/", views.comment_thread_page, name="comment-thread"),
    path("comment/<int:comment_id>/edit/", engagement_views.comment_edit, name="comment-edit"),
    path(
        "comment/<int:comment_id>/delete/", engagement_views.comment_delete, name="comment-delete"
    ),
    path(
        "account/<int:creator_id>/follow/",
        engagement_views.creator_follow_toggle,
        name="follow",
    ),
    path("account/<int:creator_id>/", views.account_detail, name="account"),
    path("apply/", studio.apply, name="apply"),
    path("apply/<int:application_id>/avatar/", studio.application_avatar, name="apply-avatar"),
    path("article/<int:article_id>/revisions/", studio.article_revisions, name="revisions"),
    path("feed/", feed_views.follow_feed, name="feed"),
    path("foryou/", foryou_views.foryou_page, name="foryou"),
    path("foryou/dislike/", foryou_views.foryou_dislike, name="foryou-dislike"),
    path("hot/", hot_views.hot_page, name="hot"),
    path("hot/about/", hot_views.hot_about, name="hot-about"),
    path("hot/manage/", hot_views.hot_manage, name="hot-manage"),
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.suggest, name="search-suggest"),
    path("search/hot/", search_views.hot_search_about, name="hot-search-about"),
    path("search/hot/manage/", search_views.hot_search_manage, name="hot-search-manage"),
    path("studio/", studio.studio_home, name="studio"),
    path("studio/new/", studio.article_new, name="studio-new"),
    path("studio/preview/", studio.markdown_preview, name="studio-markdown-preview"),
    path("studio/title-check/", studio_checks.title_check, name="studio-title-check"),
    path("studio/a11y-check/", studio_checks.a11y_check, name="studio-a11y-check"),
    path("studio/images/", studio.image_upload, name="studio-image-upload"),
    path("studio/tokens/", tokens.studio_tokens, name="studio-tokens"),
    path(
        "studio/tokens/<int:token_id>/revoke/",
        tokens.studio_token_revoke,
        name="studio-token-revoke",
    ),
    path("studio/articles/<int:article_id>/", studio.article_edit, name="studio-article"),
    path(
        "studio/articles/<int:article_id>/autosave/",
        studio.article_autosave,
        name="studio-autosave",
    ),
    path(
        "studio/articles/<int:article_id>/preview/",
        studio.article_preview,
        name="studio-preview",
    ),
    path("editor/", editorial.editor_home, name="editor"),
    path("editor/audit/", auditlog.editor_audit, name="editor-audit"),
    path(
        "editor/applications/<int:application_id>/",
        editorial.application_review,
        name="editor-application",
    ),
    path(
        "editor/applications/<int:application_id>/credentials/",
        editorial.application_credentials,
        name="editor-credentials",
    ),
    path(
        "editor/articles/",
        editorial.editor_queue,
        {"queue": "pending"},
        name="editor-pending",
    ),
    path(
        "editor/deleted/",
        editorial.editor_queue,
        {"queue": "deleted"},
        name="editor-deleted",
    ),
    path("editor/articles/<int:article_id>/", editorial.article_review, name="editor-article"),
    path("editor/comments/<int:comment_id>/", editorial.comment_moderate, name="editor-comment"),
    path("editor/reports/", trust.editor_reports, name="editor-reports"),
    path("editor/reports/<int:case_id>/", trust.editor_case, name="editor-case"),
    path("editor/appeals/", trust.editor_appeals, name="editor-appeals"),
    path("editor/appeals/<int:appeal_id>/", trust.editor_appeal, name="editor-appeal"),
    path("editor/articles/<int:article_id>/label/", trust.editor_label, name="editor-label"),
    path("report/<str:kind>/<int:target_id>/", trust.report, name="report"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("mode/<str:mode>/<str:state>/", views.mode_set, name="mode-set"),
    path("lang/<str:code>/", views.language_set, name="language-set"),
]
