from __future__ import annotations

from typing import Any

from django.db import models

from zixun.accounts.models import User
from zixun.audit.models import AuditEntry


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry; call it inside the transaction of the change it records."""
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )


def audit_actor_forget(*, user: User, name: str) -> int:
    """Replace ``user``'s name in the entries they wrote (the entries stay); returns how many."""
    return AuditEntry.objects.filter(actor=user).update(actor_name=name)
