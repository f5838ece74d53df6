"""Trust and safety's writes: the keyword lists, reports and their decisions, appeals,
notices, fact-check labels and the near-duplicate index (docs/moderation.md).

Every decision goes through the service of the app that owns the thing decided on (an
article's takedown through articles.services, a ban through engagement.services, a
suspension through creators.services) and is in the audit log; this app writes only its own
tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.articles.services.checks import ArticleError
from zixun.articles.services.publishing import (
    article_label_set,
    article_moderation_set,
    article_reinstate,
    article_takedown,
)
from zixun.audit.models import AuditEntry
from zixun.audit.services import audit_record
from zixun.core.errors import ServiceError
from zixun.creators.models import Creator
from zixun.creators.services import CreatorError, creator_suspend, creator_unsuspend
from zixun.engagement.models import Comment
from zixun.engagement.services import EngagementError, comment_ban, comment_ban_lift, comment_hide
from zixun.moderation import keywords
from zixun.moderation.clickbait import clickbait_score
from zixun.moderation.fingerprint import Fingerprint, band_keys, fingerprint, similarity
from zixun.moderation.fingerprint import is_near_duplicate as near_duplicate
from zixun.moderation.models import (
    AllowWord,
    Appeal,
    BlockedDomain,
    Case,
    Decision,
    FilterVersion,
    FingerprintBand,
    Notice,
    Report,
    ReportReason,
    Target,
    Word,
    WordList,
)
from zixun.moderation.models import Fingerprint as FingerprintRow

EDITORS_ONLY = _("只有编辑可以这样做")
LIST_INVALID = _("请填写词库名称并选择处理方式")
WORD_INVALID = _("“%(word)s”去掉空格和符号后为空，不能作为关键词")
WORD_TOO_LONG = _("关键词不能超过 %(limit)s 个字符：%(word)s")
DOMAIN_INVALID = _("“%(domain)s”不是域名")
REPORT_TARGET_GONE = _("要举报的内容不存在或已被删除")
REPORT_OWN = _("不能举报自己的内容")
REPORT_REPEATED = _("你已举报过，编辑正在处理，结果会通知你")
REPORT_REASON_INVALID = _("请选择举报理由")
REPORT_DETAILS_TOO_LONG = _("补充说明不能超过 %(limit)s 个字符")
CASE_CLOSED = _("这条举报已处理")
DECISION_INVALID = _("这个处理不适用于%(target)s")
DECISION_REASON_REQUIRED = _("请写明处理理由")
APPEAL_NOT_YOURS = _("只能申诉对你的内容或账号的处理")
APPEAL_LATE = _("申诉期限（处理后 %(days)s 天内）已过")
APPEAL_TWICE = _("每个处理只能申诉一次")
APPEAL_TEXT_REQUIRED = _("请写明申诉理由")
APPEAL_TEXT_TOO_LONG = _("申诉理由不能超过 %(limit)s 个字符")
APPEAL_NOT_APPEALABLE = _("这个处理不能申诉")
APPEAL_DECIDED = _("这条申诉已处理")
APPEAL_STALE = _("这个处理已不再生效，无需申诉")

REASON_MAX = 200
DETAILS_MAX = 500
APPEAL_MAX = 1000
WORD_MAX = 100
# The audit actions a user may appeal, and the decision each is.
APPEALABLE = {"article.takedown": Decision.TAKEDOWN, "creator.suspend": Decision.SUSPEND,
              "comment.ban": Decision.BAN}  # fmt: skip


class ModerationError(ServiceError):
    pass


def _require_editor(user: User | None) -> None:
    """Editors change lists and decide; ``None`` is the operator's command line (audited as 系统)."""
    if user is not None and not user.is_editor:
        raise ModerationError(EDITORS_ONLY)


def _reason(text: str, *, required: Any = DECISION_REASON_REQUIRED) -> str:
    text = " ".join(text.split())
    if not text:
        raise ModerationError(required)
    return text[:REASON_MAX]


# 词库 (the keyword filter's lists) ------------------------------------------------------------


def filter_version_bump() -> None:
    """Every process rebuilds its filter at its next screen. Call inside the change's
    transaction."""
    updated = FilterVersion.objects.filter(pk=1).update(number=F("number") + 1)
    if not updated:
        FilterVersion.objects.get_or_create(pk=1, defaults={"number": 1})


