"""Trust and safety's reads: the report and appeal queues, a case with what was reported,
a user's notices (docs/moderation.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.audit.models import AuditEntry
from zixun.core.pagination import Keyset, Page, PageRequest, keyset_page
from zixun.creators.models import Creator
from zixun.engagement.models import Comment
from zixun.moderation.models import Appeal, Case, Notice, Report, Target

OLDEST_FIRST = Keyset(descending=False)  # queues: the longest waiting on top
NEWEST_FIRST = Keyset()


@dataclass(frozen=True)
class TargetView:
    """What an editor sees of a reported or appealed thing."""

    kind: str
    id: int
    exists: bool
    title: str = ""  # an article's title, an account's name, the start of a comment
    text: str = ""  # the body (plain text), the comment, the account's introduction
    owner: str = ""  # the account, or the comment's author
    status: str = ""
    url: str = ""  # where readers see it
    article: Article | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def target_view(kind: str, target_id: int) -> TargetView:
    if kind == Target.ARTICLE:
        article = Article.objects.select_related("creator").filter(pk=target_id).first()
        if article is None:
            return TargetView(kind, target_id, False)
        return TargetView(kind, target_id, True, title=article.title, text=article.body_text,
                          owner=article.creator.name, status=article.get_status_display(),
                          url=article.get_absolute_url(), article=article)  # fmt: skip
    if kind == Target.COMMENT:
        comment = Comment.objects.select_related("user", "article").filter(pk=target_id).first()
        if comment is None:
            return TargetView(kind, target_id, False)
        author = comment.user.get_username() if comment.user else ""
        url = f"{comment.article.get_absolute_url()}#comment-{comment.pk}"
        return TargetView(kind, target_id, True, title=comment.body[:30], text=comment.body,
                          owner=author, status=comment.get_status_display(), url=url,
                          extra={"article_title": comment.article.title,
                                 "user_id": comment.user_id})  # fmt: skip
    creator = Creator.objects.filter(pk=target_id).first()
    if creator is None:
        return TargetView(kind, target_id, False)
    return TargetView(kind, target_id, True, title=creator.name, text=creator.bio,
                      owner=creator.name, status="suspended" if creator.is_suspended else "",
                      url=creator.get_absolute_url())  # fmt: skip


def case_list_open(*, page: PageRequest, size: int = 30) -> Page[Case]:
    """待处理的举报, oldest first (keyset on id)."""
    return keyset_page(Case.objects.filter(status=Case.Status.OPEN), page, size, OLDEST_FIRST)


def case_count_open() -> int:
    return Case.objects.filter(status=Case.Status.OPEN).count()


def case_get(*, case_id: int) -> Case:
    return Case.objects.get(pk=case_id)


def case_reports(*, case: Case, limit: int = 100) -> list[Report]:
    return list(Report.objects.filter(case=case).select_related("reporter").order_by("id")[:limit])


def case_history(*, target_type: str, target_id: int) -> list[Case]:
    """Earlier (closed) cases of the same target, newest first."""
    return list(Case.objects.filter(target_type=target_type, target_id=target_id,
                                    status=Case.Status.CLOSED).order_by("-id")[:20])  # fmt: skip


def appeal_list_pending(*, page: PageRequest, size: int = 30) -> Page[Appeal]:
    pending = Appeal.objects.filter(status=Appeal.Status.PENDING).select_related("user")
    return keyset_page(pending, page, size, OLDEST_FIRST)


def appeal_count_pending() -> int:
    return Appeal.objects.filter(status=Appeal.Status.PENDING).count()


def appeal_get(*, appeal_id: int) -> Appeal:
    return Appeal.objects.select_related("user").get(pk=appeal_id)


def decision_entry(*, entry_id: int) -> AuditEntry | None:
    return AuditEntry.objects.filter(pk=entry_id).first()


# 通知 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeView:
    notice: Notice
    appeal_entry: int | None  # the decision that can still be appealed from this notice
    appeal_status: str  # the appeal's status if one was filed, else ""


def notices_for(*, user: User, page: PageRequest, size: int = 20) -> Page[NoticeView]:
    """A user's notices, newest first; a takedown, ban or suspension says whether it can
    still be appealed (once, within ZIXUN_APPEAL_DAYS)."""
    raw = keyset_page(Notice.objects.filter(user=user), page, size, NEWEST_FIRST)
    entries = [n.params.get("entry") for n in raw.items if n.params.get("entry")]
    appeals = dict(Appeal.objects.filter(decision_entry_id__in=entries)
                   .values_list("decision_entry_id", "status"))  # fmt: skip
    deadline = timezone.now() - timedelta(days=settings.ZIXUN_APPEAL_DAYS)
    views = []
    for notice in raw.items:
        entry = notice.params.get("entry")
        open_ = bool(entry) and entry not in appeals and notice.created_at > deadline
        views.append(NoticeView(notice, entry if open_ else None, appeals.get(entry, "")))
    return Page(items=views, next=raw.next, previous=raw.previous)


def notices_unread_count(*, user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def reports_by(*, user: User, limit: int = 50) -> list[Report]:
    """A reader's own reports, newest first, with their case (for 我的举报)."""
    return list(Report.objects.filter(reporter=user).select_related("case").order_by("-id")[:limit])


