"""Reads for the webhook pages and the event builders. Only the account's members see its
hooks (not editors either: a hook is the account's own integration); anyone else's lookup
raises DoesNotExist, which the pages answer with a 404."""

from __future__ import annotations

from django.db.models import Prefetch

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.core.pagination import Keyset, Page, PageRequest, keyset_page
from zixun.creators.models import Creator
from zixun.engagement.models import Comment
from zixun.webhooks.models import Delivery, Webhook

DELIVERY_PAGE = 20
NEWEST_ID = Keyset()


def creator_list_with_webhooks(*, user: User) -> list[Creator]:
    """The accounts the user runs, each with ``hooks`` (its webhooks, oldest first)."""
    hooks = Prefetch("webhooks", queryset=Webhook.objects.order_by("id"), to_attr="hooks")
    return list(Creator.objects.filter(members=user).order_by("id").prefetch_related(hooks))


def creator_get_for_webhooks(*, user: User, creator_id: int) -> Creator:
    """An account the user is a member of; raises Creator.DoesNotExist."""
    return Creator.objects.filter(members=user).get(pk=creator_id)


def webhook_get_for_member(*, user: User, webhook_id: int) -> Webhook:
    """Raises Webhook.DoesNotExist unless the user is a member of the hook's account."""
    return Webhook.objects.select_related("creator").get(pk=webhook_id, creator__members=user)


def delivery_get_for_member(*, user: User, webhook_id: int, delivery_id: int) -> Delivery:
    return Delivery.objects.select_related("webhook__creator").get(
        pk=delivery_id, webhook_id=webhook_id, webhook__creator__members=user
    )


def delivery_list(*, webhook: Webhook, page: PageRequest | None = None) -> Page[Delivery]:
    """The hook's deliveries, newest first (index delivery_by_webhook)."""
    queryset = Delivery.objects.filter(webhook=webhook)
    return keyset_page(queryset, page or PageRequest(), DELIVERY_PAGE, NEWEST_ID)


def webhooks_listening(*, creator_id: int, event: str) -> list[Webhook]:
    """The account's active hooks that want ``event`` (a few per account: filtered here,
    as SQLite has no JSON containment lookup)."""
    hooks = Webhook.objects.filter(creator_id=creator_id, is_active=True).order_by("id")
    return [hook for hook in hooks if event in hook.events]


def article_for_event(*, article_id: int) -> Article | None:
    return Article.objects.select_related("creator").filter(pk=article_id).first()


def comment_for_event(*, comment_id: int) -> Comment | None:
    return (
        Comment.objects.select_related("article__creator")
        .filter(pk=comment_id, status=Comment.Status.VISIBLE)
        .first()
    )