def _word_checked(word: str) -> str:
    word = word.strip()
    if len(word) > WORD_MAX:
        raise ModerationError(WORD_TOO_LONG, limit=WORD_MAX, word=word[:20])
    if not keywords.normalise(word):
        raise ModerationError(WORD_INVALID, word=word)
    return word


def _chunks(rows: list[Any], size: int = 2000) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


@transaction.atomic
def wordlist_save(*, by: User | None, name: str, action: str, is_active: bool = True, note: str = "",
                  word_list: WordList | None = None) -> WordList:  # fmt: skip
    """Create or change a list (its name, action, whether it is on)."""
    _require_editor(by)
    name = " ".join(name.split())[:40]
    if not name or action not in {"block", "review", "mask"}:
        raise ModerationError(LIST_INVALID)
    created = word_list is None
    word_list = word_list or WordList()
    word_list.name, word_list.action, word_list.is_active, word_list.note = name, action, is_active, note[:200]  # fmt: skip
    word_list.save()
    audit_record(actor=by, action="wordlist.create" if created else "wordlist.change",
                 target=word_list, to_state=action if is_active else "off")  # fmt: skip
    filter_version_bump()
    return word_list


@transaction.atomic
def wordlist_delete(*, by: User | None, word_list: WordList) -> None:
    _require_editor(by)
    count = word_list.words.count()
    audit_record(actor=by, action="wordlist.delete", target=word_list, data={"words": count,
                 "name": word_list.name})  # fmt: skip
    word_list.delete()
    filter_version_bump()


@transaction.atomic
def words_add(*, by: User | None, word_list: WordList, words: Iterable[str]) -> int:
    """Add words to a list (blank lines and words already there are skipped); the whole
    batch is refused, naming the word, if one is unusable. Returns how many were added."""
    _require_editor(by)
    wanted = list(dict.fromkeys(_word_checked(w) for w in words if w.strip()))
    have: set[str] = set()
    for chunk in _chunks(wanted):
        have.update(Word.objects.filter(word_list=word_list, word__in=chunk).values_list("word", flat=True))  # fmt: skip
    fresh = [Word(word_list=word_list, word=w) for w in wanted if w not in have]
    Word.objects.bulk_create(fresh, batch_size=2000)
    if fresh:
        audit_record(actor=by, action="wordlist.words_add", target=word_list,
                     data={"added": len(fresh), "sample": [w.word for w in fresh[:20]]})  # fmt: skip
        filter_version_bump()
    return len(fresh)


@transaction.atomic
def words_remove(*, by: User | None, word_list: WordList, words: Iterable[str]) -> int:
    _require_editor(by)
    wanted = [w.strip() for w in words if w.strip()]
    removed = 0
    for chunk in _chunks(wanted):
        removed += Word.objects.filter(word_list=word_list, word__in=chunk).delete()[0]
    if removed:
        audit_record(actor=by, action="wordlist.words_remove", target=word_list,
                     data={"removed": removed, "sample": wanted[:20]})  # fmt: skip
        filter_version_bump()
    return removed


@transaction.atomic
def allow_words_set(*, by: User | None, add: Iterable[str] = (), remove: Iterable[str] = ()) -> tuple[int, int]:  # fmt: skip
    """Add ordinary words to the allow-list and take others off it."""
    _require_editor(by)
    adding = list(dict.fromkeys(_word_checked(w) for w in add if w.strip()))
    have = set(AllowWord.objects.filter(word__in=adding).values_list("word", flat=True))
    created = AllowWord.objects.bulk_create([AllowWord(word=w) for w in adding if w not in have])
    removing = [w.strip() for w in remove if w.strip()]
    removed = AllowWord.objects.filter(word__in=removing).delete()[0] if removing else 0
    if created or removed:
        anchor = FilterVersion.objects.get_or_create(pk=1)[0]
        audit_record(actor=by, action="allowlist.change", target=anchor,
                     data={"added": [w.word for w in created][:50], "removed": removing[:50]})  # fmt: skip
        filter_version_bump()
    return len(created), removed


