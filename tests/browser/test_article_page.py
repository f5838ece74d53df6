"""The reference article page in a real Chromium: every block visible, a screenshot, axe."""

import pytest
from playwright.sync_api import expect

from zixun.channels.services import channel_defaults_ensure
from zixun.demo.loading import demo_load_reference, demo_load_starter, reference_article_id

pytestmark = pytest.mark.django_db(transaction=True)

BLOCKS = {
    "breadcrumb": "nav.breadcrumb",
    "申请入驻": "nav.breadcrumb .apply-link",
    "title": "h1#article-title",
    "account and time": ".article-meta time",
    "share count": ".share-count",
    "share menu": ".share-menu > summary",
    "body": ".article-body p",
    "disclaimer": ".disclaimer p[lang=en]",
    "相关推荐": "section[aria-labelledby=related-title] .card",
    "热点推荐": "section[aria-labelledby=hot-title] .card",
    "author card": ".author-card .verification",
    "follow button": ".author-card .follow-button",
    "往期回顾": "section[aria-labelledby=past-title] h2 .more",
    "态度原创": "section[aria-labelledby=orig-title] .original-tabs",
    "无障碍浏览": ".footer-modes a >> text=无障碍浏览",
    "进入关怀版": ".footer-modes a >> text=进入关怀版",
}
HIGHLIGHTS = ["news", "sports", "ent", "money", "tech", "auto"]


@pytest.fixture
def reference_url(live_server, shared_dir):
    channel_defaults_ensure()  # a transactional test starts from an empty database
    demo_load_starter()
    demo_load_reference(shared_dir)
    return f"{live_server.url}/article/{reference_article_id()}/"


def test_reference_article_page_shows_every_block(page, reference_url, artifacts):
    page.goto(reference_url)
    for name, selector in BLOCKS.items():
        assert page.locator(selector).first.is_visible(), name
    assert (
        page.locator("h1#article-title").inner_text().startswith("广东省对口支援新疆工作前方指挥部")
    )
    assert page.locator(".author-card h2").inner_text() == "金台资讯"
    assert page.locator(".author-card .verification").inner_text() == "人民网官方网易号"
    assert page.locator(".article-body p").count() == 4
    for slug in HIGHLIGHTS:
        block = page.locator(f"section[aria-labelledby=hl-{slug}]")
        assert block.is_visible(), slug
        assert block.locator(".top-story a").count() == 1, slug
    for tab in ["健康", "手机", "数码", "时尚", "艺术"]:
        assert page.locator(".original-tabs a", has_text=tab).is_visible(), tab
    # The share menu opens without JavaScript help and shows the link and the QR code.
    page.locator(".share-menu > summary").click()
    assert page.locator("#share-link").input_value() == reference_url + "?src=link"
    page.locator(".qr-details > summary").click()
    qr = page.locator(".qr img")
    qr.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    page.screenshot(path=str(artifacts / "article-share.png"))
    page.locator(".share-menu > summary").click()
    page.screenshot(path=str(artifacts / "article.png"), full_page=True)


def test_care_mode_is_one_large_column(page, reference_url, artifacts):
    page.goto(reference_url)
    normal_size = page.evaluate(
        "getComputedStyle(document.querySelector('.article-body')).fontSize"
    )
    page.locator(".footer-modes a", has_text="进入关怀版").click()
    page.wait_for_url(reference_url)
    assert "care" in page.locator("body").get_attribute("class")
    care_size = page.evaluate("getComputedStyle(document.querySelector('.article-body')).fontSize")
    assert float(care_size.rstrip("px")) > float(normal_size.rstrip("px"))
    main = page.locator("main").bounding_box()
    side = page.locator("aside.side-col").bounding_box()
    assert side["y"] >= main["y"] + main["height"] - 1  # the side column moved below
    page.screenshot(path=str(artifacts / "article-care.png"))


def test_article_page_has_no_serious_accessibility_violations(page, reference_url, axe_source):
    page.goto(reference_url)
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == []


PHONE = {"width": 390, "height": 844}


