import pytest
from django.db import IntegrityError, transaction

from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_a_published_article_must_have_a_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(status=Article.Status.PUBLISHED, published_at=None)


def test_urls_and_names():
    article = ArticleFactory(title="标题")
    assert str(article) == "标题"
    assert article.get_absolute_url() == f"/article/{article.pk}/"
    assert article.creator.get_absolute_url() == f"/account/{article.creator.pk}/"
    assert article.channel.get_absolute_url() == "/channel/news/"
    assert article.creator.initial == article.creator.name[0]
