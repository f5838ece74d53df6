"""The output schemas of the API, shared by every router, and their builders.

Each schema is the contract of one shape in the OpenAPI document; each builder
(``article_out``, ``card_out`` …) makes it from what a selector returned, so an
endpoint's body is one call. Links are absolute, on ZIXUN_SITE_URL (or the
request's host when it is not set, in development). The bodies do not depend on
the caller's language: a channel has both its names, labels and types are codes.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Schema

from zixun.articles.covers import Cover
from zixun.articles.models import Article
from zixun.articles.selectors import ArticleCard
from zixun.channels.models import Channel
from zixun.creators.models import Creator


def absolute(request: HttpRequest, path: str) -> str:
    """``path`` on the site's address (ZIXUN_SITE_URL), else on the request's host."""
    base = settings.ZIXUN_SITE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


# Problems (problems.py) ---------------------------------------------------------------


class FieldErrorOut(Schema):
    field: str = Field(description="Where the error is, dotted: `query.limit`, `body.title`.")
    location: list[str] = Field(description="The same path as a list.")
    message: str = Field(description="What is wrong (pydantic's message, in English).")
    type: str = Field(description="pydantic's error type, e.g. `less_than_equal`.")


class ProblemOut(Schema):
    """An RFC 9457 problem: every 4xx and 5xx answer of the API."""

    type: str = Field(description="`about:blank#<code>`.")
    title: str = Field(description="What went wrong, in the caller's language.")
    status: int = Field(description="The HTTP status.")
    code: str = Field(description="A stable code to branch on (docs/api.md#errors).")
    detail: str | None = Field(None, description="More about this occurrence, localized.")
    errors: list[FieldErrorOut] | None = Field(
        None, description="The invalid fields of a 422 `validation_failed`."
    )


# Channels and accounts -----------------------------------------------------------------


class ChannelOut(Schema):
    """A channel (频道)."""

    slug: str = Field(description="The channel's key, used in URLs and filters.")
    name: str = Field(description="The Chinese name.")
    name_en: str = Field(description="The English name (may be empty).")
    url: str = Field(description="The channel's page.")


class AccountRefOut(Schema):
    """An account (号) as a list item shows it."""

    id: int
    name: str
    url: str = Field(description="The account's page.")


class AccountOut(Schema):
    """An account (号) with its profile and counters."""

    id: int
    name: str
    url: str = Field(description="The account's page.")
    verification_label: str = Field(description="E.g. 人民网官方网易号; empty when unverified.")
    account_type: str = Field(
        description="`personal`, `media`, `enterprise`, `government` or `other`."
    )
    bio: str
    avatar_url: str | None = Field(description="The avatar image, if any.")
    article_count: int = Field(description="Published articles (文章数).")
    follower_count: int = Field(description="Followers (关注度).")
    articles_url: str = Field(description="The account's articles in this API.")


def channel_out(request: HttpRequest, channel: Channel) -> ChannelOut:
    return ChannelOut(
        slug=channel.slug,
        name=channel.name,
        name_en=channel.name_en,
        url=absolute(request, reverse("web:channel", kwargs={"slug": channel.slug})),
    )


def account_ref_out(request: HttpRequest, *, pk: int, name: str) -> AccountRefOut:
    url = absolute(request, reverse("web:account", kwargs={"creator_id": pk}))
    return AccountRefOut(id=pk, name=name, url=url)


def account_out(request: HttpRequest, creator: Creator) -> AccountOut:
    return AccountOut(
        id=creator.pk,
        name=creator.name,
        url=absolute(request, reverse("web:account", kwargs={"creator_id": creator.pk})),
        verification_label=creator.verification_label,
        account_type=creator.account_type,
        bio=creator.bio,
        avatar_url=absolute(request, default_storage.url(creator.avatar.name))
        if creator.avatar
        else None,
        article_count=creator.article_count,
        follower_count=creator.follower_count,
        articles_url=absolute(
            request, reverse("api:account_articles_api", kwargs={"account_id": creator.pk})
        ),
    )


# Articles ------------------------------------------------------------------------------


class CoverOut(Schema):
    """An article's cover image, in the stored sizes."""

    url: str = Field(description="The image at its stored size (at most 2000 px wide).")
    width: int
    height: int
    thumbnail_url: str = Field(description="The narrowest stored rendition.")
    srcset: str = Field(description="Every rendition with its width, for <img srcset>.")
    alt: str = Field(description="Its text alternative (empty in lists: decorative there).")


