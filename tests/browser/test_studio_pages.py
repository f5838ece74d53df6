"""The studio's article table with the longest title an article can have, in a real Chromium."""

import pytest

from tests.browser.test_article_page import PHONE, reader_page
from zixun.accounts.tests.factories import UserFactory
from zixun.articles.limits import TITLE_MAX
from zixun.articles.tests.factories import ArticleFactory
from zixun.channels.services import channel_defaults_ensure
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONG_TITLE = ("晨江地铁5号线开通运营江北至临湖通勤缩短近半小时" * 6)[:TITLE_MAX]


@pytest.mark.parametrize("width", [1280, PHONE["width"]], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_studio_table_holds_a_120_character_title(
    browser, live_server, artifacts, width, language
):
    channel_defaults_ensure()  # a transactional test starts from an empty database
    assert len(LONG_TITLE) == TITLE_MAX == 120
    writer = UserFactory(username="jiangpan")
    creator = CreatorFactory(name="江畔观察")
    creator.members.add(writer)
    ArticleFactory(creator=creator, title=LONG_TITLE)
    ArticleFactory(creator=creator, title="短标题")
    context, page = reader_page(browser, live_server, writer, width=width, language=language)
    try:
        page.goto(live_server.url + "/studio/")
        link = page.locator(".studio-articles .cell-title a", has_text=LONG_TITLE[:10])
        assert link.get_attribute("title") == LONG_TITLE  # the whole title on hover
        line = float(link.evaluate("a => getComputedStyle(a).lineHeight").rstrip("px"))
        assert link.bounding_box()["height"] <= 2 * line + 1  # at most two lines, then …
        # no cell is squeezed to a character a line: every cell's text fits one line or two
        squeezed = page.evaluate(
            """() => [...document.querySelectorAll('.studio-articles td')].filter((td) => {
                const style = getComputedStyle(td);
                const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
                return td.checkVisibility() && td.textContent.trim()
                    && td.getBoundingClientRect().height > 3 * line + 16;
            }).map((td) => td.textContent.trim().slice(0, 20))"""
        )
        assert squeezed == []
        overflowing = page.evaluate(
            """() => [...document.querySelectorAll('.studio-articles th')]
                .filter((th) => th.checkVisibility() && th.scrollWidth > th.clientWidth)
                .map((th) => th.textContent.trim())"""
        )
        assert overflowing == []  # no heading runs into the next column
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(artifacts / f"studio-{language}-{width}.png"), full_page=True)
    finally:
        context.close()
