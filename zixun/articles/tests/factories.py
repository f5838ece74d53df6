from datetime import UTC, datetime, timedelta

import factory

from zixun.articles.models import Article
from zixun.channels.models import Channel
from zixun.creators.tests.factories import CreatorFactory


def channel(slug: str = "news") -> Channel:
    return Channel.objects.get(slug=slug)


class ArticleFactory(factory.django.DjangoModelFactory[Article]):
    class Meta:
        model = Article

    creator = factory.SubFactory(CreatorFactory)
    channel = factory.LazyFunction(channel)
    title = factory.Sequence(lambda n: f"测试文章标题{n}")
    body_text = "第一段正文。\n第二段正文。"
    body_html = "<p>第一段正文。</p><p>第二段正文。</p>"
    summary = "第一段正文。"
    status = Article.Status.PUBLISHED
    published_at = factory.Sequence(
        lambda n: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
    )
    tags = factory.LazyFunction(lambda: ["测试"])
