"""Who may act on an article, and what an article must hold. Raises ArticleError or
PermissionDenied; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zixun.accounts.models import User
from zixun.articles.limits import MAX_TAGS, SUMMARY_MAX, TAG_MAX, TITLE_MAX
from zixun.articles.markdown import MarkdownError, markdown_render, markdown_validate
from zixun.articles.models import Article, Image
from zixun.articles.sanitize import summary_from_text
from zixun.channels.models import Channel
from zixun.core.errors import ServiceError
from zixun.core.moderation import Field, moderation_backend
from zixun.creators.models import Creator

NOT_A_MEMBER = _("你不是该账号的成员")
EDITORS_ONLY = _("只有编辑可以这样做")
TITLE_REQUIRED = _("请填写标题")
TITLE_TOO_LONG = _("标题不能超过 %(limit)s 个字符")
TITLE_NO_WORDS = _("标题只有空格和符号，请写上文字")
TOO_MANY_TAGS = _("标签最多 %(count)s 个，每个不超过 %(limit)s 字")
CHANNEL_INVALID = _("请选择一个频道")
COVER_INVALID = _("封面须是本账号上传的图片")
SUMMARY_TOO_LONG = _("摘要不能超过 %(limit)s 个字符")
REASON_REQUIRED = _("请写明理由")
WRONG_STATE = _("当前状态“%(state)s”下不能%(action)s")
DELETED = _("文章已删除")
TAKEN_DOWN = _("文章已被编辑下架（理由：%(reason)s），只有编辑可以解除下架")
ACCOUNT_SUSPENDED = _("账号“%(name)s”已被停用，不能发布文章")
BLOCKED = _("%(field)s含有“%(rule)s”词库中的违规内容，请修改后再提交")
FIELD_NAMES = {"title": _("标题"), "summary": _("摘要"), "tags": _("标签"), "body": _("正文")}


class ArticleError(ServiceError):
    pass


@dataclass(frozen=True)
class ArticleInput:
    """What the studio's editor (or the API) sends."""

    title: str
    body_source: str
    channel_id: int | None
    tags: list[str] = field(default_factory=list)
    is_original: bool = False
    summary: str = ""
    # One of the account's images; None shows no cover.
    cover_image_id: int | None = None


def is_member(user: User, creator: Creator) -> bool:
    return creator.members.filter(pk=user.pk).exists()


def require_member_of(user: User, creator: Creator) -> None:
    """A member of ``creator``, or an editor."""
    if not (user.is_editor or is_member(user, creator)):
        raise PermissionDenied(NOT_A_MEMBER)


def require_member(user: User, article: Article) -> None:
    require_member_of(user, article.creator)


def require_editor(user: User) -> None:
    if not user.is_editor:
        raise PermissionDenied(EDITORS_ONLY)


def require_not_taken_down(article: Article) -> None:
    """An article an editor took down stays as it is until an editor lifts it."""
    if article.status == Article.Status.TAKEN_DOWN:
        raise ArticleError(TAKEN_DOWN, reason=article.takedown_reason)


def require_not_suspended(creator: Creator) -> None:
    """A suspended account publishes nothing (submit, approve, revise)."""
    if creator.is_suspended:
        raise ArticleError(ACCOUNT_SUSPENDED, name=creator.name)


def wrong_state(article: Article, action: str | Promise) -> ArticleError:
    """``action`` is a lazy gettext verb phrase, e.g. _("提交")."""
    return ArticleError(WRONG_STATE, state=article.get_status_display(), action=action)


