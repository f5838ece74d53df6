from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zixun.articles.covers import Cover, cover_of, media_url
from zixun.articles.limits import SUMMARY_MAX, TITLE_MAX
from zixun.channels.models import Channel
from zixun.core.models import BaseModel
from zixun.creators.models import Creator


class Article(BaseModel):
    """An article of a creator account. ``body_html`` is always sanitized."""

    class Label(models.TextChoices):
        """An editor's fact-check label (docs/moderation.md), shown on the page and every card."""

        NONE = "", _("无")
        DEBUNKED = "debunked", _("辟谣")
        FALSE = "false", _("不实信息")
        DISPUTED = "disputed", _("有争议")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PENDING = "pending", _("待审核")
        SCHEDULED = "scheduled", _("定时发布")
        PUBLISHED = "published", _("已发布")
        REJECTED = "rejected", _("未通过")
        UNPUBLISHED = "unpublished", _("已下线")
        # An editor's takedown: only an editor lifts it (article_takedown_lift).
        TAKEN_DOWN = "taken_down", _("已下架")

    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="articles")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=TITLE_MAX)
    # What the creator wrote (Markdown); body_html is rendered from it and sanitized.
    body_source = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    body_text = models.TextField(blank=True)
    summary = models.CharField(max_length=SUMMARY_MAX, blank=True)
    cover_image = models.ImageField(upload_to="covers/%Y/%m/", blank=True)
    cover_alt = models.CharField(max_length=200, blank=True)
    # Copied from the cover's Image when it is chosen, so that lists need no join:
    # its size and the storage names of its renditions ({"320": …, "960": …}).
    cover_width = models.PositiveIntegerField(default=0)
    cover_height = models.PositiveIntegerField(default=0)
    cover_renditions = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    is_original = models.BooleanField(default=False)
    source = models.CharField(max_length=100, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    # Set by imports: the record's id in its source, so that a re-import updates
    # instead of duplicating, and a hash of its content to skip unchanged rows.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    content_hash = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    # 定时发布: when a scheduled article goes live.
    scheduled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # 更新于: when a published article was last revised.
    revised_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField(blank=True)
    # Why an editor took the article down; shown to its account in the studio.
    takedown_reason = models.TextField(blank=True)
    # The author's note on an edit waiting for review; it becomes the revision's note.
    pending_note = models.CharField(max_length=200, blank=True)
    # Soft delete: hidden everywhere, restorable by editors.
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Editors pin headlines (置顶) to the top of the home page.
    pinned_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # 辟谣 / 不实信息 / 有争议: an editor's label with the evidence and a note (article_label_set).
    label = models.CharField(max_length=10, choices=Label.choices, blank=True, default="")
    label_url = models.URLField(max_length=500, blank=True)
    label_note = models.CharField(max_length=200, blank=True)
    # Near-duplicates (docs/moderation.md): the earliest published article this one nearly
    # copies (set after publishing by the moderation app's index); lists show one of a story.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why the filter or the copy check sent this article to an editor (shown on the review
    # page): [{"kind": "keyword", "rule": …, "words": […]}, {"kind": "copy", "article_id": …}].
    review_flags = models.JSONField(default=list, blank=True)
    # The 标题党 score (0–1) of the live title and body, set at publish; a penalty in the hot list
    # and the feed (zixun.moderation.clickbait).
    clickbait = models.FloatField(default=0.0)
    # Counters of rows in the engagement app, kept exact by its services;
    # `zixun recount` rebuilds them. view_count is buffered (see zixun/engagement/viewcount.py).
    view_count = models.PositiveIntegerField(default=0)
    share_count = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    favorite_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # One index per keyset-paginated list: (filter, published_at, id).
            models.Index(fields=["status", "-published_at", "-id"], name="article_latest"),
            # 置顶: the few pinned articles, without walking every published one.
            models.Index(
                fields=["-pinned_at", "-id"],
                name="article_pinned",
                condition=models.Q(pinned_at__isnull=False),
            ),
            models.Index(
                fields=["creator", "status", "-published_at", "-id"], name="article_by_creator"
            ),
            models.Index(
                fields=["channel", "status", "-published_at", "-id"], name="article_by_channel"
            ),
            models.Index(
                fields=["channel", "status", "is_original", "-published_at", "-id"],
                name="article_original",
            ),
            # The studio (an account's articles by id), the review queue (pending, oldest
            # first) and the deleted list (newest first) are keyset-paginated on id.
            models.Index(fields=["creator", "-id"], name="article_studio"),
            models.Index(fields=["status", "id"], name="article_review_queue"),
            models.Index(
                fields=["-id"],
                name="article_deleted",
                condition=models.Q(deleted_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:article", kwargs={"article_id": self.pk})

    @property
    def cover(self) -> Cover | None:
        return cover_of(
            name=self.cover_image.name or "",
            width=self.cover_width,
            height=self.cover_height,
            renditions=self.cover_renditions,
            alt=self.cover_alt,
        )

    @property
    def cover_in_body(self) -> bool:
        """True when the body already shows the cover (or a rendition of it): the page then
        does not show it twice."""
        if not self.cover_image:
            return False
        names = [self.cover_image.name, *self.cover_renditions.values()]
        return any(f'{media_url(name)}"' in self.body_html for name in names)

    @property
    def story_id(self) -> int:
        """One id per story: near-duplicates share their original's."""
        return self.duplicate_of_id or self.pk

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Revision(models.Model):
    """A published version of an article; every publish and every later edit adds one."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    body_source = models.TextField(blank=True)
    body_html = models.TextField()
    summary = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set on every revision the article had when an editor took it down: the public
    # history (更新记录) never shows it again; editors and the account's members do.
    taken_down_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


class PendingChange(models.Model):
    """A change whose receivers (webhook events) have not all run: written in the change's
    own transaction, deleted by its follow-up task when done. One left behind past
    ``publishing.REPAIR_AFTER`` lost its task (a crash between the commit and the enqueue, a
    worker killed while it ran): the minutely sweep runs it with its kind and its id, which
    the receivers use as the idempotency key, so the event is sent once, never lost."""

    article_id = models.BigIntegerField()
    change = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="pendingchange_age")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.change}"


class Image(BaseModel):
    """An uploaded image of a creator account: cleaned, with renditions and alt text."""

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="images")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.ImageField(upload_to="images/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt = models.CharField(max_length=200)
    # {"320": "images/…/x-320.jpg", "960": "…"}: storage names of the smaller renditions.
    renditions = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.alt

    @property
    def thumb_url(self) -> str:
        """The narrowest rendition's URL (the image itself when it is narrower than 320 px)."""
        return media_url(self.renditions.get("320") or self.file.name)
