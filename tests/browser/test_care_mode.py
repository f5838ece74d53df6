"""关怀版 (care mode) in a real Chromium, on every page, against China's MIIT elder-friendly
rules for websites (2021) with margin (docs/accessibility.md).

Each page is measured in the browser (care_audit.js) at 1280 px and 390 px: the main text
at least 20 px, every text at least 18 px with lines 1.5 times its size, the main text's
contrast at least 7:1 and every text's at least 4.5:1, headings larger than the text around
them, every link, button and field at least 60 × 60 CSS px (a link inside a sentence
exempt), one column, nothing fixed over the page, no sideways scrolling; and axe-core finds
no WCAG 2.1 A or AA violation. The main pages are photographed in both modes into
artifacts/care/, with the measurements beside them (measures-<width>.json).

The signed-in pages come in 关怀版 from the account's preference alone, the others from
the cookie; a reader who turns it on in one browser finds it on in the next one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.channels.services import channel_defaults_ensure
from zixun.creators.models import Creator
from zixun.creators.services import ApplicationInput, application_submit, creator_follow
from zixun.creators.tests.test_applications import id_number
from zixun.demo.loading import demo_activity, demo_load_people, demo_load_starter
from zixun.engagement.models import Reading
from zixun.engagement.services import article_favorite, comment_create
from zixun.moderation.models import Case, Decision, ReportReason, Target
from zixun.moderation.services import case_decide, report_file

pytestmark = pytest.mark.django_db(transaction=True)

AUDIT = (Path(__file__).resolve().parent / "care_audit.js").read_text(encoding="utf-8")
WIDTHS = [1280, 390]
TIMEOUT = 10_000  # ms: every wait here is for one local request
MIN_MAIN_TEXT = 20  # px; the MIIT rule asks 18 for the main text
MIN_MAIN_CONTRAST = 7
# Containers that are two or more columns in the normal site.
COLUMNS = ".layout, .grid, .editor-panes, .side-by-side, .studio-edit, .field-row"
# What people write, whose links stay in the flow of their text and are exempt from the
# 60 px targets (as in WCAG 2.5.8, "inline"): an article's body and its previews.
PROSE = ".article-body, .review-body, .preview-pane, .prose, .compare-text, .case-text"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Disclosures opened and measured too, wherever a page has them.
DISCLOSURES = [".share-menu", ".user-menu", ".nav-more", ".dislike"]


@dataclass
class Site:
    editor: User
    editor_password: str
    reader: User
    reader_password: str
    signed_in: dict[str, str]  # name: path, for an editor who writes for an account
    anonymous: dict[str, str]
    mains: dict[str, str]  # name: the main text's region, when not <main>


def site_build(var_dir: Path) -> Site:
    """The starter articles, an editor who writes for 晨江晚报 and has followed, favourited,
    read, commented and reported, a reader with an open report and an application."""
    channel_defaults_ensure()  # a transactional test starts from an empty database
    demo_load_starter()
    demo_activity()
    passwords = {name: password for name, _email, password in demo_load_people(var_dir=var_dir)}
    editor = User.objects.get(username="editor")
    reader = User.objects.get(username="chenjiang")
    own = Creator.objects.get(name="晨江晚报")
    own.members.add(editor)
    published = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("-published_at")
    own_article = published.filter(creator=own).first()
    first, second = published.exclude(creator=own)[:2]
    assert own_article is not None
    creator_follow(user=editor, creator_id=first.creator_id)
    article_favorite(user=editor, article_id=first.pk)
    comment = comment_create(user=editor, article_id=first.pk, body="天冷了，出门记得多穿点。")
    Reading.objects.create(user=editor, article=first, read_at=timezone.now())
    # A report of the editor's, dismissed: its outcome is a notice.
    report_file(reporter=editor, target_type=Target.ARTICLE, target_id=second.pk,
                reason=ReportReason.RUMOR, details="标题与正文不符")  # fmt: skip
    case_decide(case=Case.objects.get(target_id=second.pk), by=editor, decision=Decision.DISMISS)
    # A reader's report, open in the editors' queue, and an application.
    report_file(reporter=reader, target_type=Target.ARTICLE, target_id=first.pk,
                reason=ReportReason.CLICKBAIT)  # fmt: skip
    case = Case.objects.get(target_id=first.pk, status=Case.Status.OPEN)
    application = application_submit(
        applicant=reader,
        data=ApplicationInput(
            account_type=Creator.AccountType.PERSONAL, account_name="银发生活",
            introduction="写给长辈的健康和生活常识", channel_id=own_article.channel_id,
            operator_name="陈江", id_number=id_number(),
        ),
    )  # fmt: skip
    signed_in = {
        "home": "/",
        "channel": "/channel/news/",
        "article": first.get_absolute_url(),
        "account": first.creator.get_absolute_url(),
        "hot": "/hot/",
        "hot-about": "/hot/about/",
        "search": f"/search/?q={quote('晨江')}",
        "hot-searches": "/search/hot/",
        "comments": f"/article/{first.pk}/comments/",
        "comment-thread": f"/comment/{comment.pk}/",
        "report": f"/report/article/{first.pk}/",
        "apply": "/apply/",
        "feed": "/feed/",
        "foryou": "/foryou/",
        "me": "/me/",
        "me-notices": "/me/notices/",
        "me-follows": "/me/follows/",
        "me-favorites": "/me/favorites/",
        "me-history": "/me/history/",
        "me-comments": "/me/comments/",
        "me-interests": "/me/interests/",
        "me-delete": "/me/delete/",
        "password-change": "/accounts/password/change/",
        "email": "/accounts/email/",
        "studio": "/studio/",
        "studio-edit": f"/studio/articles/{own_article.pk}/",
        "revisions": f"/article/{own_article.pk}/revisions/",
        "editor": "/editor/",
        "editor-articles": "/editor/articles/",
        "editor-deleted": "/editor/deleted/",
        "editor-article": f"/editor/articles/{own_article.pk}/",
        "editor-reports": "/editor/reports/",
        "editor-case": f"/editor/reports/{case.pk}/",
        "editor-appeals": "/editor/appeals/",
        "editor-application": f"/editor/applications/{application.pk}/",
        "editor-audit": "/editor/audit/",
        "accessibility": "/accessibility/",
    }
    anonymous = {
        "home-anonymous": "/",
        "article-anonymous": first.get_absolute_url(),
        "sign-in": "/accounts/login/",
        "sign-up": "/accounts/signup/",
        "password-reset": "/accounts/password/reset/",
        "apply-anonymous": "/apply/",
    }
    mains = {"article": ".article-body", "article-anonymous": ".article-body"}
    return Site(editor, passwords["editor"], reader, passwords["chenjiang"],
                signed_in, anonymous, mains)  # fmt: skip


# The pages photographed in the normal site too, to compare.
MAIN_PAGES = {"home", "channel", "article", "hot", "search", "me", "me-notices", "studio",
              "studio-edit", "editor", "report", "sign-in", "sign-up", "apply-anonymous"}  # fmt: skip


@pytest.fixture
def site(settings, tmp_path) -> Site:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return site_build(tmp_path)


@pytest.fixture
def shots(artifacts: Path) -> Path:
    folder = artifacts / "care"
    folder.mkdir(exist_ok=True)
    return folder


def browser_context(browser: Browser, width: int) -> tuple[BrowserContext, Page]:
    context = browser.new_context(
        viewport={"width": width, "height": 900 if width > 600 else 844},
        locale="zh-CN", bypass_csp=True,
    )  # fmt: skip
    context.set_default_timeout(TIMEOUT)
    return context, context.new_page()


def sign_in(page: Page, base: str, user: User, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", password)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page.locator(".topbar-tools .user-name")).to_have_text(user.username)


def is_care(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.classList.contains('care')"))


def axe_violations(page: Page, axe_source: str) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"axe {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]


def care_failures(measure: dict[str, Any]) -> list[str]:
    """What a page's measurements miss, in words."""
    found = []
    if measure["mainSize"] < MIN_MAIN_TEXT or measure["mainMin"] < MIN_MAIN_TEXT:
        found.append(f"main text {measure['mainSize']} px (smallest {measure['mainMin']})")
    if measure["mainContrast"] < MIN_MAIN_CONTRAST:
        found.append(f"main text contrast {measure['mainContrast']}:1")
    if measure["mainLine"] < 1.5:
        found.append(f"main text line height {measure['mainLine']}")
    if measure["scrollWidth"] > measure["width"]:
        found.append(f"scrolls sideways: {measure['scrollWidth']} px in {measure['width']}")
    for key in ("textFails", "headingFails", "targetFails", "columns", "fixed", "squeezed"):
        found += [f"{key}: {item}" for item in measure[key]]
    return found