def domain_checked(domain: str) -> str:
    domain = domain.strip().lower().removeprefix("www.").rstrip(".")
    labels = domain.split(".")
    if (
        len(labels) < 2
        or len(domain) > 253
        or not all(
            label and len(label) <= 63 and all(c.isalnum() or c in "-_" for c in label)
            for label in labels
        )
    ):
        raise ModerationError(DOMAIN_INVALID, domain=domain[:60])
    return domain


@transaction.atomic
def blocked_domains_set(*, by: User | None, add: Iterable[str] = (), remove: Iterable[str] = ()) -> tuple[int, int]:  # fmt: skip
    _require_editor(by)
    adding = list(dict.fromkeys(domain_checked(d) for d in add if d.strip()))
    have: set[str] = set()
    for chunk in _chunks(adding):
        have.update(BlockedDomain.objects.filter(domain__in=chunk).values_list("domain", flat=True))  # fmt: skip
    fresh = [BlockedDomain(domain=d) for d in adding if d not in have]
    BlockedDomain.objects.bulk_create(fresh, batch_size=2000)
    removing = [d.strip().lower() for d in remove if d.strip()]
    removed = 0
    for chunk in _chunks(removing):
        removed += BlockedDomain.objects.filter(domain__in=chunk).delete()[0]
    if fresh or removed:
        anchor = FilterVersion.objects.get_or_create(pk=1)[0]
        audit_record(actor=by, action="domains.change", target=anchor,
                     data={"added": len(fresh), "removed": removed})  # fmt: skip
        filter_version_bump()
    return len(fresh), removed


# 通知 (notices) -------------------------------------------------------------------------------


def notice_send(*, users: Iterable[User | int], kind: str, **params: Any) -> int:
    rows = [Notice(user_id=u if isinstance(u, int) else u.pk, kind=kind, params=params)
            for u in dict.fromkeys(users)]  # fmt: skip
    Notice.objects.bulk_create(rows)
    return len(rows)


