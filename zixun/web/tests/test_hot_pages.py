import pytest
from django.urls import reverse

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.audit.models import AuditEntry
from zixun.events.models import Event
from zixun.events.services import event_record
from zixun.ranking.hot import hot_ingest
from zixun.ranking.models import HotIntervention

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked():
    """Three articles with 30, 20 and 10 views: the hot list's order."""
    articles = [ArticleFactory(title=f"热门文章{n}") for n in (1, 2, 3)]
    for article, views in zip(articles, (30, 20, 10), strict=True):
        event_record(Event.Kind.VIEW, article_id=article.pk, count=views)
    hot_ingest()
    return articles


def titles_in_order(html, titles):
    return sorted(titles, key=html.index)


def test_the_hot_page_ranks_by_heat_and_shows_it(client, ranked):
    html = client.get(reverse("web:hot")).content.decode()
    assert titles_in_order(html, ["热门文章3", "热门文章1", "热门文章2"]) == [
        "热门文章1", "热门文章2", "热门文章3",
    ]  # fmt: skip
    assert "热度 30" in html
    assert reverse("web:hot-about") in html
    assert "置顶到此位置" not in html  # readers see no editor controls


def test_channel_tabs_filter_and_an_unknown_channel_is_404(client, ranked):
    sport = ArticleFactory(title="体育热门", channel=channel("sports"))
    event_record(Event.Kind.SHARE, article_id=sport.pk)
    hot_ingest()
    html = client.get(reverse("web:hot"), {"channel": "sports"}).content.decode()
    assert "体育热门" in html
    assert "热门文章1" not in html
    assert client.get(reverse("web:hot"), {"channel": "nope"}).status_code == 404


def test_the_about_page_states_the_formula_and_weights(client):
    html = client.get(reverse("web:hot-about")).content.decode()
    assert "半衰期是 12.0 小时" in html or "半衰期是 12 小时" in html
    for label in ("阅读", "点赞", "收藏", "分享", "跟贴"):
        assert f"<td>{label}</td>" in html
    assert "还没有编辑调整过热榜" in html


def test_an_editor_pins_and_removes_from_the_page_and_it_is_public(
    client, ranked, django_capture_on_commit_callbacks
):
    first, _, third = ranked
    client.force_login(EditorFactory())
    page = client.get(reverse("web:hot")).content.decode()
    assert "置顶到此位置" in page
    manage = reverse("web:hot-manage")
    with django_capture_on_commit_callbacks(execute=True):  # a new site version: takes effect
        client.post(manage, {"action": "pin", "article": third.pk, "position": 1, "reason": "突发"})
        response = client.post(
            manage, {"action": "remove", "article": first.pk, "reason": "标题党"}
        )
    assert response.status_code == 302
    html = client.get(reverse("web:hot")).content.decode()
    assert "热门文章1" not in html
    assert titles_in_order(html, ["热门文章2", "热门文章3"]) == ["热门文章3", "热门文章2"]
    assert "编辑置顶" in html
    client.logout()
    about = client.get(reverse("web:hot-about")).content.decode()
    assert "突发" in about
    assert "标题党" in about
    assert "生效中" in about
    assert AuditEntry.objects.filter(action__in=["hot.pin", "hot.remove"]).count() == 2


def test_hot_management_refuses_bad_input_and_non_editors(client, ranked):
    article = ranked[0]
    manage = reverse("web:hot-manage")
    client.force_login(UserFactory())
    assert client.post(manage, {"action": "remove", "article": article.pk, "reason": "x"}
                       ).status_code == 404  # fmt: skip
    client.force_login(EditorFactory())
    for data, message in [
        ({"action": "remove", "article": article.pk, "reason": ""}, "请填写调整热榜的理由"),
        ({"action": "pin", "article": "abc", "position": 1, "reason": "x"}, "请填写有效的文章编号"),
        ({"action": "pin", "article": article.pk, "position": 99, "reason": "x"}, "置顶位置应在"),
        ({"action": "pin", "article": 10**9, "position": 1, "reason": "x"}, "文章不存在或未发布"),
        ({"action": "end", "intervention": 10**9, "reason": "x"}, "不存在或已撤销"),
        ({"action": "dance", "article": article.pk, "reason": "x"}, "未知的操作"),
    ]:
        html = client.post(manage, data, follow=True).content.decode()
        assert message in html, data
    assert not HotIntervention.objects.exists()
    unpublished = ArticleFactory(status=Article.Status.UNPUBLISHED)
    html = client.post(manage, {"action": "pin", "article": unpublished.pk, "position": 1,
                                "reason": "x"}, follow=True).content.decode()  # fmt: skip
    assert "文章不存在或未发布" in html


def test_an_editor_ends_an_intervention_on_the_about_page(
    client, ranked, django_capture_on_commit_callbacks
):
    client.force_login(EditorFactory())
    manage = reverse("web:hot-manage")
    client.post(manage, {"action": "remove", "article": ranked[0].pk, "reason": "待核实"})
    removal = HotIntervention.objects.get()
    about = client.get(reverse("web:hot-about")).content.decode()
    assert f'name="intervention" value="{removal.pk}"' in about
    with django_capture_on_commit_callbacks(execute=True):
        client.post(manage, {"action": "end", "intervention": removal.pk, "reason": "已核实"})
    assert "热门文章1" in client.get(reverse("web:hot")).content.decode()
    assert "已核实" in client.get(reverse("web:hot-about")).content.decode()
