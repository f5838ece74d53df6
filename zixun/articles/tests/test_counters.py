import pytest

from zixun.articles.models import Article
from zixun.articles.services.counters import (
    article_counter_add,
    article_views_add,
    creator_articles_recount,
)
from zixun.articles.tests.factories import ArticleFactory
from zixun.creators.models import Creator
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db


def test_article_recount_counts_published_undeleted_articles():
    # given three published articles, a draft, a deleted one and a drifted counter
    creator, empty = CreatorFactory(), CreatorFactory()
    for _ in range(3):
        ArticleFactory(creator=creator)
    ArticleFactory(creator=creator, status=Article.Status.DRAFT, published_at=None)
    deleted = ArticleFactory(creator=creator)
    Article.objects.filter(pk=deleted.pk).update(deleted_at=deleted.published_at)
    Creator.objects.filter(pk__in=[creator.pk, empty.pk]).update(article_count=999)
    # when recounted, then both accounts are corrected, once
    assert creator_articles_recount() == 2
    assert dict(Creator.objects.values_list("pk", "article_count")) == {creator.pk: 3, empty.pk: 0}
    assert creator_articles_recount(creator_ids=[creator.pk]) == 0


def test_counters_move_only_through_known_fields():
    article = ArticleFactory()
    assert article_counter_add(article_id=article.pk, field="like_count", delta=1) == 1
    assert article_counter_add(article_id=article.pk, field="like_count", delta=0) == 1
    with pytest.raises(ValueError, match="not an article counter"):
        article_counter_add(article_id=article.pk, field="title", delta=1)


def test_buffered_views_are_added_per_article():
    first, second = ArticleFactory(), ArticleFactory()
    article_views_add(views={first.pk: 3, second.pk: 3})
    article_views_add(views={first.pk: 2})
    assert dict(Article.objects.values_list("pk", "view_count")) == {first.pk: 5, second.pk: 3}