def notices_mark_read(*, user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# 举报 (reports) -------------------------------------------------------------------------------


def target_owner_ids(target_type: str, target_id: int) -> list[int]:
    """Who answers for a target: an article's or an account's members, a comment's author."""
    if target_type == Target.COMMENT:
        user_id = Comment.objects.filter(pk=target_id).values_list("user_id", flat=True).first()
        return [user_id] if user_id else []
    if target_type == Target.ARTICLE:
        creator_id = Article.objects.filter(pk=target_id).values_list("creator_id", flat=True).first()  # fmt: skip
    else:
        creator_id = target_id
    return list(Creator.members.through.objects.filter(creator_id=creator_id or 0)
                .values_list("user_id", flat=True))  # fmt: skip


def target_visible(target_type: str, target_id: int) -> bool:
    """What a reader can see, and so report (and see on the report form): a live article, a
    visible comment on a live article, an account."""
    live = {"status": Article.Status.PUBLISHED, "deleted_at__isnull": True}
    if target_type == Target.ARTICLE:
        return Article.objects.filter(pk=target_id, **live).exists()
    if target_type == Target.COMMENT:
        return Comment.objects.filter(
            pk=target_id, status=Comment.Status.VISIBLE,
            **{f"article__{field}": value for field, value in live.items()},
        ).exists()  # fmt: skip
    if target_type == Target.ACCOUNT:
        return Creator.objects.filter(pk=target_id).exists()
    return False


@transaction.atomic
def report_file(*, reporter: User, target_type: str, target_id: int, reason: str,
                details: str = "") -> Report:  # fmt: skip
    """举报: add the reader's report to the target's open case (opened by the first report).
    A reader reports a target once per case; a report of something gone is refused."""
    if reason not in ReportReason.values:
        raise ModerationError(REPORT_REASON_INVALID)
    details = " ".join(details.split())
    if len(details) > DETAILS_MAX:
        raise ModerationError(REPORT_DETAILS_TOO_LONG, limit=DETAILS_MAX)
    if target_type not in Target.values or not target_visible(target_type, target_id):
        raise ModerationError(REPORT_TARGET_GONE)
    if reporter.pk in target_owner_ids(target_type, target_id):
        raise ModerationError(REPORT_OWN)
    now = timezone.now()
    case = _open_case(target_type, target_id, now)
    if Report.objects.filter(case=case, reporter=reporter).exists():
        raise ModerationError(REPORT_REPEATED)
    try:
        with transaction.atomic():
            report = Report.objects.create(case=case, reporter=reporter, reason=reason,
                                           details=details)  # fmt: skip
    except IntegrityError as error:  # the same reader's report in a parallel request
        raise ModerationError(REPORT_REPEATED) from error
    reasons = dict(case.reasons)
    reasons[reason] = reasons.get(reason, 0) + 1
    Case.objects.filter(pk=case.pk).update(report_count=F("report_count") + 1, reasons=reasons,
                                           last_reported_at=now, updated_at=now)  # fmt: skip
    return report


def _open_case(target_type: str, target_id: int, now: datetime) -> Case:
    """The target's open case, locked; opened if there is none (a parallel first report
    finds the one the other opened)."""
    for _attempt in range(2):
        case = (Case.objects.select_for_update()
                .filter(target_type=target_type, target_id=target_id, status=Case.Status.OPEN)
                .first())  # fmt: skip
        if case is not None:
            return case
        try:
            with transaction.atomic():
                return Case.objects.create(target_type=target_type, target_id=target_id,
                                           last_reported_at=now)  # fmt: skip
        except IntegrityError:
            continue
    raise ModerationError(REPORT_TARGET_GONE)


# Which decisions fit which target.
FITS = {
    Target.ARTICLE: {Decision.DISMISS, Decision.TAKEDOWN, Decision.WARN, Decision.SUSPEND},
    Target.COMMENT: {Decision.DISMISS, Decision.TAKEDOWN, Decision.WARN, Decision.BAN},
    Target.ACCOUNT: {Decision.DISMISS, Decision.WARN, Decision.SUSPEND},
}


@transaction.atomic
def case_decide(*, case: Case, by: User, decision: str, reason: str = "",
                until: datetime | None = None, hide_all: bool = False) -> Case:  # fmt: skip
    """Close a case with one decision: dismiss it, take the target down (an article goes
    已下架, a comment 已屏蔽), warn its owner, ban a comment's author from commenting (with
    ``hide_all``, every comment of theirs is hidden too) or suspend the account (until
    ``until``; None: until lifted). The owner is told why and how to appeal; every reporter
    is told the outcome."""
    _require_editor(by)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise ModerationError(CASE_CLOSED)
    if decision not in FITS[Target(case.target_type)]:
        raise ModerationError(DECISION_INVALID, target=Target(case.target_type).label)
    reason = _reason(reason) if decision != Decision.DISMISS else " ".join(reason.split())[:200]
    owners = target_owner_ids(case.target_type, case.target_id)
    try:
        _apply(case, by=by, decision=Decision(decision), reason=reason, until=until,
               hide_all=hide_all, owners=owners)  # fmt: skip
    except (ArticleError, EngagementError, CreatorError) as error:
        raise ModerationError(error.message, **error.params) from error
    case.status, case.decision, case.decision_reason = Case.Status.CLOSED, decision, reason
    case.decided_by, case.decided_at = by, timezone.now()
    case.save()
    audit_record(actor=by, action="case.decide", target=case, from_state="open", to_state=decision,
                 reason=reason, data={"target": f"{case.target_type}#{case.target_id}",
                                      "reports": case.report_count})  # fmt: skip
    reporters = Report.objects.filter(case=case, reporter__isnull=False).values_list("reporter_id", flat=True)  # fmt: skip
    notice_send(users=list(reporters), kind=Notice.Kind.REPORT_OUTCOME, decision=decision,
                target=case.target_type, title=_target_title(case.target_type, case.target_id))  # fmt: skip
    return case


def _target_title(target_type: str, target_id: int) -> str:
    if target_type == Target.ARTICLE:
        return Article.objects.filter(pk=target_id).values_list("title", flat=True).first() or ""
    if target_type == Target.ACCOUNT:
        return Creator.objects.filter(pk=target_id).values_list("name", flat=True).first() or ""
    body = Comment.objects.filter(pk=target_id).values_list("body", flat=True).first() or ""
    return body[:30]


def _appeal_by() -> str:
    until = timezone.localtime(timezone.now() + timedelta(days=settings.ZIXUN_APPEAL_DAYS))
    return until.strftime("%Y-%m-%d %H:%M")


def _apply(case: Case, *, by: User, decision: Decision, reason: str, until: datetime | None,
           hide_all: bool, owners: list[int]) -> None:  # fmt: skip
    title = _target_title(case.target_type, case.target_id)
    common = {"target": case.target_type, "target_id": case.target_id, "title": title,
              "reason": reason}  # fmt: skip
    if decision == Decision.DISMISS:
        return
    if decision == Decision.WARN:
        anchor = _target_object(case)
        audit_record(actor=by, action="case.warn", target=anchor, reason=reason)
        notice_send(users=owners, kind=Notice.Kind.WARN, **common)
        return
    if decision == Decision.TAKEDOWN and case.target_type == Target.ARTICLE:
        takedown(article=Article.objects.get(pk=case.target_id), by=by, reason=reason)
        return
    if decision == Decision.TAKEDOWN:  # a comment
        comment_hide(comment_id=case.target_id, by=by, reason=reason)
        notice_send(users=owners, kind=Notice.Kind.COMMENT_HIDDEN, **common)
        return
    if decision == Decision.BAN:
        comment = Comment.objects.get(pk=case.target_id)
        if comment.user is None:
            raise ModerationError(DECISION_INVALID, target=Target.COMMENT.label)
        _ban, hidden = comment_ban(user=comment.user, by=by, reason=reason, until=until,
                                   hide_all=hide_all)  # fmt: skip
        if not hide_all:
            comment_hide(comment_id=comment.pk, by=by, reason=reason)
        notice_send(users=owners, kind=Notice.Kind.BAN, until=_when(until), hidden=hidden,
                    appeal_by=_appeal_by(), entry=_last_entry("comment.ban", comment.user),
                    **common)  # fmt: skip
        return
    # SUSPEND: the account, or the account of the article
    creator_id = case.target_id
    if case.target_type == Target.ARTICLE:
        creator_id = Article.objects.values_list("creator_id", flat=True).get(pk=case.target_id)
    creator = Creator.objects.get(pk=creator_id)
    creator_suspend(creator=creator, by=by, reason=reason, until=until)
    notice_send(users=target_owner_ids(Target.ACCOUNT, creator.pk), kind=Notice.Kind.SUSPEND,
                until=_when(until), name=creator.name, appeal_by=_appeal_by(),
                entry=_last_entry("creator.suspend", creator), **common)  # fmt: skip


def _last_entry(action: str, target: Any) -> int:
    """The audit entry a decision just wrote (the one an appeal names)."""
    return AuditEntry.objects.filter(action=action, target_type=target._meta.label_lower,
                                     target_id=target.pk).values_list("pk", flat=True).latest("pk")  # fmt: skip


@transaction.atomic
def takedown(*, article: Article, by: User, reason: str) -> Article:
    """已下架 by an editor (from a report or the review page): its account is told why and
    until when it may appeal."""
    try:
        article = article_takedown(article=article, by=by, reason=reason)
    except ArticleError as error:
        raise ModerationError(error.message, **error.params) from error
    notice_send(users=target_owner_ids(Target.ARTICLE, article.pk), kind=Notice.Kind.TAKEDOWN,
                target=Target.ARTICLE, target_id=article.pk, title=article.title,
                reason=article.takedown_reason, appeal_by=_appeal_by(),
                entry=_last_entry("article.takedown", article))  # fmt: skip
    return article


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _target_object(case: Case) -> Any:
    if case.target_type == Target.ARTICLE:
        return Article.objects.get(pk=case.target_id)
    if case.target_type == Target.COMMENT:
        return Comment.objects.get(pk=case.target_id)
    return Creator.objects.get(pk=case.target_id)


# 申诉 (appeals) -------------------------------------------------------------------------------


def appeal_target(entry: AuditEntry) -> tuple[str, int]:
    """The appealed decision's target as (Target, id)."""
    if entry.action == "article.takedown":
        return Target.ARTICLE, entry.target_id
    if entry.action == "creator.suspend":
        return Target.ACCOUNT, entry.target_id
    return "user", entry.target_id


def appellant_may(user: User, entry: AuditEntry) -> bool:
    """Whether the decision affects this user: their own ban, or their account's article or
    suspension. Only they may see the decision's appeal page and file an appeal."""
    kind, target_id = appeal_target(entry)
    if kind == "user":
        return target_id == user.pk
    return user.pk in target_owner_ids(kind, target_id)


def _still_in_force(entry: AuditEntry) -> bool:
    """The decision is the latest of its kind on its target and still applies."""
    kind, target_id = appeal_target(entry)
    if kind == Target.ARTICLE:
        return Article.objects.filter(pk=target_id, status=Article.Status.TAKEN_DOWN).exists()
    if kind == Target.ACCOUNT:
        return Creator.objects.filter(pk=target_id, is_suspended=True).exists()
    from zixun.engagement.models import CommentBan

    return CommentBan.objects.filter(user_id=target_id).exists()


@transaction.atomic
def appeal_file(*, user: User, entry_id: int, text: str) -> Appeal:
    """申诉: once per decision, within ZIXUN_APPEAL_DAYS of it, by whom it affects."""
    entry = AuditEntry.objects.filter(pk=entry_id, action__in=list(APPEALABLE)).first()
    if entry is None:
        raise ModerationError(APPEAL_NOT_APPEALABLE)
    if not appellant_may(user, entry):
        raise ModerationError(APPEAL_NOT_YOURS)
    text = " ".join(text.split())
    if not text:
        raise ModerationError(APPEAL_TEXT_REQUIRED)
    if len(text) > APPEAL_MAX:
        raise ModerationError(APPEAL_TEXT_TOO_LONG, limit=APPEAL_MAX)
    if Appeal.objects.filter(decision_entry_id=entry.pk).exists():
        raise ModerationError(APPEAL_TWICE)
    if timezone.now() > entry.created_at + timedelta(days=settings.ZIXUN_APPEAL_DAYS):
        raise ModerationError(APPEAL_LATE, days=settings.ZIXUN_APPEAL_DAYS)
    if not _still_in_force(entry):
        raise ModerationError(APPEAL_STALE)
    kind, target_id = appeal_target(entry)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                decision_entry_id=entry.pk, decision=APPEALABLE[entry.action],
                target_type=kind if kind != "user" else Target.COMMENT, target_id=target_id,
                user=user, text=text,
            )  # fmt: skip
    except IntegrityError as error:
        raise ModerationError(APPEAL_TWICE) from error
    audit_record(actor=user, action="appeal.file", target=appeal, to_state=Appeal.Status.PENDING,
                 data={"decision": entry.action, "entry": entry.pk})  # fmt: skip
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, by: User, reverse: bool, reply: str) -> Appeal:
    """Uphold the decision, or reverse it: the article goes live again, the suspension or
    the ban ends. The appellant is told either way."""
    _require_editor(by)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != Appeal.Status.PENDING:
        raise ModerationError(APPEAL_DECIDED)
    reply = _reason(reply)
    entry = AuditEntry.objects.get(pk=appeal.decision_entry_id)
    title = ""
    try:
        if reverse and appeal.decision == Decision.TAKEDOWN:
            article = Article.objects.get(pk=appeal.target_id)
            title = article.title
            if article.status == Article.Status.TAKEN_DOWN:
                article_reinstate(article=article, by=by, reason=reply)
        elif reverse and appeal.decision == Decision.SUSPEND:
            creator_unsuspend(creator=Creator.objects.get(pk=appeal.target_id), by=by, reason=reply)
        elif reverse:
            comment_ban_lift(user=User.objects.get(pk=entry.target_id), by=by, reason=reply)
    except (ArticleError, EngagementError, CreatorError) as error:
        raise ModerationError(error.message, **error.params) from error
    appeal.status = Appeal.Status.REVERSED if reverse else Appeal.Status.UPHELD
    appeal.reply, appeal.decided_by, appeal.decided_at = reply, by, timezone.now()
    appeal.save()
    audit_record(actor=by, action="appeal.decide", target=appeal, from_state=Appeal.Status.PENDING,
                 to_state=appeal.status, reason=reply)  # fmt: skip
    if appeal.user_id:
        notice_send(users=[appeal.user_id], kind=Notice.Kind.APPEAL_OUTCOME, outcome=appeal.status,
                    decision=appeal.decision, reply=reply, title=title)  # fmt: skip
    return appeal


