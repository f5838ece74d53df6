"""Trust and safety in a real Chromium, one browser context per person (docs/moderation.md).

The journey from 举报 to takedown to appeal: a reader reports an article, an editor takes it
down from the report queue, readers get the 410 notice instead of the text, a member of the
article's account appeals from 通知, the editor reverses it, the article is readable again and
the reporter's notices show the outcome. And a fact-check label: an editor labels an article
不实信息 from the review page; the chip shows beside its title on the home page and the
banner on its page.

Every trust page on the way is checked with axe-core at 1280 px and 390 px, in Chinese and
in English, and photographed at both widths in both languages (and in 关怀版 where a reader
meets it) into artifacts/trust/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FloatRect,
    Locator,
    Page,
    ViewportSize,
    expect,
)

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.channels.services import channel_defaults_ensure
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 10_000  # ms: every wait in this test is for one local request
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
PASSWORD = "Qing-shan-2024-lv"
ACCOUNT = "城市观察者"
TITLE = "暴雨过后，城区地下车库积水情况调查：多个小区排水泵未能及时启动"
BODY = [
    "本周二夜间的强降雨让城区多个小区的地下车库出现积水，部分车主在清晨才发现车辆被淹。",
    "记者走访了六个小区，发现其中四个小区的排水泵在降雨开始后两个多小时才启动，"
    "物业的解释是值班人员没有收到预警。",
    "市排水管理处表示，将在汛期前对全市地下空间的排水设施逐一检查，并公布检查结果。",
]
REPORT_DETAILS = "文中“六个小区”的说法与物业公告不符，疑似编造。"
TAKEDOWN_REASON = "文中关键数据无可靠来源，涉嫌传播不实信息"
APPEAL_TEXT = "文中数据来自记者现场走访，已补充照片和物业的书面答复，请复核。"
APPEAL_REPLY = "已核实作者提供的现场材料，恢复文章。"
LABEL_TITLE = "网传某地自来水可以直接饮用，专家称未经检测"
LABEL_URL = "https://www.piyao.org.cn/2026-01/water.html"
LABEL_NOTE = "经向当地水务部门核实，自来水出厂后仍须煮沸饮用，文中说法不实。"


def shots_dir(artifacts: Path) -> Path:
    shots = artifacts / "trust"
    shots.mkdir(exist_ok=True)
    return shots


def make_user(username: str, *, role: str = "reader") -> User:
    from allauth.account.models import EmailAddress

    email = f"{username}@example.com"
    user = User.objects.create_user(username=username, email=email, password=PASSWORD, role=role)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def person(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    context.set_default_timeout(TIMEOUT)
    return context, context.new_page()


def signed_in(browser: Browser, base: str, username: str) -> tuple[BrowserContext, Page]:
    """A person's browser, signed in through the login form."""
    context, page = person(browser)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", f"{username}@example.com")
    page.fill("#id_password", PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page.locator(".topbar-tools .user-name")).to_have_text(username)
    return context, page


def axe_violations(page: Page, axe_source: str) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]


def assert_fits_the_screen(page: Page) -> None:
    """Nothing makes the page scroll sideways."""
    size = page.viewport_size
    assert size is not None
    width = size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    too_wide = page.evaluate(
        """(width) => [...document.querySelectorAll('main *')].filter((el) => {
            if (!el.checkVisibility()) return false;
            const box = el.getBoundingClientRect();
            return box.width > 0 && box.right > width + 1;
        }).map((el) => el.outerHTML.slice(0, 80))""",
        width,
    )
    assert too_wide == [], page.url


def status_of(page: Page, url: str) -> int:
    response = page.goto(url)
    assert response is not None
    return response.status


def box(locator: Locator) -> FloatRect:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def assert_on_the_first_line(chip: Locator, title: Locator) -> None:
    """The chip sits before the title's first line of text, centred on it."""
    label = box(chip)
    line = title.evaluate(
        """(el) => { const range = document.createRange(); range.selectNodeContents(el);
                     const r = range.getClientRects()[0]; return {x: r.x, y: r.y, h: r.height}; }"""
    )
    assert label["x"] + label["width"] <= line["x"] + 1, (label, line)  # before the text
    assert abs((label["y"] + label["height"] / 2) - (line["y"] + line["h"] / 2)) < 4, (label, line)


