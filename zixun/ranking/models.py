from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zixun.articles.models import Article
from zixun.core.models import BaseModel


class HotState(models.Model):
    """The hot list's position in the event log and its time origin (one row, id 1).

    Scores are stored as ``Σ w · 2^((t - epoch) / half-life)``: an event's weight
    is fixed when it is folded in, and the order of the stored scores is the order
    of the decayed ones. When the epoch is far behind, every score is scaled and
    the epoch moved forward in one transaction (docs/ranking.md).
    """

    last_event_id = models.BigIntegerField(default=0)
    epoch = models.FloatField(default=0.0)  # seconds since 1970

    def __str__(self) -> str:
        return f"hot@{self.last_event_id}"


class HotScore(models.Model):
    """The hot list in the database (the embedded default; Redis sorted sets in production)."""

    article_id = models.BigIntegerField(primary_key=True)
    channel_id = models.BigIntegerField(null=True, blank=True)
    score = models.FloatField(default=0.0)

    class Meta:
        indexes = [
            models.Index(fields=["-score"], name="hot_score"),
            models.Index(fields=["channel_id", "-score"], name="hot_channel_score"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.score:.1f}"


class HotIntervention(BaseModel):
    """An editor's pin or removal on the hot list, public on the 热榜说明 page."""

    class Action(models.TextChoices):
        PIN = "pin", _("置顶")
        REMOVE = "remove", _("移出")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    # For a pin: the place on the list (1 is the top).
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article"], condition=models.Q(ended_at__isnull=True),
                name="hot_intervention_one_active",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.article_id}"


class IngestCursor(models.Model):
    """How far a consumer of the event log (or of the impression log) has read."""

    name = models.CharField(max_length=40, primary_key=True)
    last_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}@{self.last_id}"


class Impression(models.Model):
    """What one reader was shown in one list (为你推荐, in order) and what they opened of it.

    One compact row per list shown; ``clicked`` fills in as the reader opens items
    (their views within ZIXUN_IMPRESSION_CLICK_HOURS). Pruned after
    ZIXUN_IMPRESSION_RETENTION_DAYS. ``zixun export-behaviors`` writes these as MIND rows.
    """

    id = models.BigAutoField(primary_key=True)
    user_id = models.BigIntegerField()
    list_name = models.CharField(max_length=20, default="foryou")
    shown_at = models.DateTimeField()
    article_ids = models.JSONField(default=list)  # in the order shown, position = index + 1
    clicked = models.JSONField(default=list)  # the ids opened, in the order opened

    class Meta:
        indexes = [
            models.Index(fields=["user_id", "-shown_at"], name="impression_by_user"),
            models.Index(fields=["shown_at"], name="impression_at"),
        ]

    def __str__(self) -> str:
        return f"u{self.user_id} {self.list_name} {len(self.article_ids)}"


class ArticleStats(models.Model):
    """Per article: how often it was shown and opened from the lists (the ranker's live CTR),
    and how many signed-in readers read it; trends are stored like hot scores (against an
    epoch, see HotState)."""

    article_id = models.BigIntegerField(primary_key=True)
    impressions = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    trend_impressions = models.FloatField(default=0.0)
    trend_clicks = models.FloatField(default=0.0)
    readers = models.PositiveIntegerField(default=0)
    first_shown = models.DateTimeField(null=True, blank=True)
    last_shown = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.article_id}: {self.clicks}/{self.impressions}"


class ReaderSettings(models.Model):
    """A reader's choices about recommendations (算法推荐的开关)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    personalized = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {'on' if self.personalized else 'off'}"


class Interest(models.Model):
    """An interest tag learned from a reader's reading: a channel or a keyword (the articles'
    tags), with a decaying weight. A tag the reader deleted stays, ``removed``, so that it
    is not learned again from the reading that taught it."""

    class Kind(models.TextChoices):
        CHANNEL = "channel", pgettext_lazy("interest kind", "频道")
        KEYWORD = "keyword", pgettext_lazy("interest kind", "关键词")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=60)  # a channel id, or the keyword
    label = models.CharField(max_length=60)  # what the reader sees
    weight = models.FloatField(default=0.0)  # Σ w · 2^((t − epoch) / half-life)
    removed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="interest_once")
        ]
        indexes = [models.Index(fields=["user", "-weight"], name="interest_top")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.label}"


class Dislike(models.Model):
    """不感兴趣: the reader hid an item, and why (this account, this topic, seen it)."""

    class Reason(models.TextChoices):
        ACCOUNT = "account", _("不想看这个账号")
        TOPIC = "topic", _("不想看这类内容")
        SEEN = "seen", _("看过了")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    creator_id = models.BigIntegerField(null=True, blank=True)
    channel_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "article"], name="dislike_once")]

    def __str__(self) -> str:
        return f"{self.user_id} ✕ {self.article_id} ({self.reason})"


class RelatedPosting(models.Model):
    """The inverted index of 相关推荐: a term of a published article and its stored weight
    (zixun/ranking/similar.py). Written when the article is published or edited."""

    id = models.BigAutoField(primary_key=True)
    term = models.CharField(max_length=40)
    article_id = models.BigIntegerField()
    weight = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "article_id"], name="posting_once")]
        indexes = [
            # Covering (weight included): a query reads each term's newest postings from the
            # index alone, not a table row per posting scattered over the file (2.4× faster
            # at 300,000 articles indexed, migration 0005).
            models.Index(fields=["term", "-article_id", "weight"], name="posting_recent_weight"),
            models.Index(fields=["article_id"], name="posting_article"),
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.article_id}"


class TermStat(models.Model):
    """How many indexed articles hold a term; the row with the empty term counts articles."""

    term = models.CharField(max_length=40, primary_key=True)
    df = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term}: {self.df}"


class RelatedList(models.Model):
    """An article's 相关推荐, computed at publish and edit, read by the article page."""

    article_id = models.BigIntegerField(primary_key=True)
    related_ids = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.article_id}: {self.related_ids}"


class RelatedModel(models.Model):
    """Term vectors and topics for 相关推荐 (zixun/ranking/semantic.py), learned from the stored
    articles by ``zixun related-learn``; the newest is the one in use."""

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True)
    documents = models.PositiveIntegerField(default=0)
    blob = models.BinaryField()

    def __str__(self) -> str:
        return f"related model {self.pk} ({self.documents} articles)"


class RelatedEmbedding(models.Model):
    """An article's vector under the model in use (64 float32), written with its postings."""

    article_id = models.BigIntegerField(primary_key=True)
    model_id = models.BigIntegerField()
    vector = models.BinaryField()

    def __str__(self) -> str:
        return f"article {self.article_id}"
