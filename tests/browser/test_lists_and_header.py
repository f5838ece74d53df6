"""Cover thumbnails in the lists, body images, and the one-row header, in a real Chromium."""

import pytest

from tests.browser.test_article_page import (
    PHONE,
    assert_nothing_wider_than_its_column,
    reader_page,
)
from zixun.articles.models import Article
from zixun.channels.models import Channel
from zixun.channels.services import channel_defaults_ensure
from zixun.demo.loading import demo_load_starter

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(settings, tmp_path):
    """The starter articles with their drawn covers, stored as files the live server serves."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    channel_defaults_ensure()  # a transactional test starts from an empty database
    demo_load_starter()


def loaded_thumbs(page):  # type: ignore[no-untyped-def]
    """Every list thumbnail's attributes and what the browser chose to load, after scrolling
    each into view (they are lazy)."""
    thumbs = page.locator(".thumb img")
    for index in range(thumbs.count()):
        thumbs.nth(index).scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.thumb img')].every((i) => i.complete)"
    )
    return page.evaluate(
        """() => [...document.querySelectorAll('.thumb img')].map((img) => ({
            loading: img.getAttribute('loading'), srcset: img.getAttribute('srcset'),
            sizes: img.getAttribute('sizes'), width: img.getAttribute('width'),
            height: img.getAttribute('height'), alt: img.getAttribute('alt'),
            current: img.currentSrc,
            box: img.getBoundingClientRect().toJSON(),
        }))"""
    )


@pytest.mark.parametrize("width", [1280, PHONE["width"]], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_lists_show_cover_thumbnails_from_the_small_renditions(
    browser, live_server, site, artifacts, width, language
):
    context, page = reader_page(browser, live_server, None, width=width, language=language)
    try:
        for path in ("/", "/channel/sports/"):
            page.goto(live_server.url + path)
            thumbs = loaded_thumbs(page)
            assert len(thumbs) >= 4, path
            for thumb in thumbs:
                assert thumb["loading"] == "lazy"
                assert "320w" in thumb["srcset"]
                assert "960w" in thumb["srcset"]
                assert thumb["sizes"]
                assert thumb["width"] == "320"
                assert int(thumb["height"]) > 0
                assert thumb["alt"] == ""  # decorative: the title beside it is the link
                # the 320 px rendition, never the 1,200 px original, fills a thumbnail
                assert thumb["current"].endswith("-320.jpg"), thumb["current"]
                box = thumb["box"]
                assert box["width"] <= 160
                assert abs(box["width"] / box["height"] - 1.5) < 0.05
            assert_nothing_wider_than_its_column(page)
        page.goto(live_server.url + "/")
        page.screenshot(path=str(artifacts / f"home-{language}-{width}.png"))
    finally:
        context.close()


def test_a_body_image_is_not_indented_nor_wider_than_the_column_and_the_cover_shows_once(
    browser, live_server, site, artifacts
):
    illustrated = Article.objects.get(external_id="starter-003")
    assert "<figure>" in illustrated.body_html
    for width in (1280, PHONE["width"]):
        context, page = reader_page(browser, live_server, None, width=width)
        try:
            page.goto(live_server.url + illustrated.get_absolute_url())
            body = page.locator(".article-body").bounding_box()
            figure = page.locator(".article-body figure img")
            figure.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete", arg=figure.element_handle())
            box = figure.bounding_box()
            assert box["width"] <= body["width"] + 1
            # no paragraph indent: the image is centred in the column (or fills it)
            assert (
                abs((box["x"] - body["x"]) - (body["x"] + body["width"] - box["x"] - box["width"]))
                <= 2
            )
            assert page.locator("figure.cover img").count() == 1
            assert_nothing_wider_than_its_column(page)
        finally:
            context.close()
    # an article whose body already shows its cover shows it once
    Article.objects.filter(pk=illustrated.pk).update(
        body_html=f'<p>开头。</p><figure><img src="{illustrated.cover.full_src}" alt="封面"></figure>'
    )
    from zixun.core.sitecache import site_version_bump

    site_version_bump()
    context, page = reader_page(browser, live_server, None)
    try:
        page.goto(live_server.url + illustrated.get_absolute_url())
        assert page.locator("figure.cover").count() == 0
        assert page.locator(".article-body img").count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_header_is_one_row_at_1280_px_signed_in_and_keeps_every_channel(
    browser, live_server, site, artifacts, language
):
    from zixun.accounts.tests.factories import EditorFactory

    channels = Channel.objects.filter(is_active=True).count()
    # an editor has the most links in the header; a long user name is cut, not wrapped
    editor = EditorFactory(username="a-rather-long-editor-name")
    context, page = reader_page(browser, live_server, editor, language=language)
    try:
        page.goto(live_server.url + "/")
        tops = page.evaluate(
            """() => [...document.querySelectorAll(
                '.brand, .channel-nav > ul > li, .nav-more > summary, .topbar-tools > *')]
                .filter((el) => el.checkVisibility())
                .map((el) => Math.round(el.getBoundingClientRect().top + el.offsetHeight / 2))"""
        )
        assert max(tops) - min(tops) <= 8, tops  # one row: every middle on one line
        shown = page.locator(".channel-nav > ul > li:not(.nav-hot):visible").count()
        page.locator(".nav-more > summary").click()
        more = page.locator(".nav-more .menu-list a")
        assert more.first.is_visible()
        assert shown + more.count() == channels
        page.screenshot(path=str(artifacts / f"header-{language}-1280.png"), clip={
            "x": 0, "y": 0, "width": 1280, "height": 420})  # fmt: skip
        page.keyboard.press("Escape")
        assert not more.first.is_visible()
        # the account menu holds 我的, 创作中心, 审核 and 退出
        page.locator(".user-menu > summary").click()
        assert page.locator(".user-menu a[href='/editor/']").is_visible()
        page.locator("h2").first.click()  # a click elsewhere closes it
        assert not page.locator(".user-menu a[href='/editor/']").is_visible()
    finally:
        context.close()
    # on a phone, every channel is in the one scrolling row and there is no 更多
    context, page = reader_page(
        browser, live_server, editor, width=PHONE["width"], language=language
    )
    try:
        page.goto(live_server.url + "/")
        assert page.locator(".channel-nav > ul > li:not(.nav-hot)").count() == channels
        assert not page.locator(".nav-more").is_visible()
        # the brand and the signed-in tools share the first row; 申请入驻 is in the menu
        brand, tools = page.locator(".brand").bounding_box(), page.locator(".topbar-tools")
        assert abs(tools.bounding_box()["y"] - brand["y"]) < brand["height"]
        page.locator(".user-menu > summary").click()
        assert page.locator(".user-menu .menu-apply a").is_visible()
    finally:
        context.close()