def check_page(page: Page, base: str, name: str, shots: Path, axe_source: str,
               *, care: bool = False, axe: bool = True) -> None:  # fmt: skip
    """axe-core (unless ``axe`` is off) and the width at 1280 and 390 px in Chinese and
    English, with screenshots (and in 关怀版 when ``care``); the page is left as it was
    found: Chinese, 1280 px."""
    path = page.url.removeprefix(base)
    found = []
    for language, lang in (("en", "en"), ("zh-hans", "zh-CN")):  # ends in Chinese
        page.goto(f"{base}/lang/{language}/?next={quote(path)}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            assert_fits_the_screen(page)
            if axe:
                found += [
                    f"{language} {viewport['width']}px: {v}"
                    for v in axe_violations(page, axe_source)
                ]
            page.screenshot(
                path=str(shots / f"{name}-{language}-{viewport['width']}.png"), full_page=True
            )
    if care:
        page.goto(f"{base}/mode/care/on/?next={quote(path)}")
        expect(page.locator("body")).to_have_class(re.compile(r"\bcare\b"))
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            assert_fits_the_screen(page)
            found += [f"care {viewport['width']}px: {v}" for v in axe_violations(page, axe_source)]
            page.screenshot(
                path=str(shots / f"{name}-care-{viewport['width']}.png"), full_page=True
            )
        page.goto(f"{base}/mode/care/off/?next={quote(path)}")
    page.set_viewport_size(DESKTOP)
    assert found == [], f"{name}: {found}"


@pytest.mark.slow(33)
def test_from_report_to_takedown_to_appeal(browser, live_server, artifacts, axe_source):
    channel_defaults_ensure()  # a transactional test starts from an empty database
    base = live_server.url
    shots = shots_dir(artifacts)
    make_user("shenhe", role="editor")
    make_user("xiaohong")  # the reporter
    writer = make_user("xiaoming")  # a member of the article's account
    account = CreatorFactory(name=ACCOUNT, verification_label="城市观察者官方账号")
    account.members.add(writer)
    article = ArticleFactory(
        creator=account, title=TITLE, summary=BODY[0], body_text="\n".join(BODY),
        body_html="".join(f"<p>{p}</p>" for p in BODY),
    )  # fmt: skip
    article_url = f"{base}/article/{article.pk}/"

    contexts: list[BrowserContext] = []
    try:
        # a. A reader signs in, opens the article and reports it as 谣言不实.
        context, reader = signed_in(browser, base, "xiaohong")
        contexts.append(context)
        reader.goto(article_url)
        expect(reader.locator("h1#article-title")).to_have_text(TITLE)
        reader.locator(".report-line a.report-link").click()
        reader.wait_for_url(f"{base}/report/article/{article.pk}/")
        expect(reader.locator("h1.page-title")).to_have_text("举报文章")
        expect(reader.locator("blockquote.report-target")).to_contain_text(TITLE)
        check_page(reader, base, "report", shots, axe_source, care=True)
        reader.get_by_label("谣言不实").check()
        reader.fill("#id_details", REPORT_DETAILS)
        reader.locator("form.report-form button[type=submit]").click()
        reader.wait_for_url(article_url)
        expect(reader.locator(".messages")).to_contain_text("举报已提交")

        # b. An editor opens the queue, then the case, and takes the article down.
        context, editor = signed_in(browser, base, "shenhe")
        contexts.append(context)
        editor.goto(f"{base}/editor/reports/")
        row = editor.locator("ul.case-list > li.card", has_text=TITLE)
        expect(row).to_have_count(1)
        expect(row.locator(".card-meta")).to_contain_text("1 人举报")
        expect(row.locator(".card-meta")).to_contain_text("谣言不实×1")
        check_page(editor, base, "reports", shots, axe_source)
        row.locator("a.card-title").click()
        editor.wait_for_url(re.compile(r"/editor/reports/\d+/$"))
        expect(editor.locator("section[aria-labelledby=case-target]")).to_contain_text(TITLE)
        expect(editor.locator("section[aria-labelledby=case-reports]")).to_contain_text(
            REPORT_DETAILS
        )
        check_page(editor, base, "case", shots, axe_source)
        editor.get_by_label("下架", exact=True).check()
        editor.fill("#id_reason", TAKEDOWN_REASON)
        editor.locator("form.decide-form button[type=submit]").click()
        editor.wait_for_url(f"{base}/editor/reports/")
        expect(editor.locator(".messages")).to_contain_text("举报已处理")
        expect(editor.locator("ul.case-list > li.card.empty")).to_be_visible()

        # c. Readers see the takedown notice, with 410 and without the title.
        assert status_of(reader, article_url) == 410
        expect(reader.locator("h1.page-title")).to_have_text("该内容已被下架")
        expect(reader.locator("main")).not_to_contain_text(TITLE)
        check_page(reader, base, "taken-down", shots, axe_source, care=True)
        context, visitor = person(browser)
        contexts.append(context)
        assert status_of(visitor, article_url) == 410
        expect(visitor.locator("main")).not_to_contain_text(TITLE)

        # d. The account's member reads why in 通知 and appeals.
        context, creator = signed_in(browser, base, "xiaoming")
        contexts.append(context)
        creator.goto(f"{base}/me/")
        notices_link = creator.locator("main a[href='/me/notices/']")
        expect(notices_link.locator("xpath=..")).to_contain_text("1 条新通知")
        notices_link.click()
        creator.wait_for_url(f"{base}/me/notices/")
        notice = creator.locator("li.notice-item", has_text=TAKEDOWN_REASON)
        expect(notice).to_have_count(1)
        expect(notice).to_contain_text(TITLE)
        expect(notice.locator(".badge")).to_have_text("新")
        check_page(creator, base, "notices-creator", shots, axe_source)
        notice.locator("a", has_text="申诉").click()
        creator.wait_for_url(re.compile(r"/me/appeal/\d+/$"))
        expect(creator.locator("dl.facts")).to_contain_text(TAKEDOWN_REASON)
        check_page(creator, base, "appeal", shots, axe_source)
        creator.fill("#id_text", APPEAL_TEXT)
        creator.locator("form.review-form button[type=submit]").click()
        creator.wait_for_url(f"{base}/me/notices/")
        expect(creator.locator(".messages")).to_contain_text("申诉已提交")
        notice = creator.locator("li.notice-item", has_text=TAKEDOWN_REASON)
        expect(notice).to_contain_text("申诉状态：待复核")
        expect(notice.locator("a", has_text="申诉")).to_have_count(0)  # once per decision

        # e. The editor reviews the appeal and reverses the takedown.
        editor.goto(f"{base}/editor/appeals/")
        row = editor.locator("main li.card", has_text=TITLE)
        expect(row).to_contain_text(APPEAL_TEXT)
        check_page(editor, base, "appeals", shots, axe_source)
        row.locator("a.card-title").click()
        editor.wait_for_url(re.compile(r"/editor/appeals/\d+/$"))
        expect(editor.locator("blockquote.appeal-text")).to_have_text(APPEAL_TEXT)
        expect(editor.locator("dl.facts")).to_contain_text(TAKEDOWN_REASON)
        check_page(editor, base, "appeal-review", shots, axe_source)
        editor.fill("#id_reply", APPEAL_REPLY)
        editor.locator("button[name=decision][value=reverse]").click()
        editor.wait_for_url(f"{base}/editor/appeals/")
        expect(editor.locator(".messages")).to_contain_text("申诉已处理")
        expect(editor.locator("main li.card.empty")).to_be_visible()

        # f. The article is readable again, for the reporter (signed in).
        assert status_of(reader, article_url) == 200
        expect(reader.locator("h1#article-title")).to_have_text(TITLE)
        expect(reader.locator(".article-body p").first).to_have_text(BODY[0])

        # g. The appellant is told; the reporter's notices show the outcome of the report.
        creator.goto(f"{base}/me/notices/")
        expect(creator.locator("li.notice-item", has_text="你的申诉已通过")).to_contain_text(
            APPEAL_REPLY
        )
        expect(
            creator.locator("li.notice-item", has_text=TAKEDOWN_REASON).locator(".muted")
        ).to_have_text("申诉状态：已撤销处理")
        reader.goto(f"{base}/me/notices/")
        outcome = reader.locator("li.notice-item", has_text="已处理（下架）")
        expect(outcome).to_have_count(1)
        expect(outcome).to_contain_text(TITLE)
        expect(reader.locator("main")).not_to_contain_text(TAKEDOWN_REASON)  # the owner's only
        mine = reader.locator("section[aria-labelledby=my-reports] li.card")
        expect(mine).to_have_count(1)
        expect(mine).to_contain_text("已处理")
        expect(mine).to_contain_text("谣言不实")
        check_page(reader, base, "notices-reporter", shots, axe_source)

        # h. And for the visitor who saw the notice: their browser must not keep the 410
        # (Chromium holds a 410 without Cache-Control as fresh for ever).
        response = visitor.goto(article_url)
        assert response is not None
        assert response.status == 200, (
            f"the visitor still gets {response.status} (sent {response.headers.get('date')}, "
            f"Cache-Control: {response.headers.get('cache-control')!r}) from their browser's "
            "cache: the takedown notice needs Cache-Control: no-cache"
        )
        expect(visitor.locator("h1#article-title")).to_have_text(TITLE)
    finally:
        for context in contexts:
            context.close()

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_an_editor_labels_an_article_false_from_the_review_page(
    browser, live_server, artifacts, axe_source
):
    channel_defaults_ensure()
    base = live_server.url
    shots = shots_dir(artifacts)
    make_user("shenhe", role="editor")
    body = "网传某地自来水可以直接饮用，无需煮沸。\n有网友称已经连续饮用三个月，身体没有任何不适。"
    original = ArticleFactory(
        creator=CreatorFactory(name="本地生活圈"), title="自来水能不能直接喝？网友说法不一",
        body_text=body, body_html="".join(f"<p>{p}</p>" for p in body.split("\n")),
    )  # fmt: skip
    # A near-copy of another account's earlier article, so the review page compares the two.
    article = ArticleFactory(
        creator=CreatorFactory(name="健康生活小贴士"), title=LABEL_TITLE, summary=body.split("\n")[0],
        body_text=body, body_html="".join(f"<p>{p}</p>" for p in body.split("\n")),
        is_original=True,
        review_flags=[{"kind": "copy", "article_id": original.pk, "similarity": 0.93}],
    )  # fmt: skip

    contexts: list[BrowserContext] = []
    try:
        # a. The editor labels it 不实信息 with the evidence, from the review page.
        context, editor = signed_in(browser, base, "shenhe")
        contexts.append(context)
        editor.goto(f"{base}/editor/articles/{article.pk}/")
        compare = editor.locator(".side-by-side > section")
        expect(compare).to_have_count(2)
        for viewport, beside in ((DESKTOP, True), (PHONE, False)):
            editor.set_viewport_size(viewport)
            mine, earlier = box(compare.nth(0)), box(compare.nth(1))
            if beside:  # side by side on a desktop
                assert abs(mine["y"] - earlier["y"]) < 2
                assert earlier["x"] > mine["x"]
            else:  # one under the other on a phone
                assert earlier["y"] >= mine["y"] + mine["height"] - 1
            # the two texts start level, however long the earlier article's heading
            texts = compare.locator(".compare-text")
            if beside:
                assert abs(box(texts.nth(0))["y"] - box(texts.nth(1))["y"]) < 2
        editor.set_viewport_size(DESKTOP)
        check_page(editor, base, "review", shots, axe_source)
        form = editor.locator("form.label-form")
        form.get_by_label("不实信息").check()
        form.locator("#id_label_url").fill(LABEL_URL)
        form.locator("#id_label_note").fill(LABEL_NOTE)
        form.locator("button[type=submit]").click()
        editor.wait_for_url(f"{base}/editor/articles/{article.pk}/")
        expect(editor.locator(".messages")).to_contain_text("标注已更新")
        expect(editor.locator("form.label-form input[name=label][value=false]")).to_be_checked()

        # b. A visitor sees the chip beside the title on the home page.
        context, visitor = person(browser)
        contexts.append(context)
        visitor.goto(f"{base}/")
        heading = visitor.locator("main ul.article-list h3", has_text=LABEL_TITLE)
        expect(heading.locator(".fact-chip.fact-false")).to_have_text("不实信息")
        assert_on_the_first_line(heading.locator(".fact-chip"), heading.locator("a"))
        expect(
            visitor.locator("main ul.article-list h3", has_text=original.title).locator(
                ".fact-chip"
            )
        ).to_have_count(0)
        check_page(visitor, base, "home-chip", shots, axe_source, axe=False)  # not ours to check

        # c. And in the cards of another page's 相关推荐, on the first line of the title.
        visitor.goto(f"{base}/article/{original.pk}/")
        card = visitor.locator(
            "section[aria-labelledby=related-title] li.card", has_text=LABEL_TITLE
        )
        expect(card.locator(".fact-chip.fact-false")).to_have_text("不实信息")
        assert_on_the_first_line(card.locator(".fact-chip"), card.locator("a.card-title"))
        card.scroll_into_view_if_needed()
        for viewport in (DESKTOP, PHONE):
            visitor.set_viewport_size(viewport)
            visitor.screenshot(
                path=str(shots / f"related-chip-zh-hans-{viewport['width']}.png"), full_page=True
            )
        visitor.set_viewport_size(DESKTOP)
        visitor.goto(f"{base}/")
        heading = visitor.locator("main ul.article-list h3", has_text=LABEL_TITLE)

        # d. The article's page carries the banner, with the note and the evidence.
        heading.locator("a").click()
        visitor.wait_for_url(f"{base}/article/{article.pk}/")
        banner = visitor.locator("aside.fact-label.fact-false")
        expect(banner.locator(".fact-chip")).to_have_text("不实信息")
        expect(banner).to_contain_text("本文含有经核实不实的信息")
        expect(banner).to_contain_text(LABEL_NOTE)
        expect(banner.locator("a", has_text="查看依据")).to_have_attribute("href", LABEL_URL)
        title, body = visitor.locator("h1#article-title"), visitor.locator(".article-body")
        assert box(title)["y"] < box(banner)["y"] < box(body)["y"]  # read before the text
        check_page(visitor, base, "labelled-article", shots, axe_source, care=True)
    finally:
        for context in contexts:
            context.close()
