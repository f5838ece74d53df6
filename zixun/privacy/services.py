"""A reader's data rights: download everything about them, clear their history, leave.

This app sits above the domain apps (it reads the rows of accounts, creators,
articles, engagement and audit, and changes them through each app's
services), so that no domain app needs to import another app's data rights.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.audit.services import audit_actor_forget, audit_record
from zixun.core.sitecache import site_version_bump
from zixun.creators.models import Application, Creator, Follow
from zixun.creators.services import applications_delete, follows_release, memberships_release
from zixun.engagement.models import Comment, Favorite, Like, Reading, Share
from zixun.engagement.services import comments_anonymise, likes_release, reading_history_clear
from zixun.events.services import READING_KINDS, events_forget
from zixun.moderation.models import Appeal, Notice, Report
from zixun.ranking.services import reader_ranking_forget

# Shown wherever a deleted account's name used to be (comments, audit entries).
DELETED_USER_NAME = "已注销用户"  # stored in audit entries: data, not a message
USER_DELETE_NOT_ALLOWED = _("只能注销自己的账号")
EXPORT_FORMAT = 2  # bump when a key of user_export changes meaning


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _article(article: Article) -> dict[str, Any]:
    """An article the user read, favourited or commented on. One that is no longer live keeps
    its id but not its title or address: a taken-down title may be what was taken down."""
    if article.status != Article.Status.PUBLISHED or article.deleted_at:
        return {"article_id": article.pk, "title": None, "url": None, "offline": True}
    return {"article_id": article.pk, "title": article.title, "url": article.get_absolute_url(),
            "offline": False}  # fmt: skip


# Export --------------------------------------------------------------------------------------


def user_export(*, user: User) -> dict[str, Any]:
    """Everything the platform keeps about ``user``, JSON-serialisable (one query per list).

    Applications carry only the masked ID number; the fingerprint is a keyed
    hash that means nothing outside the platform, so it is left out too.
    """
    follows = (
        Follow.objects.filter(user=user).select_related("creator").order_by("-created_at", "-id")
    )
    favorites = (
        Favorite.objects.filter(user=user).select_related("article").order_by("-created_at", "-id")
    )
    likes = Like.objects.filter(user=user).select_related("article").order_by("-created_at", "-id")
    shares = (
        Share.objects.filter(user=user).select_related("article").order_by("-created_at", "-id")
    )
    comments = (
        Comment.objects.filter(user=user).select_related("article").order_by("-created_at", "-id")
    )
    readings = (
        Reading.objects.filter(user=user).select_related("article").order_by("-read_at", "-id")
    )
    applications = Application.objects.filter(applicant=user).order_by("-created_at", "-id")
    creators = Creator.objects.filter(members=user).order_by("id")
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "id": user.pk,
            "username": user.get_username(),
            "email": user.email,
            "date_joined": _at(user.date_joined),
            "last_login": _at(user.last_login),
            "role": user.role,
            "care_mode": user.care_mode,
        },
        "follows": [
            {
                "account": f.creator.name,
                "account_id": f.creator_id,
                "followed_at": _at(f.created_at),
            }
            for f in follows
        ],
        "favorites": [{**_article(f.article), "at": _at(f.created_at)} for f in favorites],
        "likes": [{**_article(like.article), "at": _at(like.created_at)} for like in likes],
        "shares": [
            {**_article(s.article), "channel": s.channel, "at": _at(s.created_at)} for s in shares
        ],
        "comments": [
            {
                "id": c.pk,
                **_article(c.article),
                "parent_id": c.parent_id,
                "body": c.body,
                "status": c.status,
                "region": c.region,
                "created_at": _at(c.created_at),
                "edited_at": _at(c.edited_at),
            }
            for c in comments
        ],
        "reading_history": [{**_article(r.article), "read_at": _at(r.read_at)} for r in readings],
        "applications": [
            {
                "account_name": a.account_name,
                "account_type": a.account_type,
                "status": a.status,
                "id_number_masked": a.id_number_masked,
                "reject_reason": a.reject_reason,
                "created_at": _at(a.created_at),
                "reviewed_at": _at(a.reviewed_at),
            }
            for a in applications
        ],
        "creator_accounts": [
            {"account_id": c.pk, "name": c.name, "url": c.get_absolute_url()} for c in creators
        ],
        **_trust_and_safety(user),
    }


def _trust_and_safety(user: User) -> dict[str, Any]:
    """The reader's reports (not who else reported), appeals and notices."""
    reports = Report.objects.filter(reporter=user).select_related("case").order_by("-id")
    appeals = Appeal.objects.filter(user=user).order_by("-id")
    notices = Notice.objects.filter(user=user).order_by("-id")
    return {
        "reports": [{"target": f"{r.case.target_type}#{r.case.target_id}", "reason": r.reason,
                     "details": r.details, "created_at": _at(r.created_at),
                     "outcome": r.case.decision} for r in reports],
        "appeals": [{"decision": a.decision, "target": f"{a.target_type}#{a.target_id}",
                     "text": a.text, "status": a.status, "reply": a.reply,
                     "created_at": _at(a.created_at)} for a in appeals],
        "notices": [{"kind": n.kind, "params": n.params, "created_at": _at(n.created_at)}
                    for n in notices],
    }  # fmt: skip


# History -------------------------------------------------------------------------------------


@transaction.atomic
def user_clear_history(*, user: User) -> int:
    """Forget every article the reader has opened, and the views recommendations learned
    from; returns how many history entries went."""
    events_forget(user_id=user.pk, kinds=READING_KINDS)
    return reading_history_clear(user=user)


# Account deletion ----------------------------------------------------------------------------


@transaction.atomic
def user_delete(*, user: User, by: User) -> None:
    """Delete an account (注销) in one transaction.

    Likes, favourites and follows go and their counters are recounted; comments
    stay, anonymised (``Comment.user`` is None, shown as DELETED_USER_NAME);
    history, memberships and applications go; audit entries stay, with the
    actor's name replaced by DELETED_USER_NAME. Accounts left without any
    member are listed in the "user.delete" audit entry for editors to handle.
    Each app changes its own rows through its own service.
    """
    if by.pk != user.pk and not (by.is_superuser or by.role == User.Role.ADMIN):
        raise PermissionDenied(USER_DELETE_NOT_ALLOWED)
    # Lock the row: a concurrent like, follow or application by this user
    # waits on its foreign key check, then fails instead of outliving the user.
    user = User.objects.select_for_update().get(pk=user.pk)
    summary: dict[str, Any] = likes_release(user=user)
    summary["follows"] = follows_release(user=user)
    summary["comments"] = comments_anonymise(user=user)
    summary["readings"] = reading_history_clear(user=user)
    summary["events"] = events_forget(user_id=user.pk)
    summary.update(reader_ranking_forget(user=user))
    summary["memberships"], summary["orphaned_accounts"] = memberships_release(user=user)
    summary["applications"] = applications_delete(user=user)
    audit_record(actor=by, action="user.delete", target=user, data=summary)
    audit_actor_forget(user=user, name=DELETED_USER_NAME)
    user.delete()  # cascades the rest (e-mail addresses); shares and revisions keep no name
    # Cached pages show the name beside the user's comments: every page is rebuilt.
    transaction.on_commit(site_version_bump)
