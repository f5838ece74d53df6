"""The creator journey in a real Chromium, as people do it, one browser context per person:
sign up and confirm the email, apply (申请入驻), get approved by an editor, write an
article with a live preview and an uploaded image, have it reviewed, read it as an
anonymous visitor, then revise it and see 更新于 and the revision history."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Browser, BrowserContext, Page, expect

from zixun.channels.models import Channel
from zixun.channels.services import channel_defaults_ensure

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "xiaoming@example.com"
USERNAME = "xiaoming"
PASSWORD = "Qiu-shui-2024-gong"
ACCOUNT = "小明科技观察"
EDITOR_EMAIL = "editor@example.com"
EDITOR_PASSWORD = "Bian-ji-2024-shen"
TITLE = "国产大模型的一年：从发布会到日常工具"
IMAGE_ALT = "一块显示折线图的屏幕"
TIMEOUT = 10_000  # ms: every wait in this test is for one local request

# GB 11643 / ISO 7064 MOD 11-2, computed here independently of zixun.creators.idcard.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def resident_id(base17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(base17, ID_WEIGHTS, strict=True))
    return base17 + ID_CHECK_CHARS[total % 11]


def png(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    width, height = size
    points = [(x, height - 10 - (x * 7919 % (height - 20))) for x in range(10, width - 10, 30)]
    draw.line(points, fill=(255, 255, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def media_root(settings, tmp_path, monkeypatch):
    """Uploads on disk, served by the app's /media/ route.

    config.test_settings keeps uploads in InMemoryStorage, but /media/ is served by
    django.views.static.serve from the MEDIA_ROOT bound when config.urls was imported,
    so an uploaded image would 404 in the live server. This test needs the browser to
    load the image, so both point at one temporary directory for its duration.
    """
    import config.urls

    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    served = [
        pattern
        for pattern in config.urls.urlpatterns
        if "document_root" in getattr(pattern, "default_args", {})
    ]
    assert served, "the /media/ route is off (ZIXUN_SERVE_MEDIA): the browser cannot load images"
    for pattern in served:
        monkeypatch.setitem(pattern.default_args, "document_root", str(root))
    return root


def new_person(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True
    )
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    return context, page


def confirm_link(email: str) -> str:
    messages = [m for m in mail.outbox if email in m.to]
    assert len(messages) == 1, [m.subject for m in mail.outbox]
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", str(messages[0].body))
    assert match, messages[0].body
    return match.group(0)


def editor_signed_in(browser: Browser, base: str) -> tuple[BrowserContext, Page]:
    from allauth.account.models import EmailAddress

    from zixun.accounts.models import User

    editor = User.objects.create_user(
        username="shenhe", email=EDITOR_EMAIL, password=EDITOR_PASSWORD, role="editor"
    )
    EmailAddress.objects.create(user=editor, email=EDITOR_EMAIL, verified=True, primary=True)
    context, page = new_person(browser)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", EDITOR_EMAIL)
    page.fill("#id_password", EDITOR_PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page.locator(".topbar-tools .user-name")).to_have_text("shenhe")
    return context, page


def wait_images_loaded(page: Page, selector: str) -> None:
    page.wait_for_function(
        "sel => [...document.querySelectorAll(sel)].length > 0 && "
        "[...document.querySelectorAll(sel)].every(i => i.complete && i.naturalWidth > 0)",
        arg=selector,
    )


def test_creator_journey(browser, live_server, media_root, tmp_path, artifacts):
    channel_defaults_ensure()  # a transactional test starts from an empty database
    tech = Channel.objects.get(slug="tech")
    base = live_server.url
    mail.outbox.clear()
    creator_ctx, creator = new_person(browser)
    editor_ctx = reader_ctx = None
    try:
        # a. Sign up, read the confirmation mail, confirm: signed in.
        creator.goto(f"{base}/")
        creator.locator(".topbar-tools a[href='/accounts/signup/']").click()
        creator.fill("#id_email", EMAIL)
        creator.fill("#id_username", USERNAME)
        creator.fill("#id_password1", PASSWORD)
        creator.fill("#id_password2", PASSWORD)
        creator.locator("form[action$='/accounts/signup/'] button[type=submit]").click()
        creator.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
        expect(creator.locator(".topbar-tools .user-name")).to_have_count(0)  # not yet
        creator.goto(confirm_link(EMAIL))
        creator.locator("form[action*='/accounts/confirm-email/'] button[type=submit]").click()
        expect(creator.locator(".topbar-tools .user-name")).to_have_text(USERNAME)

        # b. 申请入驻 as a 个人 account, with an avatar; the studio shows it pending.
        creator.locator(".topbar-tools a.apply-link").click()
        creator.wait_for_url(f"{base}/apply/")
        id_number = resident_id("11010519491231002")
        creator.select_option("#id_account_type", "personal")
        creator.fill("#id_account_name", ACCOUNT)
        creator.fill("#id_introduction", "关注人工智能与消费电子，每周写一篇深度观察。")
        creator.select_option("#id_channel", str(tech.pk))
        creator.fill("#id_operator_name", "王小明")
        creator.fill("#id_id_number", id_number)
        creator.set_input_files(
            "#id_avatar", str(png(tmp_path / "avatar.png", (96, 96), (200, 60, 40)))
        )
        creator.locator("form.apply-form button[type=submit]").click()
        creator.wait_for_url(f"{base}/studio/")
        application = creator.locator("section[aria-labelledby=my-applications] .card")
        expect(application).to_have_count(1)
        expect(application).to_contain_text(ACCOUNT)
        expect(application.locator(".status-pending")).to_be_visible()
        expect(creator.locator("a[href='/apply/']").last).to_be_visible()  # no account yet
        # The ID number is kept masked, never in full.
        from zixun.creators.models import Application

        stored = Application.objects.get(account_name=ACCOUNT)
        assert stored.id_number_masked == id_number[:3] + "*" * 11 + id_number[-4:]

        # c. An editor approves the application with the default verification label.
        editor_ctx, editor = editor_signed_in(browser, base)
        editor.locator(".user-menu summary").click()  # the account menu
        editor.locator(".topbar-tools a[href='/editor/']").click()
        editor.locator("section[aria-labelledby=q-apps] a", has_text=ACCOUNT).click()
        expect(editor.locator("h1.page-title")).to_contain_text(ACCOUNT)
        expect(editor.locator("dl.facts")).to_contain_text(stored.id_number_masked)
        expect(editor.locator("dl.facts")).not_to_contain_text(id_number)
        wait_images_loaded(editor, "dl.facts img")  # the applicant's avatar
        # Approving copies the avatar to the new account; the suite turns warnings into
        # errors, so a file handle left open there (a ResourceWarning) fails this test.
        editor.locator("button[name=action][value=approve]").click()
        editor.wait_for_url(f"{base}/editor/")
        expect(editor.locator("section[aria-labelledby=q-apps] .card.empty")).to_be_visible()

        # d. The creator writes an article: live preview, an image, save, submit.
        creator.goto(f"{base}/studio/")
        account = creator.locator(".studio-accounts li", has_text=ACCOUNT)
        expect(account.locator(".verification")).to_have_text("科技领域创作者")
        account.locator("button[type=submit]", has_text="写文章").click()
        creator.wait_for_url(re.compile(r"/studio/articles/\d+/$"))
        article_id = int(creator.url.rstrip("/").rsplit("/", 1)[-1])
        creator.fill("#id_title", TITLE)
        creator.select_option("#id_channel", str(tech.pk))
        creator.fill("#id_tags", "人工智能，大模型")
        creator.check("#id_is_original")
        body = (
            "一年前，大模型还只出现在发布会上。\n\n"
            "## 从演示到工具\n\n"
            "如今它们写代码、做摘要、回答客服问题，已经成了**日常工具**。\n"
        )
        creator.locator("#id_body_source").fill(body)
        preview = creator.locator("#live-preview")
        expect(preview.locator("h2")).to_have_text("从演示到工具")  # fetched by studio.js
        expect(preview.locator("strong")).to_have_text("日常工具")
        creator.set_input_files(
            "#id_image", str(png(tmp_path / "chart.png", (640, 360), (30, 90, 160)))
        )
        creator.fill("#id_alt", IMAGE_ALT)
        creator.locator("#image-form button[type=submit]").click()
        expect(creator.locator("#upload-status")).to_have_text("已插入正文")
        expect(creator.locator("#id_body_source")).to_have_value(
            re.compile(re.escape(f"![{IMAGE_ALT}](/media/images/") + r"\S+\)")
        )
        expect(preview.locator(f"img[alt='{IMAGE_ALT}']")).to_have_count(1)
        # the images are beside the editor; the new one is first and can be the cover at once
        panel, editor_box = creator.locator(".image-panel"), creator.locator("#id_body_source")
        assert panel.bounding_box()["x"] > editor_box.bounding_box()["x"] + 300
        assert panel.bounding_box()["y"] < editor_box.bounding_box()["y"]
        uploaded = creator.locator("#image-list li").first
        expect(uploaded.locator(".image-alt")).to_have_text(IMAGE_ALT)
        uploaded.locator("button[data-cover]").click()
        expect(uploaded.locator("button[data-cover]")).to_have_attribute("aria-pressed", "true")
        creator.locator("button[name=action][value=save]").click()
        expect(creator.locator("h1.page-title .status-draft")).to_be_visible()
        expect(creator.locator("#id_cover_image option:checked")).to_have_text(IMAGE_ALT)
        expect(creator.locator("#id_body_source")).to_have_value(re.compile(re.escape(IMAGE_ALT)))
        wait_images_loaded(creator, "#live-preview img")
        creator.screenshot(path=str(artifacts / "journey-editor.png"), full_page=True)
        submit = creator.locator("button[name=action][value=submit]")
        expect(submit).to_have_text("提交审核")  # a new account is not trusted
        submit.click()
        expect(creator.locator("h1.page-title .status-pending")).to_be_visible()

        # e. The editor approves the article.
        editor.goto(f"{base}/editor/")
        editor.locator("section[aria-labelledby=q-articles] a", has_text=TITLE).click()
        expect(editor.locator(".review-body h2")).to_have_text("从演示到工具")
        editor.locator("button[name=action][value=approve]").click()
        editor.wait_for_url(f"{base}/editor/")
        expect(editor.locator("section[aria-labelledby=q-articles] .card.empty")).to_be_visible()

        # f. An anonymous visitor reads it.
        reader_ctx, reader = new_person(browser)
        article_url = f"{base}/article/{article_id}/"
        reader.goto(article_url)
        expect(reader.locator("h1#article-title")).to_have_text(TITLE)
        expect(reader.locator(".article-meta .badge")).to_have_text("原创")
        expect(reader.locator(".article-body h2")).to_have_text("从演示到工具")
        expect(reader.locator(".article-body p").first).to_have_text(
            "一年前，大模型还只出现在发布会上。"
        )
        image = reader.locator(f".article-body img[alt='{IMAGE_ALT}']")
        expect(image).to_have_count(1)
        image.scroll_into_view_if_needed()
        wait_images_loaded(reader, ".article-body img")
        card = reader.locator(".author-card")
        expect(card.locator("h2")).to_have_text(ACCOUNT)
        expect(card.locator(".verification")).to_have_text("科技领域创作者")
        stats = card.locator(".author-stats div", has_text="文章数")
        expect(stats.locator("dd")).to_have_text("1")
        expect(reader.locator(".article-meta a.revised")).to_have_count(0)
        reader.screenshot(path=str(artifacts / "journey-article.png"), full_page=True)

        # g. The creator revises the published article. The account is not trusted, so the
        # edit goes back to review; once approved, readers see 更新于 and 2 versions.
        creator.goto(f"{base}/studio/")
        creator.locator("section[aria-labelledby=my-articles] a", has_text=TITLE).click()
        expect(creator.locator("h1.page-title")).to_contain_text("修改已发布的文章")
        source = creator.locator("#id_body_source")
        source.fill(source.input_value() + "\n补记：文中数据更新到本月。\n")
        creator.fill("#id_note", "补充最新数据")
        creator.locator("button[name=action][value=revise]").click()
        expect(creator.locator("h1.page-title .status")).to_have_text("待审核")
        editor.goto(f"{base}/editor/")
        editor.locator("section[aria-labelledby=q-articles] a", has_text=TITLE).click()
        editor.locator("button[name=action][value=approve]").click()
        editor.wait_for_url(f"{base}/editor/")
        creator.reload()
        expect(creator.locator("section[aria-labelledby=rev-title] .card")).to_have_count(2)
        reader.goto(article_url)
        expect(reader.locator(".article-body")).to_contain_text("补记：文中数据更新到本月。")
        revised = reader.locator(".article-meta a.revised")
        expect(revised).to_contain_text("更新于")
        expect(revised).to_have_attribute("href", f"/article/{article_id}/revisions/")
        revised.click()
        reader.wait_for_url(f"{base}/article/{article_id}/revisions/")
        versions = reader.locator("ol.revisions > li")
        expect(versions).to_have_count(2)
        expect(versions.first).to_contain_text("补充最新数据")
    finally:
        for context in (creator_ctx, editor_ctx, reader_ctx):
            if context is not None:
                context.close()
