"""The creators' endpoints under /api/v1/me/: an account's articles and images.

The same services as the studio (zixun/web/views/studio.py): ``article_create``,
``article_save_draft`` or ``article_revise``, ``article_submit``,
``article_unpublish`` and ``image_upload``. An account token acts as the member
who made it, on its own account only: another account's article is a 404, as in
the studio, so that nobody learns that someone else's draft exists.

Everything lives under ``/me/`` (the caller's own things); the public reads keep
``/articles/…`` and ``/accounts/…`` (zixun/api/public.py). Every body is checked
before it is parsed: too large is a 413, another content type a 415
(``body_check``), an unknown field a 422, and a refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import AwareDatetime, ConfigDict, StringConstraints

from zixun.api.auth import (
    ACCOUNT_TOKEN_ONLY,
    INSUFFICIENT_SCOPE,
    NOT_A_MEMBER,
    Actor,
    actor_of,
    not_found,
    rate_check,
    scope_require,
    service_problem,
    signed_in,
)
from zixun.api.models import ApiToken
from zixun.api.pagination import PageParams, next_cursor, page_request
from zixun.api.problems import (
    MEDIA_TYPE_DETAIL,
    TOO_LARGE_DETAIL,
    Problem,
    problem,
    problem_response,
)
from zixun.api.tokens import ACCOUNT_SCOPES, PERSONAL_SCOPES
from zixun.articles import selectors as article_selectors
from zixun.articles.limits import MAX_TAGS, SUMMARY_MAX, TAG_MAX, TITLE_MAX
from zixun.articles.markdown import BODY_MAX_CHARS
from zixun.articles.models import Article, Image
from zixun.articles.services import drafts, images, publishing, review
from zixun.articles.services.checks import ArticleError, ArticleInput, input_of
from zixun.articles.services.images import ALT_MAX
from zixun.creators import selectors as creator_selectors
from zixun.creators.models import Creator

router = Router(tags=["creators"], auth=signed_in)

ACCOUNT = ApiToken.Kind.ACCOUNT
ID_MAX = 2**63 - 1  # a bigint column: a larger id is no id of ours (and no 500)
# A JSON body holds at most a 100 000-character article: 4 bytes a character, escaped.
JSON_MAX_BYTES = 1024 * 1024
# An image of ZIXUN_UPLOAD_MAX_BYTES and the form around it.
MULTIPART_SLACK = 64 * 1024
ACCOUNT_REQUIRED = _("你运营多个账号，请用 account_id 指明是哪一个")
NOT_A_MEMBER_DETAIL = _("你不是该账号的成员")
MULTIPART_DETAIL = _("请求体须为 multipart/form-data")
ALT_REQUIRED = _("请填写替代文字（alt），说明图片的内容")
WRITES_PER_MINUTE = 60  # per user: the studio's autosave allows 30, a tool may batch more
UPLOADS_PER_MINUTE = 20  # the studio's upload limit, same scope

View = Callable[..., Any]


# Bodies --------------------------------------------------------------------------------------


def body_check(media_type: str, max_bytes: int | Callable[[], int]) -> Callable[[View], View]:
    """Refuse, before anything is read, a body over ``max_bytes`` (413) or of another media
    type than ``media_type`` (415). A request with no body passes (its fields are then
    missing: a 422). Apply with ``decorate_view``: it runs before authentication and
    parsing."""

    def decorator(run: View) -> View:
        @wraps(run)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            limit = max_bytes() if callable(max_bytes) else max_bytes
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return _refusal(
                    problem(413, "payload_too_large", TOO_LARGE_DETAIL % {"limit": limit})
                )
            if length and request.content_type != media_type:
                detail = MEDIA_TYPE_DETAIL if media_type == "application/json" else MULTIPART_DETAIL
                return _refusal(problem(415, "unsupported_media_type", detail))
            return run(request, *args, **kwargs)

        return wrapper

    return decorator


def _refusal(refused: Problem) -> HttpResponse:
    return problem_response(refused)


json_body = decorate_view(body_check("application/json", JSON_MAX_BYTES))


def _upload_max() -> int:
    return int(settings.ZIXUN_UPLOAD_MAX_BYTES) + MULTIPART_SLACK


# Schemas -------------------------------------------------------------------------------------

Id = Annotated[int, Field(ge=1, le=ID_MAX)]
Tag = Annotated[str, StringConstraints(max_length=TAG_MAX)]


class ArticleFields(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field("", max_length=TITLE_MAX, description="Up to 120 characters.")
    body_markdown: str = Field(
        "",
        max_length=BODY_MAX_CHARS,
        description="The body in Markdown (no raw HTML). Every image needs alt text; use "
        "the `path` of an uploaded image (POST /me/images).",
    )
    channel_id: Id | None = Field(None, description="A channel's id (GET /channels).")
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    is_original: bool = Field(False, description="原创: the account wrote it.")
    summary: str = Field(
        "", max_length=SUMMARY_MAX, description="Empty: the body's opening is used."
    )
    cover_image_id: Id | None = Field(None, description="One of the account's images.")


class ArticleCreateIn(ArticleFields):
    account_id: Id | None = Field(
        None,
        description="The account (号): an account token's own by default; a signed-in "
        "member of several accounts names one.",
    )


class ArticlePatchIn(Schema):
    """Only the fields sent change; ``null`` removes a cover."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, max_length=TITLE_MAX)
    body_markdown: str | None = Field(None, max_length=BODY_MAX_CHARS)
    channel_id: Id | None = None
    tags: list[Tag] | None = Field(None, max_length=MAX_TAGS)
    is_original: bool | None = None
    summary: str | None = Field(None, max_length=SUMMARY_MAX)
    cover_image_id: Id | None = None
    note: str = Field(
        "", max_length=200, description="For a published article: what changed (更新说明)."
    )


class SubmitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    scheduled_at: AwareDatetime | None = Field(
        None,
        description="Publish at this time (5 minutes to 30 days ahead; needs the "
        "articles:schedule scope); omit it to publish as soon as allowed.",
    )


class ArticleOut(Schema):
    id: int
    account_id: int
    status: str = Field(
        description="draft, pending (waiting for an editor), scheduled, published, "
        "rejected, unpublished or taken_down."
    )
    title: str
    summary: str
    body_markdown: str
    channel_id: int | None
    tags: list[str]
    is_original: bool
    cover_image_url: str | None
    reject_reason: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    scheduled_at: datetime | None
    url: str | None = Field(description="The public page, once published.")


class ArticlePageOut(Schema):
    items: list[ArticleOut]
    next_cursor: str | None


class ImageOut(Schema):
    id: int
    account_id: int
    url: str = Field(description="The image's address on the site.")
    path: str = Field(description="Its path, to put in Markdown: ![alt](path).")
    alt: str
    width: int
    height: int
    markdown: str


class MeOut(Schema):
    user: str
    auth: str = Field(description="session, account_token or personal_token")
    account_id: int | None
    scopes: list[str]
    expires_at: datetime | None


# Helpers -------------------------------------------------------------------------------------


def _absolute(request: HttpRequest, path: str) -> str:
    base = str(settings.ZIXUN_SITE_URL).rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def article_out(request: HttpRequest, article: Article) -> dict[str, Any]:
    published = article.status == Article.Status.PUBLISHED and not article.deleted_at
    return {
        "id": article.pk,
        "account_id": article.creator_id,
        "status": article.status,
        "title": article.title,
        "summary": article.summary,
        "body_markdown": article.body_source,
        "channel_id": article.channel_id,
        "tags": list(article.tags),
        "is_original": article.is_original,
        "cover_image_url": _absolute(request, article.cover_image.url)
        if article.cover_image
        else None,
        "reject_reason": article.reject_reason,
        "created_at": article.created_at,
        "updated_at": article.updated_at,
        "published_at": article.published_at,
        "scheduled_at": article.scheduled_at,
        "url": _absolute(request, article.get_absolute_url()) if published else None,
    }


def _account(actor: Actor, account_id: int | None) -> Creator:
    """The account to act on: an account token's own (another is a 403), or one the signed-in
    user runs (the only one, or the one named)."""
    if actor.token is not None:
        creator = actor.token.creator
        assert creator is not None
        if account_id is not None and account_id != creator.pk:
            raise Problem(403, "not_a_member", NOT_A_MEMBER, NOT_A_MEMBER_DETAIL)
        return creator
    if account_id is None:
        accounts = creator_selectors.creator_list_for_member(user=actor.user)
        if len(accounts) == 1:
            return accounts[0]
        if not accounts:
            raise Problem(403, "not_a_member", NOT_A_MEMBER, NOT_A_MEMBER_DETAIL)
        raise problem(400, "account_required", ACCOUNT_REQUIRED)
    try:
        return creator_selectors.creator_get_for_member(user=actor.user, creator_id=account_id)
    except Creator.DoesNotExist:
        raise Problem(403, "not_a_member", NOT_A_MEMBER, NOT_A_MEMBER_DETAIL) from None


