from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
