"""What every editors' intervention (热榜, 热搜 pins and removals) asks of its actor and reason."""

from __future__ import annotations

from django.utils.functional import Promise

from zixun.core.errors import ServiceError

REASON_MAX = 200


def intervention_reason(is_editor: bool, reason: str, *, error: type[ServiceError], editors_only: str | Promise,
                        required: str | Promise, too_long: str | Promise) -> str:  # fmt: skip
    """The reason, whitespace collapsed; ``error`` with the matching message if the actor is not an
    editor (``is_editor`` false), or the reason is empty or longer than REASON_MAX characters."""
    if not is_editor:
        raise error(editors_only)
    reason = " ".join(reason.split())
    if not reason:
        raise error(required)
    if len(reason) > REASON_MAX:
        raise error(too_long, limit=REASON_MAX)
    return reason