def tags_clean(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in (t.strip() for t in tags):
        if len(tag) > TAG_MAX:
            raise ArticleError(TOO_MANY_TAGS, count=MAX_TAGS, limit=TAG_MAX)
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ArticleError(TOO_MANY_TAGS, count=MAX_TAGS, limit=TAG_MAX)
    return cleaned


def input_apply(article: Article, data: ArticleInput, *, strict: bool) -> None:
    """Validate ``data`` and copy it onto ``article`` (not saved). Raises ArticleError.

    ``strict`` (submit, revise) also requires a title, a body and alt text on
    every image; a draft may be incomplete.
    """
    title = " ".join(data.title.split())
    if len(title) > TITLE_MAX:
        raise ArticleError(TITLE_TOO_LONG, limit=TITLE_MAX)
    if strict and not title:
        raise ArticleError(TITLE_REQUIRED)
    if strict and not any(char.isalnum() for char in title):
        raise ArticleError(TITLE_NO_WORDS)
    if len(data.summary) > SUMMARY_MAX:
        raise ArticleError(SUMMARY_TOO_LONG, limit=SUMMARY_MAX)
    if strict or data.body_source.strip():
        try:
            markdown_validate(data.body_source)
        except MarkdownError as error:
            raise ArticleError(error.message, **error.params) from error
    channel = None
    if data.channel_id is not None:
        channel = Channel.objects.filter(pk=data.channel_id, is_active=True).first()
    if channel is None and (strict or data.channel_id is not None):
        raise ArticleError(CHANNEL_INVALID)
    cover = None
    if data.cover_image_id is not None:
        cover = Image.objects.filter(pk=data.cover_image_id, creator_id=article.creator_id).first()
        if cover is None:
            raise ArticleError(COVER_INVALID)
    body_html, body_text = markdown_render(data.body_source)
    article.title = title
    article.body_source = data.body_source
    article.body_html = body_html
    article.body_text = body_text
    article.summary = data.summary.strip() or summary_from_text(body_text)
    if channel is not None:
        article.channel = channel
    article.tags = tags_clean(data.tags)
    article.is_original = data.is_original
    cover_set(article, cover)


def content_screen(article: Article) -> list[dict[str, object]]:
    """Run the keyword filter over what a submitted or revised article shows (title, summary,
    tags, body): a blocked word refuses it with the rule's name, masked words are stored as ＊,
    and words for review, or a 原创 claim on a near-copy of another account's article, return
    flags that send it to an editor whatever the account's trust. Call after ``input_apply``."""
    backend = moderation_backend()
    flags: list[dict[str, object]] = []

    def screened(text: str, field: Field) -> str:
        verdict = backend.screen(text, field=field)
        if verdict.action == "block":
            raise ArticleError(BLOCKED, field=FIELD_NAMES[field], rule=verdict.rule)
        found: dict[str, object] = {
            "kind": "keyword",
            "field": field,
            "rule": verdict.rule,
            "words": list(verdict.words),
        }
        if verdict.action == "review" and not any(
            (f["rule"], f["words"]) == (found["rule"], found["words"]) for f in flags
        ):  # a summary taken from the body repeats its words: flagged once
            flags.append(found)
        return verdict.text if verdict.action == "mask" else text

    article.title = screened(article.title, "title")
    source = screened(article.body_source, "body")
    if source != article.body_source:
        article.body_source = source
        article.body_html, article.body_text = markdown_render(source)
    article.summary = screened(article.summary, "summary")
    article.tags = [screened(tag, "tags") for tag in article.tags]
    if article.is_original:
        copy = backend.near_copy(article.body_text, creator_id=article.creator_id,
                                 article_id=article.pk)  # fmt: skip
        if copy is not None:
            flags.append({"kind": "copy", "article_id": copy.article_id,
                          "similarity": round(copy.similarity, 3)})  # fmt: skip
    return flags


def cover_set(article: Article, cover: Image | None) -> None:
    """Show ``cover`` (one of the account's images) as the article's cover; None removes it."""
    article.cover_image = cover.file.name if cover else ""
    article.cover_alt = cover.alt if cover else ""
    article.cover_width = cover.width if cover else 0
    article.cover_height = cover.height if cover else 0
    article.cover_renditions = dict(cover.renditions) if cover else {}


def input_of(article: Article) -> ArticleInput:
    """The article's own fields as an input, to re-check a saved draft at submission."""
    return ArticleInput(
        title=article.title,
        body_source=article.body_source,
        channel_id=article.channel_id,
        tags=list(article.tags),
        is_original=article.is_original,
        summary=article.summary,
        cover_image_id=_cover_image_id(article),
    )


def _cover_image_id(article: Article) -> int | None:
    if not article.cover_image:
        return None
    return (
        Image.objects.filter(creator_id=article.creator_id, file=article.cover_image.name)
        .values_list("pk", flat=True)
        .first()
    )


def default_channel() -> Channel:
    channel = Channel.objects.filter(is_active=True).first()
    if channel is None:
        raise ArticleError(CHANNEL_INVALID)
    return channel