class CountersOut(Schema):
    views: int
    likes: int
    favorites: int
    shares: int
    comments: int


class ArticleCardOut(Schema):
    """An article in a ranked list (hot, related, search): title, account and time."""

    id: int
    title: str
    url: str = Field(description="The article's page.")
    account: AccountRefOut
    published_at: datetime
    cover: CoverOut | None
    label: str = Field(
        description="`debunked` 辟谣, `false` 不实信息, `disputed` 有争议, or empty."
    )
    api_url: str = Field(description="The article in this API.")


class ArticleItemOut(Schema):
    """An article in a paginated list, without its body."""

    id: int
    title: str
    summary: str
    url: str = Field(description="The article's page.")
    channel: ChannelOut
    account: AccountRefOut
    published_at: datetime
    cover: CoverOut | None
    tags: list[str]
    is_original: bool = Field(description="原创.")
    label: str = Field(
        description="`debunked` 辟谣, `false` 不实信息, `disputed` 有争议, or empty."
    )
    counters: CountersOut
    api_url: str = Field(description="The article in this API.")


class ArticleDetailOut(ArticleItemOut):
    """A published article with its body."""

    body_html: str = Field(description="The body, sanitized HTML.")
    updated_at: datetime = Field(description="When the text last changed (else published_at).")
    source: str = Field(description="Where the article came from, if not written here.")
    source_url: str
    label_note: str = Field(description="Why the label was given.")
    label_url: str = Field(description="A page that explains the label.")


def cover_out(request: HttpRequest, cover: Cover | None) -> CoverOut | None:
    if cover is None:
        return None
    return CoverOut(
        url=absolute(request, cover.full_src),
        width=cover.full_width,
        height=cover.full_height,
        thumbnail_url=absolute(request, cover.src),
        srcset=", ".join(
            f"{absolute(request, url)} {width}"
            for url, width in (part.rsplit(" ", 1) for part in cover.srcset.split(", "))
        ),
        alt=cover.alt,
    )


def _article_api_url(request: HttpRequest, pk: int) -> str:
    return absolute(request, reverse("api:article_detail_api", kwargs={"article_id": pk}))


def card_out(request: HttpRequest, card: ArticleCard) -> ArticleCardOut:
    return ArticleCardOut(
        id=card.id,
        title=card.title,
        url=absolute(request, card.url),
        account=AccountRefOut(
            id=card.creator_id, name=card.creator_name, url=absolute(request, card.creator_url)
        ),
        published_at=card.published_at,
        cover=cover_out(request, card.cover),
        label=card.label,
        api_url=_article_api_url(request, card.id),
    )


def _article_fields(
    request: HttpRequest, article: Article, *, channel: Channel, creator: Creator
) -> dict[str, object]:
    assert article.published_at is not None  # published articles have one (a constraint)
    return {
        "id": article.pk,
        "title": article.title,
        "summary": article.summary,
        "url": absolute(request, article.get_absolute_url()),
        "channel": channel_out(request, channel),
        "account": account_ref_out(request, pk=creator.pk, name=creator.name),
        "published_at": article.published_at,
        "cover": cover_out(request, article.cover),
        "tags": [str(tag) for tag in article.tags] if isinstance(article.tags, list) else [],
        "is_original": article.is_original,
        "label": article.label,
        "counters": CountersOut(
            views=article.view_count,
            likes=article.like_count,
            favorites=article.favorite_count,
            shares=article.share_count,
            comments=article.comment_count,
        ),
        "api_url": _article_api_url(request, article.pk),
    }


