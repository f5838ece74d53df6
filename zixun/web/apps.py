from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zixun.web"
    label = "web"

    def ready(self) -> None:
        from zixun.engagement.services import comment_changed
        from zixun.web import receivers

        comment_changed.connect(receivers.on_comment_changed, dispatch_uid="web-comment-pages")
