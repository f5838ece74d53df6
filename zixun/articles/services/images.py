"""Images an account uploads for its articles."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from zixun.accounts.models import User
from zixun.articles.models import Image
from zixun.articles.services.checks import ArticleError, require_member_of
from zixun.audit.services import audit_record
from zixun.core.images import ImageError, alt_text_clean, image_process
from zixun.creators.models import Creator

ALT_MAX = 200


@transaction.atomic
def image_upload(*, creator: Creator, by: User, data: bytes, alt: str) -> Image:
    """Store a cleaned image (type checked by content, metadata stripped, renditions made)."""
    require_member_of(by, creator)
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
