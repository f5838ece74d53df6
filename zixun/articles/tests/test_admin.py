import pytest
from django.contrib import admin
from django.test import RequestFactory

from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.creators.services import creators_recount

pytestmark = pytest.mark.django_db


def test_an_editors_unpublish_reaches_the_page_and_the_counter_at_once(client):
    article = ArticleFactory()
    creators_recount()
    assert client.get(article.get_absolute_url()).status_code == 200  # now a cached page
    model_admin = admin.site._registry[Article]
    article.status = Article.Status.UNPUBLISHED
    model_admin.save_model(RequestFactory().post("/admin/"), article, form=None, change=True)
    assert client.get(article.get_absolute_url()).status_code == 404
    article.creator.refresh_from_db()
    assert article.creator.article_count == 0


def test_deleting_articles_in_the_admin_recounts(client):
    article = ArticleFactory()
    ArticleFactory(creator=article.creator)
    creators_recount()
    model_admin = admin.site._registry[Article]
    model_admin.delete_queryset(
        RequestFactory().post("/admin/"), Article.objects.filter(pk=article.pk)
    )
    article.creator.refresh_from_db()
    assert article.creator.article_count == 1