# 辟谣 / 不实信息 / 有争议 --------------------------------------------------------------------------


@transaction.atomic
def label_set(*, article: Article, by: User, label: str, url: str = "", note: str = "") -> Article:
    """Label an article (or remove its label); its account is told."""
    try:
        article = article_label_set(article=article, by=by, label=label, url=url, note=note)
    except ArticleError as error:
        raise ModerationError(error.message, **error.params) from error
    if label:
        notice_send(users=target_owner_ids(Target.ARTICLE, article.pk), kind=Notice.Kind.LABEL,
                    label=label, title=article.title, target_id=article.pk, url=article.label_url)  # fmt: skip
    return article


# 转载与近似重复 (near-duplicates) -------------------------------------------------------------------


KEY_CANDIDATES = 200  # articles read per band key: boilerplate keys are shared by many
SAME_ACCOUNT_SIMILARITY = 0.8  # an account's own near-copy collapses only when this close


def near_copies(mark: Fingerprint, *, exclude: int | None = None) -> list[tuple[int, float, int]]:
    """Published articles whose fingerprint ``mark`` nearly matches, earliest published
    first, as (article id, similarity, creator id). Candidates share an LSH band key with
    ``mark`` (at most KEY_CANDIDATES per key: a real copy shares several keys, a boilerplate
    key is shared by hundreds); each is verified against its stored fingerprint."""
    per_key: dict[int, int] = {}
    ids: set[int] = set()
    rows = FingerprintBand.objects.filter(key__in=band_keys(mark)).values_list("key", "article_id")
    for key, article_id in rows.iterator(chunk_size=2000):
        if per_key.get(key, 0) < KEY_CANDIDATES:
            per_key[key] = per_key.get(key, 0) + 1
            ids.add(article_id)
    ids.discard(exclude or 0)
    found = []
    stored = FingerprintRow.objects.filter(article_id__in=ids).values_list(
        "article_id", "creator_id", "published_at", "data"
    )
    for article_id, creator_id, published_at, data in stored:
        try:
            other = Fingerprint.from_bytes(bytes(data))
        except ValueError:  # another version's: `zixun moderation-rescreen --all` redoes it
            continue
        if near_duplicate(mark, other):
            found.append((published_at, article_id, similarity(mark, other), creator_id))
    found.sort()
    return [(article_id, sim, creator_id) for _at, article_id, sim, creator_id in found]


