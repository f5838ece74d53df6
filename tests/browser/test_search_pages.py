"""Search in a real Chromium: the top-bar box suggests accounts while typing (the arrow keys and
Enter open one), a query lands on the results page with marked words, and axe-core finds no
serious violation on the search pages, on a desktop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_care_mode import axe_violations
from tests.browser.test_ranking_pages import serious_violations
from tests.browser.test_reader_journey import reader_context
from zixun.articles.tests.factories import ArticleFactory
from zixun.channels.services import channel_defaults_ensure
from zixun.creators.tests.factories import CreatorFactory
from zixun.search.engine import index_accounts, index_articles

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site():  # type: ignore[no-untyped-def]
    channel_defaults_ensure()
    account = CreatorFactory(name="金台资讯")
    index_accounts([account.pk])
    articles = [ArticleFactory(creator=account, title=f"广东援疆干部第{n}批抵达喀什",
                               body_text="对口援疆工作取得新进展。" * 3) for n in range(1, 13)]  # fmt: skip
    index_articles([a.pk for a in articles])
    return account, articles


def test_the_box_suggests_accounts_and_searches(browser, live_server, site, axe_source):
    account, _ = site
    context, page = reader_context(browser, live_server.url)
    page.goto(f"{live_server.url}/hot/")
    box = page.locator("#topbar-q")
    box.press_sequentially("jtzx", delay=30)
    option = page.locator("#topbar-q-list [role=option]").first
    expect(option).to_contain_text("金台资讯")
    expect(box).to_have_attribute("aria-expanded", "true")
    assert axe_violations(page, axe_source) == []  # the open list too (no control in a control)
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    page.wait_for_url(f"**{account.get_absolute_url()}")
    page.locator("#topbar-q").fill("援疆 喀什")
    page.locator("#topbar-q").press("Enter")
    page.wait_for_url("**/search/?q=*")
    expect(page.locator(".search-title mark").first).to_have_text("援疆")
    expect(page.locator(".search-result")).to_have_count(10)
    page.locator("a[rel=next]").click()
    expect(page.locator(".search-result")).to_have_count(2)
    context.close()


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]
)
def test_search_pages_have_no_serious_accessibility_violations(
    browser, live_server, site, axe_source, viewport
):
    context, page = reader_context(browser, live_server.url)
    page.set_viewport_size(viewport)
    found = []
    for path in (
        "/search/?q=援疆",
        "/search/?q=金台",
        "/search/",
        "/search/hot/",
        "/search/?q=没有的词&range=day",
    ):
        page.goto(f"{live_server.url}{path}")
        found += serious_violations(page, axe_source)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} scrolls sideways: {width}px"
    assert found == []
    context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_trending_searches_heading_stays_on_one_line(browser, live_server, site, language):
    context, page = reader_context(browser, live_server.url)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/search/?q=援疆")
    heading = page.locator("#hot-searches-title")
    link = heading.locator("a.more-link")
    # the link says what it opens, in full, to a screen reader
    expect(link).to_have_accessible_name(
        "热搜说明" if language == "zh-hans" else "About Trending searches"
    )
    line = float(heading.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    box = heading.bounding_box()
    assert box
    assert box["height"] < 1.5 * line, f"the heading wraps: {box['height']}px for lines of {line}px"
    context.close()