def article_item_out(
    request: HttpRequest,
    article: Article,
    *,
    channel: Channel | None = None,
    creator: Creator | None = None,
) -> ArticleItemOut:
    """A list item; pass the list's channel or account when every item has it (no join)."""
    fields = _article_fields(
        request, article, channel=channel or article.channel, creator=creator or article.creator
    )
    return ArticleItemOut(**fields)  # type: ignore[arg-type]


def article_out(request: HttpRequest, article: Article) -> ArticleDetailOut:
    """A published article with its body (article_get_published selects its channel and account)."""
    fields = _article_fields(request, article, channel=article.channel, creator=article.creator)
    assert article.published_at is not None
    return ArticleDetailOut(
        **fields,  # type: ignore[arg-type]
        body_html=article.body_html,
        updated_at=article.revised_at or article.published_at,
        source=article.source,
        source_url=article.source_url,
        label_note=article.label_note,
        label_url=article.label_url,
    )


# Lists ---------------------------------------------------------------------------------

NEXT_CURSOR = "The cursor of the next page (pass it as `cursor`); null on the last page."


class ArticleList(Schema):
    items: list[ArticleItemOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class ChannelList(Schema):
    items: list[ChannelOut] = Field(description="Every active channel, in menu order.")
    next_cursor: str | None = Field(description="Always null: the list is one page.")


class CardList(Schema):
    items: list[ArticleCardOut]
    next_cursor: str | None = Field(description="Always null: the list is one page.")


class HotItemOut(Schema):
    """One place on the hot list (热榜)."""

    rank: int = Field(description="1 for the hottest.")
    heat: int = Field(description="Its heat now (decayed engagement, docs/ranking.md).")
    pinned: bool = Field(description="An editor pinned it at this place (热榜说明).")
    article: ArticleCardOut


class HotList(Schema):
    items: list[HotItemOut]
    next_cursor: str | None = Field(description="Always null: the hot list is one page.")


# Search --------------------------------------------------------------------------------


class SearchHitOut(Schema):
    """One search result: the article and where it matched."""

    article: ArticleCardOut
    title_html: str = Field(description="The title, HTML-escaped, with <mark> around matches.")
    snippet_html: str = Field(description="A passage of the body around the matches, likewise.")
    score: float = Field(description="Its relevance (only comparable within one search).")


class AccountMatchOut(Schema):
    """An account whose name matches the query (first page, no filters)."""

    id: int
    name: str
    url: str
    verification_label: str
    follower_count: int


class SearchList(Schema):
    query: str = Field(
        description="The query as the engine understood it (folded); empty when nothing to search."
    )
    items: list[SearchHitOut]
    accounts: list[AccountMatchOut] = Field(
        description="Accounts whose name matches: first page without filters only."
    )
    next_cursor: str | None = Field(description=NEXT_CURSOR)


# Comments ------------------------------------------------------------------------------


class CommentItemOut(Schema):
    """A comment (跟贴) or a reply."""

    id: int
    author: str | None = Field(description="The writer's user name; null for a removed account.")
    body: str | None = Field(description="Plain text; null when deleted (is_deleted).")
    is_deleted: bool = Field(
        description="A deleted comment keeps its place while it has replies (该跟贴已删除)."
    )
    created_at: datetime
    edited_at: datetime | None
    region: str = Field(description="IP属地: the writer's region when it was written.")
    reply_count: int = Field(description="Visible replies (top-level comments only).")


class ThreadOut(CommentItemOut):
    """A top-level comment with its first replies, as the article page shows it."""

    replies: list[CommentItemOut] = Field(description="The first replies, oldest first.")
    replies_url: str = Field(description="All its replies, a page at a time, in this API.")


class CommentList(Schema):
    items: list[ThreadOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class ReplyList(Schema):
    parent: CommentItemOut
    items: list[CommentItemOut] = Field(description="Replies, oldest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)
