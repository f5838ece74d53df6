from __future__ import annotations

from zixun.creators.models import Creator


def creator_get(*, creator_id: int) -> Creator | None:
    return Creator.objects.filter(pk=creator_id).first()
