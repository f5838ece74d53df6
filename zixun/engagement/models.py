from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zixun.articles.models import Article
from zixun.core.models import BaseModel


class Like(models.Model):
    """点赞: one per reader and article. Article.like_count counts these rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "article"], name="like_once")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.article_id}"


class Favorite(models.Model):
    """收藏: one per reader and article."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="favorites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "article"], name="favorite_once")]
        indexes = [models.Index(fields=["user", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.article_id}"


class Share(models.Model):
    """One use of the share menu. Article.share_count counts these rows."""

    class Channel(models.TextChoices):
        COPY_LINK = "link", _("复制链接")
        QR_CODE = "qr", _("二维码")
        WEIBO = "weibo", _("微博")
        QQ = "qq", _("QQ")
        QZONE = "qzone", _("QQ空间")
        DOUBAN = "douban", _("豆瓣")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.channel}"


class Comment(BaseModel):
    """跟贴: a comment on an article, or a reply to one (one level deep)."""

    class Status(models.TextChoices):
        VISIBLE = "visible", _("已发布")
        PENDING = "pending", _("待审核")
        REJECTED = "rejected", _("未通过")
        DELETED = "deleted", _("已删除")
        # Removed by a moderator after it was shown (a report, a ban with hide-all).
        HIDDEN = "hidden", _("已屏蔽")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    # Null once the author deletes their account: the comment stays, anonymised.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="comments",
    )  # fmt: skip
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    # IP属地: the province resolved when the comment was written; the address is not kept.
    region = models.CharField(max_length=20, blank=True)
    reply_count = models.PositiveIntegerField(default=0)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["article", "parent", "status", "-created_at", "-id"]),
            models.Index(fields=["article", "parent", "status", "-reply_count", "-id"]),
            models.Index(fields=["user", "-created_at", "-id"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.body[:30]


class Reading(models.Model):
    """Reading history: the last time a signed-in reader opened an article."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="readings"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["-read_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "article"], name="reading_once")]
        indexes = [models.Index(fields=["user", "-read_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.article_id}"


class CommentBan(BaseModel):
    """禁言: a reader barred from commenting until ``until`` (None: until lifted)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_ban"
    )
    until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.user_id} until {self.until}"
