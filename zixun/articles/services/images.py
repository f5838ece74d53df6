"""Images an account uploads for its articles."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.html import escape

from zixun.accounts.models import User
from zixun.articles.models import Article, Image
from zixun.articles.sanitize import html_sanitize
from zixun.articles.services.checks import ArticleError, cover_set, require_member_of
from zixun.audit.services import audit_record
from zixun.core.images import ImageError, alt_text_clean, image_process
from zixun.creators.models import Creator

ALT_MAX = 200


@transaction.atomic
def image_upload(*, creator: Creator, by: User, data: bytes, alt: str) -> Image:
    """Store a cleaned image (type checked by content, metadata stripped, renditions made)."""
    require_member_of(by, creator)
    return _image_store(creator=creator, by=by, data=data, alt=alt)


def _image_store(*, creator: Creator, by: User | None, data: bytes, alt: str) -> Image:
    try:
        alt = alt_text_clean(alt)[:ALT_MAX]
        processed = image_process(data)
    except ImageError as error:
        raise ArticleError(error.message, **error.params) from error
    original = processed.original
    image = Image(
        creator=creator, uploaded_by=by, alt=alt, width=original.width, height=original.height
    )
    image.file.save(f"{creator.pk}.{original.extension}", ContentFile(original.content), save=False)
    stem = image.file.name.rsplit(".", 1)[0]
    image.renditions = {
        str(r.width): default_storage.save(
            f"{stem}-{r.width}.{r.extension}", ContentFile(r.content)
        )
        for r in processed.renditions
    }
    image.save()
    audit_record(actor=by, action="image.upload", target=image, data={"creator_id": creator.pk})
    return image


@transaction.atomic
def article_illustrate(
    *, article: Article, cover: tuple[bytes, str], figure: tuple[bytes, str] | None = None
) -> Article:
    """Give an imported article images its record did not carry (an import is text only):
    ``cover`` and ``figure`` are (image bytes, alt text), stored as the account's images
    like an upload. The figure goes after the first paragraph of the body. The demo
    illustrates its starter articles with it; nobody acts, so the audit has no actor.
    """
    cover_image = _image_store(creator=article.creator, by=None, data=cover[0], alt=cover[1])
    cover_set(article, cover_image)
    fields = ["cover_image", "cover_alt", "cover_width", "cover_height", "cover_renditions"]
    if figure is not None:
        image = _image_store(creator=article.creator, by=None, data=figure[0], alt=figure[1])
        src = default_storage.url(image.renditions.get("960", image.file.name))
        html = f'<figure><img src="{escape(src)}" alt="{escape(image.alt)}"></figure>'
        head, paragraph_end, rest = article.body_html.partition("</p>")
        body = head + paragraph_end + html + rest if paragraph_end else html + head
        article.body_html = html_sanitize(body)
        fields.append("body_html")
    article.save(update_fields=[*fields, "updated_at"])
    audit_record(actor=None, action="article.illustrate", target=article)
    return article