def _article(actor: Actor, article_id: int) -> Article:
    """An article the caller may edit; 404 for any other (another account's draft too)."""
    try:
        article = article_selectors.article_get_for_edit(user=actor.user, article_id=article_id)
    except Article.DoesNotExist:
        raise not_found() from None
    if actor.token is not None and article.creator_id != actor.creator_id:
        raise not_found()
    return article


def _writer(request: HttpRequest, scope: str) -> Actor:
    """The caller, allowed ``scope`` on an account, within the write limit."""
    actor = actor_of(request)
    scope_require(actor, scope, kind=ACCOUNT)
    rate_check(actor, "api-article-write", WRITES_PER_MINUTE)
    return actor


def _reader_of_account(request: HttpRequest) -> Actor:
    actor = actor_of(request)
    if actor.token is not None and actor.token.kind != ACCOUNT:
        raise Problem(403, "insufficient_scope", INSUFFICIENT_SCOPE, ACCOUNT_TOKEN_ONLY)
    return actor


def _input(data: ArticleFields) -> ArticleInput:
    return ArticleInput(
        title=data.title,
        body_source=data.body_markdown,
        channel_id=data.channel_id,
        tags=list(data.tags),
        is_original=data.is_original,
        summary=data.summary,
        cover_image_id=data.cover_image_id,
    )


def _patched(article: Article, data: ArticlePatchIn) -> ArticleInput:
    """The article's fields with the sent ones replaced."""
    current = input_of(article)
    sent = data.model_fields_set

    def pick(name: str, field: str, value: Any) -> Any:
        return value if field in sent else getattr(current, name)

    return ArticleInput(
        title=pick("title", "title", data.title or ""),
        body_source=pick("body_source", "body_markdown", data.body_markdown or ""),
        channel_id=pick("channel_id", "channel_id", data.channel_id),
        tags=pick("tags", "tags", list(data.tags or [])),
        is_original=pick("is_original", "is_original", bool(data.is_original)),
        summary=pick("summary", "summary", data.summary or ""),
        cover_image_id=pick("cover_image_id", "cover_image_id", data.cover_image_id),
    )


# Endpoints -----------------------------------------------------------------------------------


@router.get("", response=MeOut, url_name="me")
def me_api(request: HttpRequest) -> dict[str, Any]:
    """Who the credential acts for: the user, the kind of credential, its account and scopes."""
    actor = actor_of(request)
    token = actor.token
    if token is None:
        scopes = [*ACCOUNT_SCOPES, *PERSONAL_SCOPES]
        kind = "session"
    else:
        scopes = list(token.scopes)
        kind = f"{token.kind}_token"
    return {
        "user": actor.user.get_username(),
        "auth": kind,
        "account_id": actor.creator_id,
        "scopes": scopes,
        "expires_at": token.expires_at if token else None,
    }


