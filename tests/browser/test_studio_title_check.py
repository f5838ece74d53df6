"""标题检查 in the studio's editor, in a real Chromium: typed, composed, on a desktop and a phone."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_article_page import PHONE, reader_page
from zixun.accounts.tests.factories import UserFactory
from zixun.articles.services import drafts
from zixun.articles.services.checks import ArticleInput
from zixun.articles.tests.factories import channel
from zixun.channels.services import channel_defaults_ensure
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots to look at; nothing is read back)
PLAIN = "晨江地铁5号线开通运营"
BAIT = "震惊！你绝对想不到他竟然这样做"


@pytest.mark.parametrize("width", [1280, PHONE["width"]], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_typing_a_clickbait_title_shows_its_reasons(browser, live_server, width, language):
    channel_defaults_ensure()  # a transactional test starts from an empty database
    writer = UserFactory(username="jiangpan")
    creator = CreatorFactory(name="江畔观察")
    creator.members.add(writer)
    article = drafts.article_create(
        creator=creator, by=writer,
        data=ArticleInput(title=PLAIN, body_source=f"{PLAIN}，江北到临湖的通勤缩短近半小时。",
                          channel_id=channel("news").pk),
    )  # fmt: skip
    context, page = reader_page(browser, live_server, writer, width=width, language=language)
    checks: list[str] = []
    page.on("request", lambda r: checks.append(r.url) if "/title-check/" in r.url else None)
    try:
        page.goto(f"{live_server.url}/studio/articles/{article.pk}/")
        panel = page.locator("#title-check")
        # checked once on load: the plain title has no reasons
        expect(panel).to_be_visible()
        expect(panel).to_have_attribute("data-level", "none")
        assert panel.locator(".title-check-reasons li").count() == 0
        assert page.locator("#title-check-result").get_attribute("aria-live") == "polite"
        expect(panel.locator("a[href='/hot/about/#clickbait']")).to_be_visible()

        # typed: one check once the typing pauses, not one a key
        title = page.locator("#id_title")
        title.fill("")
        sent = len(checks)
        title.press_sequentially(BAIT, delay=30)
        expect(panel).to_have_attribute("data-level", "high")
        reasons = panel.locator(".title-check-reasons li")
        expect(reasons.first).to_be_visible()
        assert reasons.count() >= 3
        assert len(checks) - sent <= 3
        # the level is said in words, not only by colour
        assert panel.locator(".title-check-message").inner_text().strip()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"title-check-{language}-{width}.png"), full_page=False)

        # composed in an input method: nothing is checked until the composition ends
        title.fill("")
        expect(panel).to_have_attribute("data-level", "none")  # an empty title has no reasons
        page.wait_for_timeout(800)
        sent = len(checks)
        cdp = context.new_cdp_session(page)
        composing = {"text": "zhenjing", "selectionStart": 8, "selectionEnd": 8}
        cdp.send("Input.imeSetComposition", composing)
        page.wait_for_timeout(1200)
        assert len(checks) == sent  # pinyin is never sent
        cdp.send("Input.insertText", {"text": BAIT})
        expect(panel).to_have_attribute("data-level", "high")
        assert len(checks) == sent + 1
        assert title.input_value() == BAIT
    finally:
        context.close()


def test_without_javascript_the_panel_is_not_shown(browser, live_server):
    channel_defaults_ensure()
    writer = UserFactory(username="nojs")
    creator = CreatorFactory(name="无脚本号")
    creator.members.add(writer)
    article = drafts.article_create(
        creator=creator, by=writer,
        data=ArticleInput(title=BAIT, body_source="正文", channel_id=channel("news").pk),
    )  # fmt: skip
    context, page = reader_page(browser, live_server, writer, js=False)
    try:
        page.goto(f"{live_server.url}/studio/articles/{article.pk}/")
        expect(page.locator("#id_title")).to_be_visible()
        expect(page.locator("#title-check")).to_be_hidden()
    finally:
        context.close()
