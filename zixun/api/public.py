"""Public reads: articles, channels, accounts, the hot list and related articles.

Each endpoint parses, calls the selector the pages call, and builds its schema
(schemas.py). Only published, not deleted articles are ever shown: any other id is
a 404 that does not say whether it exists; a taken-down article is a 410, as its
page is.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from zixun.api.pagination import PageParams, next_cursor, page_request
from zixun.api.problems import NOT_FOUND_DETAIL, invalid_param, problem
from zixun.api.schemas import (
    AccountOut,
    ArticleDetailOut,
    ArticleList,
    CardList,
    ChannelList,
    ChannelOut,
    HotItemOut,
    HotList,
    account_out,
    article_item_out,
    article_out,
    card_out,
    channel_out,
)
from zixun.articles import selectors as articles
from zixun.articles.models import Article
from zixun.channels.models import Channel
from zixun.channels.selectors import channel_get_active, channel_list_nav
from zixun.creators.models import Creator
from zixun.creators.selectors import creator_get
from zixun.ranking.selectors import hot_list, related_cards

router = Router()

# The hot list page's size: the API reads the same cached block and cuts it.
HOT_SIZE = 30
ID_MAX = 2**63 - 1  # a larger id cannot be in a 64-bit column (and SQLite would overflow)

TAKEN_DOWN = _("这篇文章已被下架")
UNKNOWN_CHANNEL = _("没有这个频道")
UNKNOWN_ACCOUNT = _("没有这个账号")
FILTERS_EXCLUSIVE = _("channel 和 account 只能选一个")

ARTICLE_LIST = "articles"


def _not_found() -> Exception:
    return problem(404, "not_found", NOT_FOUND_DETAIL)


def article_published_or_404(article_id: int) -> Article:
    """The published article ``article_id``; a 410 problem if taken down, else a 404."""
    article = (
        articles.article_get_published(article_id=article_id) if article_id <= ID_MAX else None
    )
    if article is None:
        if article_id <= ID_MAX and articles.article_is_taken_down(article_id=article_id):
            raise problem(410, "article_taken_down", TAKEN_DOWN)
        raise _not_found()
    return article


def _channel_or_404(slug: str) -> Channel:
    channel = channel_get_active(slug=slug)
    if channel is None:
        raise _not_found()
    return channel


def _creator_or_404(account_id: int) -> Creator:
    creator = creator_get(creator_id=account_id) if account_id <= ID_MAX else None
    if creator is None:
        raise _not_found()
    return creator


class ArticleFilters(PageParams):
    channel: str | None = Field(
        None, max_length=40, description="Only this channel's articles (its slug)."
    )
    account: int | None = Field(
        None, ge=1, le=ID_MAX, description="Only this account's articles (its id)."
    )


@router.get(
    "/articles",
    response=ArticleList,
    tags=["articles"],
    summary="List published articles, newest first",
)
def article_list_api(request: HttpRequest, params: Query[ArticleFilters]) -> ArticleList:
    """The newest published articles, optionally of one channel or of one account (not both)."""
    if params.channel is not None and params.account is not None:
        raise invalid_param("account", FILTERS_EXCLUSIVE)
    start = page_request(ARTICLE_LIST, params.cursor)
    if params.channel is not None:
        found = channel_get_active(slug=params.channel)
        if found is None:
            raise invalid_param("channel", UNKNOWN_CHANNEL)
        listed = articles.article_list_for_channel(channel=found, page=start, size=params.limit)
        items = [article_item_out(request, a, channel=found) for a in listed.items]
    elif params.account is not None:
        creator = creator_get(creator_id=params.account)
        if creator is None:
            raise invalid_param("account", UNKNOWN_ACCOUNT)
        listed = articles.article_list_for_creator(creator=creator, page=start, size=params.limit)
        items = [article_item_out(request, a, creator=creator) for a in listed.items]
    else:
        listed = articles.article_list_latest(page=start, size=params.limit)
        items = [article_item_out(request, a) for a in listed.items]
    return ArticleList(items=items, next_cursor=next_cursor(ARTICLE_LIST, listed))


@router.get(
    "/articles/{int:article_id}",
    response=ArticleDetailOut,
    tags=["articles"],
    summary="Get a published article",
)
def article_detail_api(request: HttpRequest, article_id: int) -> ArticleDetailOut:
    """A published article with its sanitized body; 404 for any other id, 410 if taken down."""
    return article_out(request, article_published_or_404(article_id))


@router.get(
    "/articles/{int:article_id}/related",
    response=CardList,
    tags=["articles"],
    summary="Related articles (相关推荐)",
)
def article_related_api(request: HttpRequest, article_id: int) -> CardList:
    """The article page's 相关推荐: similar articles computed at publish, else the newest of
    its channel."""
    article = article_published_or_404(article_id)
    cards = related_cards(article=article)
    return CardList(items=[card_out(request, card) for card in cards], next_cursor=None)


@router.get("/channels", response=ChannelList, tags=["channels"], summary="List channels")
def channel_list_api(request: HttpRequest) -> ChannelList:
    """Every active channel in menu order (one page: there are a few dozen at most)."""
    items = [channel_out(request, channel) for channel in channel_list_nav()]
    return ChannelList(items=items, next_cursor=None)


@router.get("/channels/{slug}", response=ChannelOut, tags=["channels"], summary="Get a channel")
def channel_detail_api(request: HttpRequest, slug: str) -> ChannelOut:
    """An active channel; its articles are ``/articles?channel=<slug>``."""
    return channel_out(request, _channel_or_404(slug))


@router.get(
    "/accounts/{int:account_id}", response=AccountOut, tags=["accounts"], summary="Get an account"
)
def account_detail_api(request: HttpRequest, account_id: int) -> AccountOut:
    """An account (号): its profile and counters."""
    return account_out(request, _creator_or_404(account_id))


@router.get(
    "/accounts/{int:account_id}/articles",
    response=ArticleList,
    tags=["accounts"],
    summary="An account's published articles, newest first",
)
def account_articles_api(
    request: HttpRequest, account_id: int, page: Query[PageParams]
) -> ArticleList:
    """The same list as ``/articles?account=<id>``; 404 for an unknown account."""
    creator = _creator_or_404(account_id)
    start = page_request(ARTICLE_LIST, page.cursor)
    listed = articles.article_list_for_creator(creator=creator, page=start, size=page.limit)
    items = [article_item_out(request, a, creator=creator) for a in listed.items]
    return ArticleList(items=items, next_cursor=next_cursor(ARTICLE_LIST, listed))


class HotParams(Schema):
    channel: str | None = Field(
        None, max_length=40, description="One channel's hot list (its slug); else the global one."
    )
    limit: int = Field(HOT_SIZE, ge=1, le=HOT_SIZE, description=f"How many (1–{HOT_SIZE}).")


@router.get("/hot", response=HotList, tags=["hot"], summary="The hot list (热榜)")
def hot_list_api(request: HttpRequest, params: Query[HotParams]) -> HotList:
    """The hot list as the 热榜 page shows it: by heat, editors' pins at their places (global
    list only), topped up with the newest articles while few readers have acted."""
    channel, limit = params.channel, params.limit
    found = None
    if channel is not None:
        found = channel_get_active(slug=channel)
        if found is None:
            raise invalid_param("channel", UNKNOWN_CHANNEL)
    ranked = hot_list(channel_id=found.pk if found else None, limit=HOT_SIZE)[:limit]
    items = [
        HotItemOut(
            rank=item.rank, heat=item.heat, pinned=item.pinned, article=card_out(request, item.card)
        )
        for item in ranked
    ]
    return HotList(items=items, next_cursor=None)
