"""A site's content and a stream of writes for the restore drill (test_backup.py), run as
``python -m zixun.core.tests.backup_writer seed|write STOPFILE`` with a site's environment.

``seed`` creates an account, a member, a published article with comments, an uploaded image
(with its renditions in the media root) and a private file, and prints their ids as JSON.
``write`` adds a comment every few milliseconds through the comment service (the comment
and the article's counter in one transaction) and prints the number written after each,
until STOPFILE exists or a minute has passed.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import django

STOP_AFTER_SECONDS = 60


def seed() -> dict[str, int]:
    from django.core.files.base import ContentFile
    from PIL import Image as PILImage

    from zixun.accounts.tests.factories import UserFactory
    from zixun.articles.services.images import image_upload
    from zixun.articles.tests.factories import ArticleFactory
    from zixun.creators.models import private_storage
    from zixun.creators.tests.factories import CreatorFactory
    from zixun.engagement.services import comment_create

    user = UserFactory.create(username="drill-writer")
    creator = CreatorFactory.create(name="备份演练号")
    creator.members.add(user)
    article = ArticleFactory.create(creator=creator, title="备份演练文章")
    for number in range(5):
        comment_create(user=user, article_id=article.pk, body=f"演练前的评论 {number}")
    picture = io.BytesIO()
    PILImage.new("RGB", (800, 600), (200, 30, 30)).save(picture, "PNG")
    image = image_upload(creator=creator, by=user, data=picture.getvalue(), alt="演练图片")
    private_storage().save("applications/credentials/drill.pdf", ContentFile(b"%PDF-1.4 drill"))
    return {"user": user.pk, "article": article.pk, "image": image.pk}


def write(stop: Path) -> None:
    from zixun.accounts.models import User
    from zixun.articles.models import Article
    from zixun.engagement.services import comment_create

    user = User.objects.get(username="drill-writer")
    article = Article.objects.get(title="备份演练文章")
    deadline = time.monotonic() + STOP_AFTER_SECONDS
    written = 0
    while not stop.exists() and time.monotonic() < deadline:
        comment_create(user=user, article_id=article.pk, body=f"备份期间的评论 {written}")
        written += 1
        print(written, flush=True)  # noqa: T201 - the test reads it
        time.sleep(0.005)


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "seed":
        print(json.dumps(seed()))  # noqa: T201 - the test reads it
    else:
        write(Path(sys.argv[2]))
