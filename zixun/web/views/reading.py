"""HTML views: parse, one selector call per block, render. No logic lives here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from zixun.accounts.models import User
from zixun.accounts.services import user_care_mode_set
from zixun.articles import selectors as articles
from zixun.articles.models import Article
from zixun.channels.selectors import channel_get_active
from zixun.core.clientaddr import client_address
from zixun.core.pagination import InvalidCursorError, Page, PageRequest
from zixun.creators.models import Creator
from zixun.creators.selectors import creator_get, creator_is_followed
from zixun.engagement.models import Comment, Share
from zixun.engagement.selectors import (
    ReaderState,
    comment_list_for_article,
    comment_thread,
    reader_state,
)
from zixun.engagement.viewcount import view_record
from zixun.ranking.selectors import hot_cards, related_cards
from zixun.web import readerpage
from zixun.web.http import absolute_url, acting_user, redirect_back
from zixun.web.modes import MODES, mode_cookie_set
from zixun.web.pagecache import cached_page
from zixun.web.qr import qr_svg
from zixun.web.sharecard import share_card
from zixun.web.views.engagement import share_url

# The share menu's social channels, in menu order (copy link and QR code are separate).
SHARE_CHANNELS = [
    (Share.Channel.WEIBO, Share.Channel.WEIBO.label),
    (Share.Channel.QQ, Share.Channel.QQ.label),
    (Share.Channel.QZONE, Share.Channel.QZONE.label),
    (Share.Channel.DOUBAN, Share.Channel.DOUBAN.label),
]


def paginated(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer a bad page cursor (?after=, ?before=, ?page=) with a 400 page that says so."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except InvalidCursorError as error:
            html = render_to_string("web/error.html", {"message": str(error)}, request=request)
            return HttpResponseBadRequest(html)

    return wrapper


def side_blocks() -> dict[str, object]:
    """The site-wide blocks, as callables: the template calls them only when its
    cached side-column fragment is missing."""
    return {
        "hot": hot_cards,
        "highlights": articles.channel_highlights_get,
        "originals": articles.originals_get,
    }


def _reader_context(
    request: HttpRequest,
    state: Callable[[], ReaderState] | None = None,
    *,
    article: Article | None = None,
    creator: Creator | None = None,
) -> dict[str, object]:
    """The per-reader part of a cacheable page's context (see readerpage.py)."""
    meta = {"article_id": article.pk} if article else {}
    if creator:
        meta["creator_id"] = creator.pk
    request.zixun_page_meta = meta  # type: ignore[attr-defined]
    if readerpage.is_template_request(request):
        return readerpage.template_context()
    reader = None
    if request.user.is_authenticated:
        reader = state() if state else ReaderState()
    toggles = readerpage.toggles_for(
        reader,
        like_count=article.like_count if article else None,
        favorite_count=article.favorite_count if article else None,
        follower_count=creator.follower_count if creator else None,
    )
    return {"reader": reader, "toggles": toggles}


@require_GET
@cached_page(readers=True)
@paginated
def home(request: HttpRequest) -> HttpResponse:
    page = articles.article_list_latest(page=PageRequest.from_query(request.GET))
    context = {
        "page": page,
        "pinned": articles.article_list_pinned(),
        **side_blocks(),
        **_reader_context(request),
    }
    return render(request, "web/home.html", context)


@require_GET
@cached_page(readers=True)
@paginated
def channel_detail(request: HttpRequest, slug: str) -> HttpResponse:
    channel = channel_get_active(slug=slug)
    if channel is None:
        raise Http404
    page = articles.article_list_for_channel(
        channel=channel, page=PageRequest.from_query(request.GET)
    )
    context = {
        "channel": channel,
        "current_channel": channel.slug,
        "page": page,
        **side_blocks(),
        **_reader_context(request),
    }
    return render(request, "web/channel.html", context)


def counted_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Count the view of a page served with 200, cached or not (buffered; see viewcount.py)."""

    @wraps(view)
    def wrapper(request: HttpRequest, article_id: int) -> HttpResponse:
        response = view(request, article_id)
        if response.status_code == 200:
            # No session cookie means an anonymous reader: do not load the session
            # and the user just to learn that (a cached page must stay cheap).
            signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES and (
                request.user.is_authenticated
            )
            user_id = request.user.pk if signed_in else None
            view_record(
                article_id=article_id,
                user_id=user_id,
                client=client_address(request),
                # From META: request.headers builds a dict of every header on first use.
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        return response

    return wrapper


@require_GET
@counted_view
@cached_page(readers=True)
@paginated
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    article = articles.article_get_published(article_id=article_id)
    if article is None:
        if articles.article_is_taken_down(article_id=article_id):
            # A notice, not the text; never kept by a browser, so that a reinstated article is
            # seen again at once (a 410 without Cache-Control is cached as if for ever).
            response = render(request, "web/taken_down.html", status=410)
            patch_cache_control(response, no_cache=True, max_age=0)
            return response
        raise Http404
    return render(request, "web/article.html", article_context(request, article))


def article_context(request: HttpRequest, article: Article) -> dict[str, object]:
    """The article page's context; a comment refused without JS renders it too (engagement.py)."""
    sort = "new" if request.GET.get("comments") == "new" else "hot"
    return {
        "article": article,
        "related": related_cards(article=article),
        "past": articles.article_list_past(article=article),
        "share_url": share_url(request, article.pk, "link"),
        "canonical_url": absolute_url(request, article.get_absolute_url()),
        "card": share_card(request, article),
        "share_channels": SHARE_CHANNELS,
        "comments": _first_comments(article, sort),
        "comment_sort": sort,
        **side_blocks(),
        **_reader_context(
            request,
            lambda: reader_state(user=acting_user(request), article=article),
            article=article,
            creator=article.creator,
        ),
    }