@router.get("/articles", response=ArticlePageOut, url_name="me-articles")
def article_list_api(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """The account's articles in every state, drafts included, newest first: an account
    token's account, or every account of the signed-in user."""
    actor = _reader_of_account(request)
    listed = article_selectors.article_list_for_studio(
        user=actor.user,
        page=page_request("me-articles", page.cursor),
        creator_id=actor.creator_id,
        size=page.limit,
    )
    return {
        "items": [article_out(request, article) for article in listed.items],
        "next_cursor": next_cursor("me-articles", listed),
    }


@router.post("/articles", response={201: ArticleOut}, url_name="me-article-create")
@json_body
def article_create_api(request: HttpRequest, payload: ArticleCreateIn) -> Status[Any]:
    """A new draft of the account (scope ``articles:create``). Nothing is published: submit it."""
    actor = _writer(request, "articles:create")
    creator = _account(actor, payload.account_id)
    try:
        article = drafts.article_create(creator=creator, by=actor.user, data=_input(payload))
    except (ArticleError, PermissionDenied) as error:
        raise service_problem(error) from None
    return Status(201, article_out(request, article))


@router.get("/articles/{article_id}", response=ArticleOut, url_name="me-article")
def article_get_api(request: HttpRequest, article_id: Id) -> dict[str, Any]:
    """One of the account's articles, in any state."""
    actor = _reader_of_account(request)
    return article_out(request, _article(actor, article_id))


@router.patch("/articles/{article_id}", response=ArticleOut, url_name="me-article-edit")
@json_body
def article_edit_api(
    request: HttpRequest, article_id: Id, payload: ArticlePatchIn
) -> dict[str, Any]:
    """Edit (scope ``articles:edit``): a draft is saved as a draft (one waiting for review or
    its time goes back to draft, as in the studio); a published article is revised, live
    at once for a trusted account, else back to review."""
    actor = _writer(request, "articles:edit")
    article = _article(actor, article_id)
    data = _patched(article, payload)
    try:
        if article.status == Article.Status.PUBLISHED:
            article = drafts.article_revise(
                article=article, by=actor.user, data=data, note=payload.note
            )
        else:
            article = drafts.article_save_draft(article=article, by=actor.user, data=data)
    except (ArticleError, PermissionDenied) as error:
        raise service_problem(error) from None
    return article_out(request, article)


@router.post("/articles/{article_id}/submit", response=ArticleOut, url_name="me-article-submit")
@json_body
def article_submit_api(
    request: HttpRequest, article_id: Id, payload: SubmitIn | None = None
) -> dict[str, Any]:
    """Publish (scope ``articles:publish``, or ``articles:schedule`` with ``scheduled_at``):
    a trusted account's article goes live (or is scheduled); another's waits for an editor
    (``pending``). The answer's ``status`` says which."""
    when = payload.scheduled_at if payload is not None else None
    actor = _writer(request, "articles:schedule" if when else "articles:publish")
    article = _article(actor, article_id)
    try:
        article = review.article_submit(article=article, by=actor.user, scheduled_at=when)
    except (ArticleError, PermissionDenied) as error:
        raise service_problem(error) from None
    return article_out(request, article)


@router.post(
    "/articles/{article_id}/unpublish", response=ArticleOut, url_name="me-article-unpublish"
)
def article_unpublish_api(request: HttpRequest, article_id: Id) -> dict[str, Any]:
    """Take a published or scheduled article offline (scope ``articles:unpublish``)."""
    actor = _writer(request, "articles:unpublish")
    article = _article(actor, article_id)
    try:
        article = publishing.article_unpublish(article=article, by=actor.user)
    except (ArticleError, PermissionDenied) as error:
        raise service_problem(error) from None
    return article_out(request, article)


def image_out(request: HttpRequest, image: Image) -> dict[str, Any]:
    url = image.file.url
    return {
        "id": image.pk,
        "account_id": image.creator_id,
        "url": _absolute(request, url),
        "path": url,
        "alt": image.alt,
        "width": image.width,
        "height": image.height,
        "markdown": f"![{image.alt}]({url})",
    }


@router.post("/images", response={201: ImageOut}, url_name="me-image-upload")
@decorate_view(body_check("multipart/form-data", _upload_max))
def image_upload_api(
    request: HttpRequest,
    file: File[UploadedFile],
    alt: Form[Annotated[str, StringConstraints(max_length=ALT_MAX)]],
    account_id: Form[Id | None] = None,
) -> Status[Any]:
    """Upload an image (scope ``images:upload``; multipart/form-data: ``file``, ``alt``,
    optionally ``account_id``). The same checks as the studio: the type is read from the
    content, metadata is stripped, alt text is required. Use ``markdown`` (or ``path``) in
    the body and ``id`` as ``cover_image_id``."""
    actor = actor_of(request)
    scope_require(actor, "images:upload", kind=ACCOUNT)
    rate_check(actor, "upload", UPLOADS_PER_MINUTE)
    creator = _account(actor, account_id)
    if not alt.strip():
        raise problem(400, "request_refused", ALT_REQUIRED)
    data = file.read(int(settings.ZIXUN_UPLOAD_MAX_BYTES) + 1)
    try:
        image = images.image_upload(creator=creator, by=actor.user, data=data, alt=alt)
    except (ArticleError, PermissionDenied) as error:
        raise service_problem(error) from None
    return Status(201, image_out(request, image))
