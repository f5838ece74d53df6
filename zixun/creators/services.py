from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from zixun.creators.models import Creator, Follow

CREATOR_NAME_INVALID = "账号名称须为 1–30 个字符 / An account name has 1 to 30 characters"


def creator_get_or_create(
    *,
    name: str,
    verification_label: str = "",
    account_type: str = Creator.AccountType.MEDIA,
    bio: str = "",
) -> Creator:
    """The account called ``name``, created with these details if it does not exist yet."""
    name = name.strip()
    if not 1 <= len(name) <= 30:
        raise ValueError(CREATOR_NAME_INVALID)
    if account_type not in Creator.AccountType.values:
        account_type = Creator.AccountType.OTHER
    creator, _ = Creator.objects.get_or_create(
        name=name,
        defaults={
            "verification_label": verification_label[:40],
            "account_type": account_type,
            "bio": bio[:300],
        },
    )
    return creator


@transaction.atomic
def creators_recount(*, creator_ids: Iterable[int] | None = None) -> int:
    """Recompute article and follower counts from rows; returns how many accounts changed."""
    from zixun.articles.models import Article  # articles depends on creators, not back

    creators = Creator.objects.select_for_update().order_by("id")
    if creator_ids is not None:
        creators = creators.filter(id__in=list(creator_ids))
    changed = 0
    for creator in creators:
        articles = Article.objects.filter(creator=creator, status=Article.Status.PUBLISHED).count()
        followers = Follow.objects.filter(creator=creator).count()
        if (articles, followers) != (creator.article_count, creator.follower_count):
            creator.article_count, creator.follower_count = articles, followers
            creator.save(update_fields=["article_count", "follower_count", "updated_at"])
            changed += 1
    return changed
