import pytest
from django.urls import reverse
from django.utils import timezone

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.tests.factories import ArticleFactory
from zixun.creators.models import Follow
from zixun.ranking.models import Dislike, Impression, Interest, ReaderSettings

pytestmark = pytest.mark.django_db


def test_anonymous_readers_get_hot_and_latest_with_reasons_and_no_log(client):
    ArticleFactory(title="最新的一篇")
    html = client.get(reverse("web:foryou")).content.decode()
    assert "最新的一篇" in html
    assert "最新发布" in html  # the reason
    assert "登录后，推荐会参考你的关注和阅读" in html
    assert "不感兴趣" not in html
    assert not Impression.objects.exists()


def test_a_reader_sees_reasons_and_hides_an_item_at_once(client):
    reader = UserFactory()
    followed = ArticleFactory(title="关注账号的文章", published_at=timezone.now())
    Follow.objects.create(user=reader, creator=followed.creator)
    other = ArticleFactory(title="另一篇文章")
    client.force_login(reader)
    html = client.get(reverse("web:foryou")).content.decode()
    assert f"因为你关注了{followed.creator.name}" in html
    assert Impression.objects.filter(user_id=reader.pk).count() == 1
    # the page's script calls the API (zixun/api/writes_readers.py); the form works without it
    assert f'data-api="{reverse("api:me-dislike", args=[other.pk])}"' in html
    response = client.post(reverse("web:foryou-dislike"), {"article": other.pk, "reason": "seen"},
                           follow=True)  # fmt: skip
    assert "已减少这类推荐" in response.content.decode()
    assert "另一篇文章" not in response.content.decode()
    bad = client.post(reverse("web:foryou-dislike"), {"article": other.pk, "reason": "bored"},
                      HTTP_ACCEPT="application/json", follow=True)  # fmt: skip
    assert bad.status_code == 200  # back on the page (no JSON: the script calls the API)
    assert "请选择不感兴趣的原因" in bad.content.decode()
    missing = client.post(reverse("web:foryou-dislike"), {"article": "x", "reason": "seen"},
                          follow=True)  # fmt: skip
    assert "文章不存在" in missing.content.decode()
    assert Dislike.objects.count() == 1


def test_the_settings_page_switches_deletes_tags_and_undoes(client):
    reader = UserFactory()
    tag = Interest.objects.create(user=reader, kind="keyword", key="足球", label="足球", weight=5)
    client.force_login(reader)
    page = reverse("me:interests")
    change = reverse("me:interests-change")
    html = client.get(page).content.decode()
    assert "<span>足球</span>" in html
    assert "关闭个性化推荐" in html
    client.post(change, {"action": "off"})
    assert not ReaderSettings.objects.get(user=reader).personalized
    assert "你已关闭个性化推荐" in client.get(reverse("web:foryou")).content.decode()
    client.post(change, {"action": "remove", "interest": tag.pk})
    assert "<span>足球</span>" not in client.get(page).content.decode()
    stranger = Interest.objects.create(user=UserFactory(), kind="keyword", key="篮球", label="篮球")
    response = client.post(change, {"action": "remove", "interest": stranger.pk}, follow=True)
    assert "这个兴趣标签不存在" in response.content.decode()
    assert not Interest.objects.get(pk=stranger.pk).removed
    assert "未知的操作" in client.post(change, {"action": "x"}, follow=True).content.decode()


def test_controls_need_a_signed_in_reader(client):
    assert client.get(reverse("me:interests")).status_code == 302
    assert client.post(reverse("web:foryou-dislike"), {"article": 1, "reason": "seen"}
                       ).status_code == 302  # fmt: skip
