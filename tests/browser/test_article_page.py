"""The reference article page in a real Chromium: every block visible, a screenshot, axe."""

import pytest

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
