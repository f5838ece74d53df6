import pytest
from django.urls import reverse

from zixun.accounts.tests.factories import EditorFactory
from zixun.articles.services import drafts
from zixun.articles.services.checks import ArticleInput
from zixun.articles.tests.factories import channel

pytestmark = pytest.mark.django_db


def test_the_audit_log_is_in_words_with_links(client, creator, writer):
    article = drafts.article_create(
        creator=creator, by=writer,
        data=ArticleInput(title="标题", body_source="正文", channel_id=channel("news").pk),
    )  # fmt: skip
    client.force_login(EditorFactory())
    html = client.get(reverse("web:editor")).content.decode()
    assert "新建草稿" in html
    assert "article.create" not in html
    assert f'href="{reverse("web:editor-article", args=[article.pk])}"' in html
