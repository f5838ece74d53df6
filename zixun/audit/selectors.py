from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from zixun.audit.models import AuditEntry


def audit_list_for(*, target: models.Model) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(target_type=target._meta.label_lower, target_id=target.pk)


def audit_list_latest(*, limit: int = 100) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.all()[:limit]
