import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.pagination import INVALID_CURSOR
from zixun.creators.models import Follow
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def article_list(html):
    """The HTML of the keyset-paginated list."""
    return re.search(r'<ul class="article-list">(.*?)</ul>', html, re.S).group(1)


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_login_required(client):
    response = client.get(reverse("web:feed"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_lists_the_followed_accounts_articles_with_a_pager(client, reader, settings):
    settings.ZIXUN_PAGE_SIZE = 2
    a, b, stranger = CreatorFactory(name="晨江晚报"), CreatorFactory(), CreatorFactory()
    Follow.objects.bulk_create([Follow(user=reader, creator=a), Follow(user=reader, creator=b)])
    for i in range(5):
        ArticleFactory(
            creator=(a, b)[i % 2], title=f"关注第{i}篇", published_at=T0 + timedelta(hours=i)
        )
    ArticleFactory(creator=stranger, title="未关注的账号", published_at=T0 + timedelta(days=1))
    url = reverse("web:feed")
    first = client.get(url)
    assert first.status_code == 200
    html = first.content.decode()
    items = article_list(html)
    assert "关注第4篇" in items
    assert "关注第3篇" in items
    assert "关注第2篇" not in items
    assert "未关注的账号" not in html
    assert "晨江晚报" in items
    older = re.search(r'href="\?after=([^"]+)"', html).group(1)
    second = article_list(client.get(f"{url}?after={older}").content.decode())
    assert "关注第2篇" in second
    assert "关注第1篇" in second
    last = client.get(f"{url}?page=last").content.decode()
    assert "关注第0篇" in article_list(last)
    assert "下一页" not in last


def test_page_query_budget(client, reader, django_assert_max_num_queries):
    """Session and user, then the feed's 3 queries; nothing per item."""
    creators = [CreatorFactory() for _ in range(3)]
    Follow.objects.bulk_create([Follow(user=reader, creator=c) for c in creators])
    for c in creators:
        for _ in range(4):
            ArticleFactory(creator=c)
    client.get(reverse("web:feed"))  # warm the cached template fragments
    with django_assert_max_num_queries(2 + 3):
        response = client.get(reverse("web:feed"))
    assert response.content.decode().count('class="article-item"') == 12


def test_bad_cursor_is_a_400_with_a_message(client, reader):
    response = client.get(reverse("web:feed") + "?after=%%%")
    assert response.status_code == 400
    assert str(INVALID_CURSOR) in response.content.decode()


def test_following_nobody_links_to_the_channels(client, reader):
    html = client.get(reverse("web:feed")).content.decode()
    assert "你还没有关注任何账号" in html
    assert reverse("web:channel", args=["sports"]) in html
    assert 'class="article-list"' not in html


def test_followed_accounts_without_articles_say_so(client, reader):
    Follow.objects.create(user=reader, creator=CreatorFactory())
    html = client.get(reverse("web:feed")).content.decode()
    assert "你关注的账号还没有发布文章" in html
    assert reverse("web:channel", args=["sports"]) in html
