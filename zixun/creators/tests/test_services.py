import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.creators.models import Creator, Follow
from zixun.creators.services import CREATOR_NAME_INVALID, creator_get_or_create, creators_recount
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db


def test_recount_rebuilds_counters_from_rows():
    creator = CreatorFactory()
    for _ in range(3):
        ArticleFactory(creator=creator)
    ArticleFactory(creator=creator, status=Article.Status.DRAFT, published_at=None)
    for n in range(2):
        Follow.objects.create(
            user=get_user_model().objects.create(username=f"r{n}"), creator=creator
        )
    Creator.objects.filter(pk=creator.pk).update(article_count=999, follower_count=7)
    assert creators_recount() == 1
    creator.refresh_from_db()
    assert (creator.article_count, creator.follower_count) == (3, 2)
    assert creators_recount() == 0


def test_get_or_create_keeps_the_existing_account():
    first = creator_get_or_create(name=" 金台资讯 ", verification_label="人民网官方网易号")
    again = creator_get_or_create(name="金台资讯", verification_label="别的标签")
    assert again.pk == first.pk
    assert again.verification_label == "人民网官方网易号"


@pytest.mark.parametrize("name", ["", "   ", "名" * 31])
def test_account_names_are_checked(name):
    with pytest.raises(ValueError, match=CREATOR_NAME_INVALID.split(" / ")[0]):
        creator_get_or_create(name=name)


def test_unknown_account_type_becomes_other():
    assert creator_get_or_create(name="某号", account_type="alien").account_type == "other"


def test_a_reader_follows_an_account_once():
    creator = CreatorFactory()
    user = get_user_model().objects.create(username="reader")
    Follow.objects.create(user=user, creator=creator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=user, creator=creator)


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
