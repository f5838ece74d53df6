"""热榜, 热榜说明, 为你推荐 and 推荐设置 in a real Chromium: 不感兴趣 hides an item at once
without a reload, and axe-core finds no serious violation on any of them, on a desktop
and a phone."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_reader_journey import make_reader, reader_context
from zixun.articles.tests.factories import ArticleFactory
from zixun.channels.services import channel_defaults_ensure
from zixun.events.models import Event
from zixun.events.services import event_record
from zixun.ranking.hot import hot_ingest
from zixun.ranking.models import Dislike

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "laowang@example.com"
PASSWORD = "Qiu-yu-2024-wang"


@pytest.fixture
def site():  # type: ignore[no-untyped-def]
    channel_defaults_ensure()
    articles = [ArticleFactory(title=f"热榜文章第{n}篇", published_at=timezone.now())
                for n in range(1, 7)]  # fmt: skip
    for n, article in enumerate(articles):
        event_record(Event.Kind.VIEW, article_id=article.pk, count=60 - n * 10)
    hot_ingest()
    return make_reader("laowang", EMAIL, PASSWORD), articles


def sign_in(page, base):  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def serious_violations(page, axe_source):  # type: ignore[no-untyped-def]
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url} {v['id']}: {v['help']} ({v['nodes'][0]['target']})"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_not_interested_hides_the_item_without_a_reload(browser, live_server, site):
    reader, articles = site
    context, page = reader_context(browser, live_server.url)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/foryou/")
    page.evaluate("window.stillHere = true")
    item = page.locator(".feed-item", has_text="热榜文章第2篇")
    expect(item.locator(".feed-reason")).to_contain_text("热榜第 2")
    item.locator("summary", has_text="不感兴趣").click()
    item.locator("button", has_text="看过了").click()
    expect(page.locator(".feed-item.dismissed")).to_have_text("已减少这类推荐")
    expect(page.locator(".feed-item", has_text="热榜文章第2篇")).to_have_count(0)
    assert page.evaluate("window.stillHere") is True
    assert Dislike.objects.filter(user=reader, article=articles[1], reason="seen").exists()
    page.reload()
    expect(page.locator(".feed-item", has_text="热榜文章第2篇")).to_have_count(0)
    context.close()


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]
)
def test_ranking_pages_have_no_serious_accessibility_violations(
    browser, live_server, site, axe_source, viewport
):
    context, page = reader_context(browser, live_server.url)
    page.set_viewport_size(viewport)
    found = []
    for path in ("/hot/", "/hot/about/", "/foryou/"):
        page.goto(f"{live_server.url}{path}")
        found += serious_violations(page, axe_source)
    sign_in(page, live_server.url)
    for path in ("/foryou/", "/me/interests/", "/hot/?channel=sports"):
        page.goto(f"{live_server.url}{path}")
        found += serious_violations(page, axe_source)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} scrolls sideways: {width}px"
    assert found == []
    context.close()