@transaction.atomic
def article_screen_after_publish(*, article_id: int) -> None:
    """After a publish or an edit (the pipeline's task): keep the article's fingerprint in the
    index while it is published, note the earlier article it nearly copies (lists then show
    one of the two) and its 标题党 score. Idempotent."""
    article = (Article.objects.filter(pk=article_id)
               .only("pk", "creator_id", "status", "deleted_at", "published_at", "title",
                     "body_text", "duplicate_of_id", "clickbait").first())  # fmt: skip
    FingerprintBand.objects.filter(article_id=article_id).delete()
    FingerprintRow.objects.filter(article_id=article_id).delete()
    if article is None or article.status != Article.Status.PUBLISHED or article.deleted_at:
        return
    assert article.published_at is not None
    score = clickbait_score(article.title, article.body_text).score
    mark = fingerprint(article.body_text)
    original = None
    if mark is not None:
        # An account's own similar articles are often one template with new facts (daily
        # notices): they collapse only when nearly identical; another account's when near.
        earlier = [(pk, sim) for pk, sim, creator_id in near_copies(mark, exclude=article.pk)
                   if creator_id != article.creator_id or sim >= SAME_ACCOUNT_SIMILARITY]  # fmt: skip
        published = dict(Article.objects.filter(pk__in=[pk for pk, _s in earlier])
                         .values_list("pk", "published_at"))  # fmt: skip
        before = [pk for pk, _s in earlier if published.get(pk) and (published[pk], pk) < (article.published_at, article.pk)]  # fmt: skip
        if before:
            original = Article.objects.filter(pk=before[0]).values_list("duplicate_of_id", flat=True).first() or before[0]  # fmt: skip
        FingerprintRow.objects.create(article_id=article.pk, creator_id=article.creator_id,
                                      published_at=article.published_at, data=mark.to_bytes())  # fmt: skip
        FingerprintBand.objects.bulk_create(
            [FingerprintBand(key=key, article_id=article.pk) for key in set(band_keys(mark))]
        )
    article_moderation_set(article_id=article.pk, duplicate_of=original, clickbait=round(score, 3))
