"""A reader's data rights: download everything about them, clear their history, leave.

These sit above the other domain apps (they read and change engagement,
creators and moderation rows), so nothing in those apps may import them.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Count, Model, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.creators.models import Application, Creator, Follow
from zixun.engagement.models import Comment, Favorite, Like, Reading, Share
from zixun.moderation.models import AuditEntry
from zixun.moderation.services import audit_record

# Shown wherever a deleted account's name used to be (comments, audit entries).
DELETED_USER_NAME = "已注销用户"
USER_DELETE_NOT_ALLOWED = "只能注销自己的账号 / You can only delete your own account"
EXPORT_FORMAT = 1  # bump when a key of user_export changes meaning


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _article(article: Article) -> dict[str, Any]:
    return {"article_id": article.pk, "title": article.title, "url": article.get_absolute_url()}


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
    }


# History -------------------------------------------------------------------------------------


def user_clear_history(*, user: User) -> int:
    """Forget every article the reader has opened; returns how many entries went."""
    deleted, _ = Reading.objects.filter(user=user).delete()
    return deleted


# Account deletion ----------------------------------------------------------------------------


def _others(model: type[Model], field: str, user: User) -> Coalesce:
    """How many rows of ``model`` point at the outer row, not counting ``user``'s."""
    rows = (
        model._default_manager.filter(**{field: OuterRef("pk")})
        .exclude(user=user)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def _release_engagement(user: User) -> dict[str, int]:
    """Delete the user's likes, favourites and follows; recount what they touched.

    The counters are set from the rows that remain, so they end equal to the
    rows even if they had drifted. The touched articles and accounts are locked
    first: a concurrent like either committed before the lock (and is counted)
    or moves its counter after this transaction (on top of the recount).
    Everything is a subquery, so a user with 100k likes binds no id list.
    """
    liked = Like.objects.filter(user=user).values("article_id")
    favorited = Favorite.objects.filter(user=user).values("article_id")
    articles = Article.objects.filter(Q(pk__in=liked) | Q(pk__in=favorited))
    list(articles.select_for_update().order_by("pk").values_list("pk", flat=True))
    articles.update(
        like_count=_others(Like, "article", user), favorite_count=_others(Favorite, "article", user)
    )
    creators = Creator.objects.filter(pk__in=Follow.objects.filter(user=user).values("creator_id"))
    list(creators.select_for_update().order_by("pk").values_list("pk", flat=True))
    creators.update(follower_count=_others(Follow, "creator", user))
    likes, _ = Like.objects.filter(user=user).delete()
    favorites, _ = Favorite.objects.filter(user=user).delete()
    follows, _ = Follow.objects.filter(user=user).delete()
    return {"likes": likes, "favorites": favorites, "follows": follows}


def _delete_files(storage: Storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def _delete_applications(user: User) -> int:
    """Applications hold the applicant's identity (masked ID, operator name, credentials):
    they go with the account, files included. Their audit entries stay."""
    applications = list(Application.objects.filter(applicant=user))
    for field in ("avatar", "credentials"):
        files = [getattr(a, field) for a in applications if getattr(a, field)]
        if files:
            names = [file.name for file in files]
            transaction.on_commit(partial(_delete_files, files[0].storage, names))
    deleted, _ = Application.objects.filter(applicant=user).delete()
    return deleted


@transaction.atomic
def user_delete(*, user: User, by: User) -> None:
    """Delete an account (注销) in one transaction.

    Likes, favourites and follows go and their counters are recounted; comments
    stay, anonymised (``Comment.user`` is None, shown as DELETED_USER_NAME);
    history, memberships and applications go; audit entries stay, with the
    actor's name replaced by DELETED_USER_NAME. Accounts left without any
    member are listed in the "user.delete" audit entry for editors to handle.
    """
    if by.pk != user.pk and not (by.is_superuser or by.role == User.Role.ADMIN):
        raise PermissionDenied(USER_DELETE_NOT_ALLOWED)
    # Lock the row: a concurrent like, follow or application by this user
    # waits on its foreign key check, then fails instead of outliving the user.
    user = User.objects.select_for_update().get(pk=user.pk)
    summary: dict[str, Any] = _release_engagement(user)
    summary["comments"] = Comment.objects.filter(user=user).update(user=None)
    summary["readings"] = user_clear_history(user=user)
    memberships = list(Creator.objects.filter(members=user).values_list("pk", flat=True))
    user.creators.clear()
    summary["memberships"] = memberships
    summary["orphaned_accounts"] = list(
        Creator.objects.filter(pk__in=memberships, members__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    summary["applications"] = _delete_applications(user)
    audit_record(actor=by, action="user.delete", target=user, data=summary)
    AuditEntry.objects.filter(actor=user).update(actor_name=DELETED_USER_NAME)
    user.delete()  # cascades the rest (e-mail addresses); shares and revisions keep no name