def visit(page: Page, base: str, path: str) -> None:
    response = page.goto(base + path)
    assert response is not None
    assert response.status == 200, (path, response.status)
    page.wait_for_load_state("load")


@pytest.mark.slow(84)
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_meets_the_care_rules(
    browser, live_server, site: Site, shots: Path, axe_source: str, width: int
) -> None:
    base = live_server.url
    measures: dict[str, dict[str, Any]] = {}
    found: list[str] = []

    def check(page: Page, name: str, path: str) -> None:
        visit(page, base, path)
        assert is_care(page), name
        expect(page.locator(".care-bar .care-exit")).to_be_visible()  # the way out, on top
        page.screenshot(path=str(shots / f"{name}-care-{width}.png"), full_page=True)
        options = {"main": site.mains.get(name, "main"), "prose": PROSE, "columns": COLUMNS}
        measure = page.evaluate(AUDIT, options)
        found.extend(f"{name} {width}px: {f}" for f in care_failures(measure))
        found.extend(f"{name} {width}px: {v}" for v in axe_violations(page, axe_source))
        measures[name] = {k: v for k, v in measure.items() if not isinstance(v, list)}
        # What opens on the page (share, the account menu, 更多) is held to the same rules.
        for menu in DISCLOSURES:
            summary = page.locator(f"{menu} > summary").first
            if not summary.is_visible():
                continue
            summary.click()
            opened = care_failures(page.evaluate(AUDIT, options))
            found.extend(f"{name} {width}px, {menu} open: {f}" for f in opened)
            summary.click()

    # A signed-in editor: the normal site first, then 关怀版 from the account alone.
    context, page = browser_context(browser, width)
    try:
        sign_in(page, base, site.editor, site.editor_password)
        for name, path in site.signed_in.items():
            if name in MAIN_PAGES:
                visit(page, base, path)
                assert not is_care(page)
                page.screenshot(path=str(shots / f"{name}-normal-{width}.png"), full_page=True)
        User.objects.filter(pk=site.editor.pk).update(care_mode=True)
        for name, path in site.signed_in.items():
            check(page, name, path)
    finally:
        context.close()
    # A visitor: the cookie.
    context, page = browser_context(browser, width)
    try:
        for name, path in site.anonymous.items():
            if name in MAIN_PAGES:
                visit(page, base, path)
                page.screenshot(path=str(shots / f"{name}-normal-{width}.png"), full_page=True)
        visit(page, base, "/mode/care/on/?next=/")
        for name, path in site.anonymous.items():
            check(page, name, path)
    finally:
        context.close()

    (shots / f"measures-{width}.json").write_text(
        json.dumps(measures, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert found == [], "\n".join(found)


def test_the_way_out_is_one_tap_at_the_top_of_the_page(browser, live_server, site: Site) -> None:
    base = live_server.url
    context, page = browser_context(browser, 390)
    try:
        # given a visitor in 关怀版 on the hot list
        visit(page, base, f"/mode/care/on/?next={quote('/hot/')}")
        assert is_care(page)
        exit_link = page.locator(".care-bar .care-exit")
        box = exit_link.bounding_box()
        assert box is not None
        assert box["y"] < 100  # at the top, in the first screen
        # when they tap 退出关怀版
        exit_link.click()
        # then they are on the same page, in the normal site, with the way back in the footer
        page.wait_for_url(f"{base}/hot/")
        assert not is_care(page)
        expect(page.locator(".footer-modes a", has_text="进入关怀版")).to_be_visible()
    finally:
        context.close()


def test_care_mode_follows_the_reader_to_another_browser(browser, live_server, site: Site) -> None:
    base = live_server.url
    # given a reader who turns 关怀版 on in one browser, signed in
    context, page = browser_context(browser, 1280)
    try:
        sign_in(page, base, site.reader, site.reader_password)
        page.locator(".footer-modes a", has_text="进入关怀版").click()
        page.wait_for_url(f"{base}/")
        assert is_care(page)
    finally:
        context.close()
    site.reader.refresh_from_db()
    assert site.reader.care_mode is True
    # when they sign in on another browser, which has never seen 关怀版
    context, page = browser_context(browser, 390)
    try:
        visit(page, base, "/")
        assert not is_care(page)
        sign_in(page, base, site.reader, site.reader_password)
        # then the first page is in 关怀版, and so is every page after it
        assert is_care(page)
        visit(page, base, "/me/")
        assert is_care(page)
        # and the browser keeps it after signing out
        page.locator(".user-menu > summary").click()
        page.locator(".user-menu button", has_text="退出").click()
        page.wait_for_load_state("load")
        visit(page, base, "/")
        assert is_care(page)
        expect(page.locator("body")).to_have_class(re.compile(r"\bcare\b"))
    finally:
        context.close()
