"""无障碍检查 and input-method safety in the studio's editor, in a real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_article_page import PHONE, reader_page
from tests.browser.test_creator_journey import media_root, png  # noqa: F401 (a fixture)
from zixun.accounts.tests.factories import UserFactory
from zixun.articles.models import Article
from zixun.articles.services import drafts, images
from zixun.articles.services.checks import ArticleInput
from zixun.articles.tests.factories import channel
from zixun.channels.services import channel_defaults_ensure
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "晨江地铁5号线开通运营"
CLEAN = "## 线路\n\n晨江地铁5号线开通运营，江北到临湖的通勤缩短近半小时。\n"
FAULTY = (
    "晨江地铁5号线开通运营，江北到临湖的通勤缩短近半小时。\n\n"
    "![图片]({src})\n\n"
    "## 线路\n\n全线 18 座车站。\n\n"
    "#### 换乘站\n\n6 座换乘站。\n"
)
WATCHED = {
    "preview": "/studio/preview/",
    "autosave": "/autosave/",
    "a11y": "/studio/a11y-check/",
    "title": "/studio/title-check/",
}
AUTOSAVE_PAUSE_MS = 3000  # studio.js: autosave 3 s after the draft stops changing


def draft(body, tmp_path=None):
    """A draft of an untrusted account, and a member who writes it; ``{src}`` in the body
    becomes the address of an image the account uploaded (with a good alt of its own)."""
    channel_defaults_ensure()  # a transactional test starts from an empty database
    writer = UserFactory(username="jiangpan")
    creator = CreatorFactory(name="江畔观察")
    creator.members.add(writer)
    if "{src}" in body:
        data = png(tmp_path / "line5.png", (640, 360), (30, 90, 160)).read_bytes()
        image = images.image_upload(
            creator=creator, by=writer, data=data, alt="晨江地铁5号线线路图"
        )
        body = body.replace("{src}", image.file.url)
    article = drafts.article_create(
        creator=creator, by=writer,
        data=ArticleInput(title=TITLE, body_source=body, channel_id=channel("news").pk),
    )  # fmt: skip
    return writer, article


def draft_body(article, tmp_path):
    """FAULTY with an image of the article's account, to type into the editor."""
    data = png(tmp_path / "line5.png", (640, 360), (30, 90, 160)).read_bytes()
    writer = article.creator.members.get()
    image = images.image_upload(creator=article.creator, by=writer, data=data, alt="线路图")
    return FAULTY.replace("{src}", image.file.url)


def record(page):
    """The editor's requests, by kind, as they are sent."""
    sent: dict[str, list[str]] = {kind: [] for kind in WATCHED}

    def on_request(request):
        for kind, part in WATCHED.items():
            if request.method == "POST" and part in request.url:
                sent[kind].append(request.url)

    page.on("request", on_request)
    return sent


def counts(sent):
    return {kind: len(urls) for kind, urls in sent.items()}


def open_editor(page, live_server, article):
    page.goto(f"{live_server.url}/studio/articles/{article.pk}/")
    # both checks answer once on load
    expect(page.locator("#a11y-check")).to_be_visible()
    expect(page.locator("#title-check")).to_be_visible()


def test_composing_sends_nothing_until_the_composition_ends(browser, live_server, artifacts):
    writer, article = draft(CLEAN)
    context, page = reader_page(browser, live_server, writer)
    sent = record(page)
    try:
        open_editor(page, live_server, article)
        page.wait_for_timeout(500)
        before = counts(sent)
        assert before["autosave"] == 0
        assert before["preview"] == 0  # the page comes with the saved body's preview

        # pinyin typed into an input method: compositionstart, input events, no compositionend
        page.evaluate(
            """() => {
                const body = document.getElementById("id_body_source");
                const start = body.value;
                body.focus();
                body.dispatchEvent(new CompositionEvent("compositionstart", {bubbles: true}));
                for (const pinyin of ["d", "di", "dit", "diti", "ditie"]) {
                    body.value = start + pinyin;
                    body.dispatchEvent(new CompositionEvent("compositionupdate", {bubbles: true, data: pinyin}));
                    body.dispatchEvent(new InputEvent("input", {
                        bubbles: true, inputType: "insertCompositionText", data: pinyin, isComposing: true,
                    }));
                }
                // an input event that does not say it is composing is held back too
                body.dispatchEvent(new Event("input", {bubbles: true}));
            }"""
        )
        # longer than every pause the editor waits for: preview, checks, autosave
        page.wait_for_timeout(AUTOSAVE_PAUSE_MS + 1000)
        assert counts(sent) == before
        assert "ditie" not in page.locator("#live-preview").inner_text()

        # the composition ends with 汉字: each task runs once
        page.evaluate(
            """() => {
                const body = document.getElementById("id_body_source");
                body.value = body.value.replace(/ditie$/, "地铁");
                body.dispatchEvent(new CompositionEvent("compositionend", {bubbles: true, data: "地铁"}));
            }"""
        )
        expect(page.locator("#live-preview")).to_contain_text(re.compile(r"半小时。\s*地铁"))
        expect(page.locator("#autosave-status")).to_contain_text("已自动保存", timeout=8000)
        page.wait_for_timeout(1000)
        assert counts(sent) == {kind: n + 1 for kind, n in before.items()}
        article.refresh_from_db()
        assert article.body_source.endswith("地铁")

        # a real input method (Chrome's IME API): the same while pinyin is on screen
        after = counts(sent)
        cdp = context.new_cdp_session(page)
        page.locator("#id_body_source").press("End")
        cdp.send(
            "Input.imeSetComposition", {"text": "huanc", "selectionStart": 5, "selectionEnd": 5}
        )
        page.wait_for_timeout(AUTOSAVE_PAUSE_MS + 1000)
        assert counts(sent) == after
        cdp.send("Input.insertText", {"text": "换乘"})
        expect(page.locator("#live-preview")).to_contain_text("地铁换乘")
        expect(page.locator("#autosave-status")).to_contain_text("已自动保存")
        page.wait_for_timeout(AUTOSAVE_PAUSE_MS + 1000)
        assert counts(sent) == {kind: n + 1 for kind, n in after.items()}
        article.refresh_from_db()
        assert article.body_source.endswith("地铁换乘")
        page.screenshot(path=str(shots(artifacts) / "ime-after-composition.png"))
    finally:
        context.close()