def _first_comments(article: Article, sort: str) -> Page[Comment]:
    """The first 跟贴, and no query for an article with none, as most have: its count moves in
    the transaction that shows or hides a comment (``engagement_recount`` repairs drift)."""
    if not article.comment_count:
        return Page(items=[], next=None, previous=None)
    return comment_list_for_article(article=article, sort=sort)


@require_GET
@paginated
def comment_thread_page(request: HttpRequest, comment_id: int) -> HttpResponse:
    """One 跟贴 with all its replies, a page at a time."""
    try:
        parent, page = comment_thread(
            comment_id=comment_id, page=PageRequest.from_query(request.GET)
        )
    except Comment.DoesNotExist as error:
        raise Http404 from error
    context = {"parent": parent, "page": page}
    return render(request, "web/comment_thread.html", context)


@require_GET
@paginated
def article_comments(request: HttpRequest, article_id: int) -> HttpResponse:
    """All 跟贴 of an article, a page at a time (the article page shows the first ten)."""
    article = articles.article_get_published(article_id=article_id)
    if article is None:
        raise Http404
    sort = "new" if request.GET.get("sort") == "new" else "hot"
    page = comment_list_for_article(
        article=article, sort=sort, page=PageRequest.from_query(request.GET), size=30
    )
    context = {"article": article, "comments": page, "comment_sort": sort}
    return render(request, "web/comments.html", context)


@require_GET
def article_qr(request: HttpRequest, article_id: int) -> HttpResponse:
    article = articles.article_get_published(article_id=article_id)
    if article is None:
        raise Http404
    svg = qr_svg(absolute_url(request, article.get_absolute_url()))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
@cached_page(readers=True)
@paginated
def account_detail(request: HttpRequest, creator_id: int) -> HttpResponse:
    creator = creator_get(creator_id=creator_id)
    if creator is None:
        raise Http404
    page = articles.article_list_for_creator(
        creator=creator, page=PageRequest.from_query(request.GET)
    )
    reader = _reader_context(
        request,
        lambda: ReaderState(
            following=creator_is_followed(user=acting_user(request), creator=creator)
        ),
        creator=creator,
    )
    return render(request, "web/account.html", {"creator": creator, "page": page, **reader})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The public conformance page: the modes, the standards met, how they are checked, the
    known limits and where to report a barrier (ZIXUN_ACCESSIBILITY_CONTACT)."""
    contact = settings.ZIXUN_ACCESSIBILITY_CONTACT.strip()
    is_email = "@" in contact and ":" not in contact and " " not in contact
    if not is_email and not contact.startswith(("https://", "http://")):
        contact = ""  # neither an address nor a page: nothing to link to
    return render(
        request,
        "web/accessibility.html",
        {"accessibility_contact": contact, "contact_is_email": is_email},
    )


@require_GET
def language_set(request: HttpRequest, code: str) -> HttpResponse:
    """Switch the interface language; a cookie keeps the choice (no form, so pages stay cacheable)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    response = redirect_back(request)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600,
        samesite="Lax", secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )  # fmt: skip
    return response


@require_GET
def mode_set(request: HttpRequest, mode: str, state: str) -> HttpResponse:
    """Switch a presentation mode (modes.MODES): 关怀版, the accessibility aids, dark or
    light, 繁體. A cookie keeps the choice, and a signed-in reader's account keeps 关怀版
    too, for their other browsers."""
    switch = MODES.get(mode)
    if switch is None or state not in switch.states:
        raise Http404
    if mode == "care" and isinstance(request.user, User) and request.user.is_authenticated:
        user_care_mode_set(user=request.user, on=state == "on")
    response = redirect_back(request)
    mode_cookie_set(response, switch.cookie, switch.states[state])
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, for browsers that ignore the page's icon link: the site icon.

    Resolved per request: the static file's hashed name exists only after collectstatic.
    """
    return HttpResponsePermanentRedirect(static("web/favicon.svg"))
