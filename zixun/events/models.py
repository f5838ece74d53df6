from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One reader action that ranking learns from: the append-only signal log.

    Ids are plain numbers, not foreign keys: the log outlives the rows it mentions
    (an article deleted later was still read), is never joined on a page, and is
    pruned by age (``zixun events-prune``) and per reader when they leave.
    """

    class Kind(models.IntegerChoices):
        VIEW = 1, _("阅读")
        READ = 2, _("读完")
        LIKE = 3, _("点赞")
        UNLIKE = 4, _("取消点赞")
        FAVORITE = 5, _("收藏")
        UNFAVORITE = 6, _("取消收藏")
        SHARE = 7, _("分享")
        COMMENT = 8, _("跟贴")
        FOLLOW = 9, _("关注")
        UNFOLLOW = 10, _("取消关注")
        DISLIKE = 11, _("不感兴趣")
        PUBLISH = 12, _("发布")

    id = models.BigAutoField(primary_key=True)
    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    # The reader, or none for anonymous readers' views (then ``count`` may be more than one).
    user_id = models.BigIntegerField(null=True, blank=True)
    article_id = models.BigIntegerField(null=True, blank=True)
    creator_id = models.BigIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField(default=1)
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["user_id", "-id"], name="event_by_user"),
            models.Index(fields=["at"], name="event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} u{self.user_id} a{self.article_id}"