@dataclass(frozen=True)
class FlagView:
    """Why the filter or the copy check sent an article to an editor, with the evidence."""

    kind: str  # "keyword" or "copy"
    rule: str = ""
    field: str = ""
    words: tuple[str, ...] = ()
    original: Article | None = None  # the earlier article it nearly copies
    similarity: float = 0.0


def review_flags(article: Article) -> list[FlagView]:
    """The article's flags from its last submission, and the original it nearly copies if the
    index found one after publishing, each copy with the other article for a side-by-side."""
    flags: list[FlagView] = []
    copies: dict[int, float] = {}
    for flag in article.review_flags or []:
        if flag.get("kind") == "copy":
            copies[int(flag["article_id"])] = float(flag.get("similarity", 0))
        elif flag.get("kind") == "keyword":
            flags.append(FlagView("keyword", rule=str(flag.get("rule", "")),
                                  field=str(flag.get("field", "")),
                                  words=tuple(flag.get("words", ()))))  # fmt: skip
    if article.duplicate_of_id and article.duplicate_of_id not in copies:
        copies[article.duplicate_of_id] = 0.0
    originals = Article.objects.select_related("creator").in_bulk(list(copies))
    for article_id, similarity in copies.items():
        if article_id in originals:
            flags.append(FlagView("copy", original=originals[article_id], similarity=similarity))
    return flags


def target_views(targets: list[tuple[str, int]]) -> dict[tuple[str, int], TargetView]:
    """:func:`target_view` for many targets (a queue page), one query per kind."""
    wanted: dict[str, list[int]] = {}
    for kind, target_id in targets:
        wanted.setdefault(kind, []).append(target_id)
    views: dict[tuple[str, int], TargetView] = {}
    articles = Article.objects.select_related("creator").in_bulk(wanted.get(Target.ARTICLE, []))
    comments = Comment.objects.select_related("user").in_bulk(wanted.get(Target.COMMENT, []))
    creators = Creator.objects.in_bulk(wanted.get(Target.ACCOUNT, []))
    for kind, target_id in targets:
        if kind == Target.ARTICLE and target_id in articles:
            a = articles[target_id]
            views[kind, target_id] = TargetView(kind, target_id, True, title=a.title,
                                                owner=a.creator.name, status=a.get_status_display())  # fmt: skip
        elif kind == Target.COMMENT and target_id in comments:
            c = comments[target_id]
            views[kind, target_id] = TargetView(kind, target_id, True, title=c.body[:30],
                                                owner=c.user.get_username() if c.user else "",
                                                status=c.get_status_display())  # fmt: skip
        elif kind == Target.ACCOUNT and target_id in creators:
            views[kind, target_id] = TargetView(kind, target_id, True, title=creators[target_id].name,
                                                owner=creators[target_id].name)  # fmt: skip
        else:
            views[kind, target_id] = TargetView(kind, target_id, False)
    return views