def reader_page(browser, live_server, user, *, width=1280, language="zh-hans", js=True):  # type: ignore[no-untyped-def]
    """A browser signed in as ``user`` (None: anonymous), in ``language``."""
    from django.conf import settings
    from django.test import Client

    context = browser.new_context(
        viewport={"width": width, "height": 900 if width > 600 else PHONE["height"]},
        locale="zh-CN", bypass_csp=True, java_script_enabled=js,
    )  # fmt: skip
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append(
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
        )
    context.add_cookies(cookies)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def assert_nothing_wider_than_its_column(page) -> None:  # type: ignore[no-untyped-def]
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('main img, main svg, main figure')].filter((el) => {
            if (!el.checkVisibility()) return false;
            const column = el.closest('.main-col').getBoundingClientRect();
            const box = el.getBoundingClientRect();
            return box.width > 0 && (box.left < column.left - 1 || box.right > column.right + 1);
        }).map((el) => el.outerHTML.slice(0, 80))"""
    )
    assert too_wide == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_on_a_phone_the_menu_scrolls_and_the_bottom_bar_shows_the_readers_state(
    browser, live_server, reference_url, artifacts
):
    from zixun.accounts.tests.factories import UserFactory
    from zixun.demo.loading import reference_article_id
    from zixun.engagement.services import article_like

    reader = UserFactory(username="xiaoming")
    article_like(user=reader, article_id=reference_article_id())
    for user, name in [(None, "article-phone"), (reader, "article-phone-liked")]:
        context, page = reader_page(browser, live_server, user, width=PHONE["width"])
        try:
            page.goto(reference_url)
            # the channel menu is one row that scrolls sideways, so the title starts near the top
            menu = page.locator(".channel-nav > ul")
            assert menu.evaluate("ul => getComputedStyle(ul).overflowX") == "auto"
            tops = {
                round(box["y"]) for box in (li.bounding_box() for li in menu.locator("li").all())
            }
            assert len(tops) == 1
            assert page.locator("h1#article-title").bounding_box()["y"] < 200
            # the bottom bar is visible at the foot of the screen, the buttons under the body not
            bar = page.locator("nav.article-bar")
            assert bar.is_visible()
            box = bar.bounding_box()
            assert abs(box["y"] + box["height"] - PHONE["height"]) <= 1
            assert not page.locator(".article-actions").is_visible()
            like = bar.locator("form[data-bar=like] button")
            assert like.get_attribute("aria-pressed") == ("true" if user else "false")
            assert_nothing_wider_than_its_column(page)
            # at the end of the page, the bar covers none of the footer's links
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            last = page.locator(".site-footer .copyright").bounding_box()
            assert last["y"] + last["height"] <= bar.bounding_box()["y"]
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(artifacts / f"{name}.png"))
        finally:
            context.close()


@pytest.mark.parametrize("js", [True, False], ids=["script", "no script"])
def test_a_refused_comment_shows_beside_the_box_and_keeps_the_text(
    browser, live_server, reference_url, artifacts, js
):
    from zixun.accounts.tests.factories import UserFactory

    context, page = reader_page(browser, live_server, UserFactory(), js=js)
    try:
        page.goto(reference_url)
        page.fill("#comment-body", "   ")
        page.locator("form.comment-form button[type=submit]").click()
        error = page.locator("form.comment-form #comment-error")
        expect(error).to_have_text("跟贴不能为空")
        expect(page.locator("#comment-body")).to_have_value("   ")
        expect(page.locator("#comment-body")).to_have_attribute("aria-invalid", "true")
        box, message = page.locator("#comment-body").bounding_box(), error.bounding_box()
        assert 0 <= message["y"] - (box["y"] + box["height"]) < 40  # right under the box
        main = page.locator("main").bounding_box()
        assert box["width"] >= main["width"] - 2  # the box is as wide as the column
        if js:
            page.screenshot(path=str(artifacts / "article-comment-error.png"), clip={
                "x": 0, "y": box["y"] - 120, "width": 1280, "height": 300})  # fmt: skip
    finally:
        context.close()


def test_screenshots_in_both_languages(browser, live_server, reference_url, artifacts):
    from zixun.accounts.tests.factories import UserFactory
    from zixun.demo.loading import reference_article_id
    from zixun.engagement.services import article_favorite, article_like

    reader = UserFactory(username="xiaoming")
    article_like(user=reader, article_id=reference_article_id())
    article_favorite(user=reader, article_id=reference_article_id())
    for language in ("zh-hans", "en"):
        for width in (1280, PHONE["width"]):
            for user in (None, reader):
                context, page = reader_page(
                    browser, live_server, user, width=width, language=language
                )
                try:
                    page.goto(reference_url)
                    assert_nothing_wider_than_its_column(page)
                    who = "reader" if user else "anonymous"
                    page.screenshot(
                        path=str(artifacts / f"article-{language}-{width}-{who}.png"),
                        full_page=True,
                    )
                finally:
                    context.close()
