from __future__ import annotations

import re
from datetime import datetime

from django.db import models
from django.db.models import QuerySet

from zixun.audit.models import AuditEntry
from zixun.core.pagination import Keyset, Page, PageRequest, keyset_page

# The log's order (AuditEntry.Meta.ordering), read through the index audit_latest.
AUDIT_NEWEST = Keyset(("created_at",), (datetime,))
AUDIT_PAGE_SIZE = 50

# The short names editors type for a target type, and the model label entries keep.
AUDIT_TARGET_TYPES = {
    "article": "articles.article",
    "comment": "engagement.comment",
    "account": "creators.creator",
    "application": "creators.application",
    "case": "moderation.case",
    "appeal": "moderation.appeal",
    "user": "accounts.user",
    "wordlist": "moderation.wordlist",
}
_ACTOR_ID = re.compile(r"#([0-9]{1,18})")


def audit_list_for(*, target: models.Model) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(target_type=target._meta.label_lower, target_id=target.pk)


def audit_list_latest(*, limit: int = 100) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.all()[:limit]


def audit_list_filtered(
    *,
    page: PageRequest,
    actor: str = "",
    target_type: str = "",
    target_id: int | None = None,
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    size: int = AUDIT_PAGE_SIZE,
) -> Page[AuditEntry]:
    """The log newest first, narrowed by whichever filters are given; one query a page.

    ``actor`` is a name as written in the entry (any case) or a user id as "#12";
    ``action`` ending in "." is a prefix ("article." is every article action);
    ``target_type`` is a short name (AUDIT_TARGET_TYPES) or a model label;
    ``since`` is inclusive and ``until`` exclusive.
    """
    queryset = AuditEntry.objects.all()
    actor = actor.strip()
    if match := _ACTOR_ID.fullmatch(actor):
        queryset = queryset.filter(actor_id=int(match.group(1)))
    elif actor:
        queryset = queryset.filter(actor_name__iexact=actor)
    if target_type:
        queryset = queryset.filter(target_type=AUDIT_TARGET_TYPES.get(target_type, target_type))
    if target_id is not None:
        queryset = queryset.filter(target_id=target_id)
    if action.endswith("."):
        queryset = queryset.filter(action__startswith=action)
    elif action:
        queryset = queryset.filter(action=action)
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    if until is not None:
        queryset = queryset.filter(created_at__lt=until)
    return keyset_page(queryset, page, size, AUDIT_NEWEST)
