"""Trust and safety's own tables: the keyword lists, reports and their cases, appeals, the
notices users receive, and the near-duplicate index (docs/moderation.md)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zixun.core.models import BaseModel


class ListAction(models.TextChoices):
    BLOCK = "block", _("拦截")
    REVIEW = "review", _("送审")
    MASK = "mask", _("打码")


class WordList(BaseModel):
    """词库: one category of keywords with one action; its name is the rule a refusal names."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    action = models.CharField(
        _("处理方式"), max_length=6, choices=ListAction.choices, default=ListAction.REVIEW
    )
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("词库")
        verbose_name_plural = _("词库")

    def __str__(self) -> str:
        return self.name


class Word(models.Model):
    word_list = models.ForeignKey(WordList, on_delete=models.CASCADE, related_name="words")
    word = models.CharField(_("词"), max_length=100)

    class Meta:
        ordering = ["word_list", "word"]
        constraints = [
            models.UniqueConstraint(fields=["word_list", "word"], name="word_once_per_list")
        ]
        verbose_name = _("关键词")
        verbose_name_plural = _("关键词")

    def __str__(self) -> str:
        return self.word


class AllowWord(models.Model):
    """白名单: an ordinary word (网络, 招聘) that no list matches, nor any keyword inside it."""

    word = models.CharField(_("词"), max_length=100, unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("白名单词")
        verbose_name_plural = _("白名单")

    def __str__(self) -> str:
        return self.word


class BlockedDomain(models.Model):
    """A domain (and its subdomains) that no link on the site may point to."""

    domain = models.CharField(_("域名"), max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("禁止链接的域名")
        verbose_name_plural = _("禁止链接的域名")

    def __str__(self) -> str:
        return self.domain


class FilterVersion(models.Model):
    """One row: bumped by every change of the lists, so each process rebuilds its filter."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"filter version {self.number}"


class Target(models.TextChoices):
    ARTICLE = "article", _("文章")
    COMMENT = "comment", _("跟贴")
    ACCOUNT = "account", _("账号")


class ReportReason(models.TextChoices):
    SPAM = "spam", _("垃圾广告")
    VULGAR = "vulgar", _("色情低俗")
    RUMOR = "rumor", _("谣言不实")
    ILLEGAL = "illegal", _("违法违规")
    ABUSE = "abuse", _("辱骂攻击")
    COPY = "copy", _("抄袭侵权")
    CLICKBAIT = "clickbait", _("标题党")
    OTHER = "other", _("其他")


class Decision(models.TextChoices):
    DISMISS = "dismiss", _("驳回举报")
    TAKEDOWN = "takedown", _("下架")
    WARN = "warn", _("警告")
    BAN = "ban", _("禁言")
    SUSPEND = "suspend", _("封禁账号")


class Case(BaseModel):
    """举报处理: every report of one target, open until a moderator decides."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        CLOSED = "closed", _("已处理")

    target_type = models.CharField(max_length=8, choices=Target.choices)
    target_id = models.BigIntegerField()
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    report_count = models.PositiveIntegerField(default=0)
    # {reason: count} over the case's reports.
    reasons = models.JSONField(default=dict)
    last_reported_at = models.DateTimeField()
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    decision_reason = models.CharField(max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # Duplicate reports collapse: one open case per target.
            models.UniqueConstraint(
                fields=["target_type", "target_id"],
                condition=models.Q(status="open"),
                name="case_open_once",
            ),
        ]
        indexes = [
            # The queue, oldest first, keyset on id.
            models.Index(fields=["status", "id"], name="case_queue"),
            models.Index(fields=["target_type", "target_id"], name="case_target"),
        ]

    def __str__(self) -> str:
        return f"{self.target_type}#{self.target_id} ({self.report_count})"

    @property
    def reason_counts(self) -> list[tuple[str, int]]:
        """The reasons given, in words, most given first."""
        labels = dict(ReportReason.choices)
        counted = sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))
        return [(str(labels.get(code, code)), count) for code, count in counted]


class Report(models.Model):
    """举报: one reader's report in a case; a reader reports a target once per case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="reports"
    )
    reason = models.CharField(max_length=10, choices=ReportReason.choices)
    details = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "reporter"], name="report_once_per_case"),
        ]
        indexes = [models.Index(fields=["reporter", "-id"], name="report_by_reporter")]

    def __str__(self) -> str:
        return f"{self.reporter_id} → {self.case_id}"


class Appeal(BaseModel):
    """申诉: the affected user asks once, within ZIXUN_APPEAL_DAYS, to reverse a decision."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待复核")
        UPHELD = "upheld", _("维持原处理")
        REVERSED = "reversed", _("已撤销处理")

    # The audit entry of the decision appealed (a takedown, a suspension, a ban): once each.
    decision_entry_id = models.BigIntegerField(unique=True)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    target_type = models.CharField(max_length=8, choices=Target.choices)
    target_id = models.BigIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="appeals"
    )
    text = models.CharField(max_length=1000)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    reply = models.CharField(max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "id"], name="appeal_queue")]

    def __str__(self) -> str:
        return f"appeal {self.decision} {self.target_type}#{self.target_id}"


class Notice(models.Model):
    """站内通知: what trust and safety tells a user (a takedown and why, a report's outcome).
    Stored as a kind and its parameters, worded in the reader's language when shown."""

    class Kind(models.TextChoices):
        TAKEDOWN = "takedown", _("内容被下架")
        WARN = "warn", _("警告")
        BAN = "ban", _("禁言")
        SUSPEND = "suspend", _("账号封禁")
        COMMENT_HIDDEN = "hidden", _("跟贴被屏蔽")
        REPORT_OUTCOME = "report", _("举报结果")
        APPEAL_OUTCOME = "appeal", _("申诉结果")
        LABEL = "label", _("文章被标注")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "-id"], name="notice_by_user")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class Fingerprint(models.Model):
    """An article's near-duplicate fingerprint (zixun.moderation.fingerprint), kept while it is
    published; its band keys are rows of FingerprintBand."""

    article_id = models.BigIntegerField(primary_key=True)
    creator_id = models.BigIntegerField()
    published_at = models.DateTimeField()
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"fingerprint {self.article_id}"


class FingerprintBand(models.Model):
    """One LSH band key of a fingerprint: articles that share a key are near-duplicate
    candidates (one B-tree over every band)."""

    key = models.BigIntegerField()
    article_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "article_id"], name="band_key_article"),
        ]
        indexes = [models.Index(fields=["article_id"], name="band_by_article")]

    def __str__(self) -> str:
        return f"{self.key} → {self.article_id}"