def shots(artifacts):
    folder = artifacts / "studio_a11y"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.usefixtures("media_root")
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_panel_warns_and_submitting_asks_twice_by_keyboard(
    browser, live_server, artifacts, tmp_path, language
):
    writer, article = draft(CLEAN)
    faulty = draft_body(article, tmp_path)
    context, page = reader_page(browser, live_server, writer, language=language)
    sent = record(page)
    try:
        open_editor(page, live_server, article)
        panel = page.locator("#a11y-check")
        expect(panel).to_have_attribute("data-level", "none")
        expect(panel.locator(".a11y-check-message")).to_have_text(
            "未发现问题" if language == "zh-hans" else "No problems found"
        )
        assert page.locator("#a11y-check-result").get_attribute("aria-live") == "polite"

        page.locator("#id_body_source").fill(faulty)
        expect(panel).to_have_attribute("data-level", "some")
        alt = panel.locator("li[data-code=image-alt-generic]")
        expect(alt).to_contain_text("“图片”")
        expect(alt).to_contain_text(faulty.split(")")[0].rsplit("/", 1)[1])  # its file name
        skipped = panel.locator("li[data-code=heading-skipped]")
        expect(skipped).to_contain_text("换乘站")
        expect(skipped).to_contain_text("####")
        expect(panel.locator("li")).to_have_count(2)
        page.screenshot(path=str(shots(artifacts) / f"panel-{language}.png"), full_page=True)

        # first press (Enter on the focused button): the problems, and the button changes
        submit = page.locator("button[name=action][value=submit]")
        label = "提交审核" if language == "zh-hans" else submit.inner_text()
        again = "仍然提交" if language == "zh-hans" else "Submit anyway"
        checks = len(sent["a11y"])
        submit.focus()
        page.keyboard.press("Enter")
        note = page.locator("#a11y-confirm")
        expect(note).to_contain_text(again)
        expect(note).to_have_attribute("role", "alert")
        expect(submit).to_have_text(again)
        expect(submit).to_have_attribute("aria-describedby", "a11y-confirm")
        assert len(sent["a11y"]) == checks + 1  # checked again at the press
        assert page.evaluate("document.activeElement.value") == "submit"  # focus stays
        assert page.url.endswith(f"/studio/articles/{article.pk}/")
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT
        page.screenshot(path=str(shots(artifacts) / f"confirm-{language}.png"), full_page=True)

        # editing the body starts over: the button says what it did again
        body = page.locator("#id_body_source")
        body.press("End")
        body.press_sequentially("补")
        expect(submit).to_have_text(label)
        expect(note).to_have_text("")
        submit.focus()
        page.keyboard.press("Enter")
        expect(submit).to_have_text(again)

        # second press (Space this time): submitted as it is
        page.keyboard.press("Space")
        expect(page.locator("h1.page-title .status-pending")).to_be_visible()
        article.refresh_from_db()
        assert article.status == Article.Status.PENDING
        assert article.body_source.endswith("6 座换乘站。\r\n补")  # a form sends CRLF
    finally:
        context.close()


def test_a_body_without_problems_is_submitted_at_the_first_press(browser, live_server):
    writer, article = draft(CLEAN)
    context, page = reader_page(browser, live_server, writer)
    try:
        open_editor(page, live_server, article)
        page.locator("button[name=action][value=submit]").click()
        expect(page.locator("h1.page-title .status-pending")).to_be_visible()
    finally:
        context.close()


@pytest.mark.usefixtures("media_root")
@pytest.mark.parametrize("width", [1280, PHONE["width"]], ids=["desktop", "phone"])
def test_the_editor_has_no_wcag_violations(
    browser, live_server, artifacts, axe_source, tmp_path, width
):
    writer, article = draft(FAULTY, tmp_path)
    context, page = reader_page(browser, live_server, writer, width=width)
    try:
        open_editor(page, live_server, article)
        expect(page.locator("#a11y-check li")).to_have_count(2)
        page.locator("button[name=action][value=submit]").click()
        expect(page.locator("#a11y-confirm")).to_contain_text("仍然提交")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.add_script_tag(content=axe_source)
        result = page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                resultTypes: ["violations"],
            })"""
        )
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"]
        ]
        assert violations == []
        page.locator("#a11y-check").scroll_into_view_if_needed()
        page.screenshot(path=str(shots(artifacts) / f"editor-{width}.png"), full_page=True)
        page.screenshot(path=str(shots(artifacts) / f"editor-{width}-panel.png"))
    finally:
        context.close()


@pytest.mark.usefixtures("media_root")
def test_without_javascript_there_is_no_panel_and_submit_is_one_press(
    browser, live_server, tmp_path
):
    writer, article = draft(FAULTY, tmp_path)
    context, page = reader_page(browser, live_server, writer, js=False)
    try:
        page.goto(f"{live_server.url}/studio/articles/{article.pk}/")
        expect(page.locator("#a11y-check")).to_be_hidden()
        page.locator("button[name=action][value=submit]").click()
        expect(page.locator("h1.page-title .status-pending")).to_be_visible()
        assert re.search(r"/studio/articles/\d+/$", page.url)
    finally:
        context.close()
