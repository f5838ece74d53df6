"""A reader with a keyboard and no mouse, in a real Chromium (issue #13, WCAG 2.1.1 and 2.4.7).

Signed in (the sign-in form is filled, as a password manager would), the reader uses only
Tab, Shift+Tab, Enter, Space, Escape and typing: from the home page, the skip link takes
them to the main content; they reach an article in the list and open it, skip to its text
and scroll it, follow its account, like it, open the share menu and close it with Escape,
write a 跟贴 and send it, then switch to 关怀版 and back, to English and back (and to 繁體
and 深色 and back, where the footer offers them) with the links in the footer. Each step is
checked by what it does: aria-pressed and the counts, the comment on the page, the class and
the language of <html>.

At every stop of Tab the focused element must show that it has the focus (an outline or a
box shadow, WCAG 2.4.7) and be on the screen. Problems that do not stop the journey (a focus
that cannot be seen, a menu that Escape does not close) are collected and reported together
at the end; a step the keyboard cannot do stops the test there and says which.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser import test_care_mode
from tests.browser.test_care_mode import Site
from tests.browser.test_reader_journey import make_reader, reader_context

pytestmark = pytest.mark.django_db(transaction=True)
site = test_care_mode.site  # the fixture: the rich site, its pictures on disk

EMAIL = "jianpan@example.com"
USERNAME = "jianpan"
PASSWORD = "Jian-pan-2024-du"
COMMENT = "只用键盘也能看完、点赞和跟贴。"
TAB_LIMIT = 600  # Tab stops on the longest page, with margin

# The focused element: whether it matches, whether its focus can be seen, and where it is.
FOCUS = """(selector) => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none";
  const box = el.getBoundingClientRect();
  const onScreen = box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
    && box.top < innerHeight && box.left < innerWidth;
  const parts = [];
  for (let e = el; e && e !== document.body; e = e.parentElement) {
    const index = e.parentElement ? [...e.parentElement.children].indexOf(e) : 0;
    parts.unshift(`${e.tagName}:${index}`);
  }
  let name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
  for (const c of el.classList) name += "." + c;
  const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
  return {
    matches: el.matches(selector), indicated: outline || shadow, onScreen,
    box: [Math.round(box.left), Math.round(box.top), Math.round(box.width), Math.round(box.height), scrollY, innerHeight], path: parts.join("/"), name: `${name} «${text.slice(0, 20)}»`,
  };
}"""


class Keyboard:
    """Presses keys and watches the focus; what is wrong but not blocking goes in problems."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        self.stops = 0

    def where(self) -> str:
        return self.page.url.split("/", 3)[-1] or "/"

    def focus(self, selector: str = "*") -> dict[str, Any] | None:
        state: dict[str, Any] | None = self.page.evaluate(FOCUS, selector)
        for _ in range(3):
            if state is None or state["onScreen"]:
                break
            # The page may still be scrolling: to a #fragment it opened at (which can land
            # after the first Tab), or smoothly after Space. Measured again once it stops.
            self.settle()
            state = self.page.evaluate(FOCUS, selector)
        if state is not None:
            problem = None
            if not state["indicated"]:
                problem = (
                    f"/{self.where()}: no visible focus (outline, box-shadow) on {state['name']}"
                )
            elif not state["onScreen"]:
                problem = (
                    f"/{self.where()}: the focused {state['name']} is off the screen {state['box']}"
                )
            if problem and problem not in self.problems:
                self.problems.append(problem)
        return state

    def tab_to(self, selector: str, *, back: bool = False) -> None:
        """Tab (or Shift+Tab) until the focus is on ``selector``; fail if it never gets there."""
        seen: set[str] = set()
        for _ in range(TAB_LIMIT):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            self.stops += 1
            state = self.focus(selector)
            if state is None:
                continue
            if state["matches"]:
                return
            if state["path"] in seen:
                break  # round the whole page once
            seen.add(state["path"])
        raise AssertionError(
            f"/{self.where()}: {selector} cannot be reached with "
            f"{'Shift+Tab' if back else 'Tab'} ({len(seen)} stops tried)"
        )

    def settle(self) -> None:
        """Wait until the page stops scrolling."""
        self.page.wait_for_function(
            "() => new Promise((done) => { const y = scrollY; setTimeout(() => done("
            "scrollY === y), 100); })"
        )

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def active(self, selector: str) -> bool:
        return bool(self.page.evaluate("(s) => document.activeElement.matches(s)", selector))


def count(page: Page, selector: str) -> int:
    return int(page.locator(selector).first.inner_text().strip())


def test_a_keyboard_alone_reads_follows_likes_comments_and_switches_modes(
    browser, live_server, site: Site, artifacts: Path
) -> None:
    base = live_server.url
    shots = artifacts / "keyboard"
    shots.mkdir(exist_ok=True)
    make_reader(USERNAME, EMAIL, PASSWORD)
    context, page = reader_context(browser, base)
    keys = Keyboard(page)
    html = page.locator("html")
    try:
        # Sign in with the form (typed, as a password manager would fill it), sent with Enter.
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_login", EMAIL)
        page.fill("#id_password", PASSWORD)
        page.focus("#id_password")
        keys.press("Enter")
        page.wait_for_url(f"{base}/")
        expect(page.locator(".topbar-tools .user-name")).to_have_text(USERNAME)

        # 1. The home page: the first Tab shows the skip link; Enter moves the focus to <main>.
        keys.tab_to(".skip-link")
        page.screenshot(path=str(shots / "skip-link.png"))
        keys.press("Enter")
        assert keys.active("main#main"), "the skip link does not move the focus to <main>"

        # 2. An article in the list, opened with Enter.
        keys.tab_to("main a[href^='/article/']")
        href = page.evaluate("document.activeElement.getAttribute('href')")
        keys.press("Enter")
        page.wait_for_url(f"{base}{href}")
        title = page.locator("h1#article-title")
        expect(title).to_be_visible()

        # 3. Read it: skip to the text, whose next Tab stop is inside <main>; Space scrolls.
        keys.tab_to(".skip-link")
        keys.press("Enter")
        assert keys.active("main#main"), "the skip link does not move the focus to <main>"
        keys.press("Space")
        keys.settle()
        assert page.evaluate("scrollY") > 0, "Space does not scroll the article"
        keys.tab_to("*")
        assert keys.active("main *"), "the Tab after the skip link leaves <main>"

        # 4. 关注 the account on the author card, with Enter: pressed, and one more follower.
        follow = page.locator(".author-card button.follow-button")
        followers = count(page, ".author-card .followers")
        expect(follow).to_have_attribute("aria-pressed", "false")
        keys.tab_to(".author-card button.follow-button")
        keys.press("Enter")
        expect(follow).to_have_attribute("aria-pressed", "true")
        expect(page.locator(".author-card .followers")).to_have_text(str(followers + 1))
        if not keys.active(".author-card button.follow-button"):
            keys.problems.append("the focus leaves 关注 when it is pressed")
        page.screenshot(path=str(shots / "followed.png"))

        # 5. 点赞, back up the page, with Space.
        like = page.locator("form[data-toggle=like] button")
        likes = count(page, "form[data-toggle=like] button .count")
        keys.tab_to("form[data-toggle=like] button", back=True)
        keys.press("Space")
        expect(like).to_have_attribute("aria-pressed", "true")
        expect(like.locator(".count")).to_have_text(str(likes + 1))
        if not keys.active("form[data-toggle=like] button"):
            keys.problems.append("the focus leaves 点赞 when it is pressed")

        # 6. 分享至: Enter opens the menu, Escape closes it and leaves the focus on its button.
        menu = page.locator(".share-menu")
        keys.tab_to(".share-menu > summary", back=True)
        keys.press("Enter")
        expect(menu).to_have_attribute("open", "")
        keys.tab_to("#share-link")  # into the menu
        keys.press("Escape")
        if menu.get_attribute("open") is not None:
            keys.problems.append(
                f"/{keys.where()}: Escape does not close the share menu (details.share-menu)"
            )
            keys.tab_to(".share-menu > summary", back=True)
            keys.press("Enter")
            expect(menu).not_to_have_attribute("open", "")
        elif not keys.active(".share-menu > summary"):
            keys.problems.append("Escape closes the share menu but the focus is not on 分享至")

        # 7. A 跟贴, typed and sent: it is on the page and counted.
        comments = count(page, "#comments-title .count")
        keys.tab_to("#comment-body")
        page.keyboard.type(COMMENT)
        keys.tab_to("form.comment-form button[type=submit]")
        keys.press("Enter")
        expect(page.locator(".messages")).to_contain_text("跟贴已发布")
        expect(page.locator("ol.comment-list > li.comment", has_text=COMMENT)).to_have_count(1)
        expect(page.locator("#comments-title .count")).to_have_text(str(comments + 1))
        # The page came back at #comment-N: Tab only once it is loaded and has scrolled there,
        # or the jump to the fragment can land after the focus moved.
        page.wait_for_load_state("load")
        keys.settle()
        article_url = page.url.split("#")[0].split("?")[0]

        # 8. The footer's switches: each one there and back, on the same article.
        def switch(link: str, check: str, value: str) -> None:
            keys.tab_to(link)
            keys.press("Enter")
            page.wait_for_url(f"{article_url}*")
            page.wait_for_load_state("load")
            if check == "class":
                expect(html).to_have_class(value)
            else:
                expect(html).to_have_attribute("lang", value)

        switch(".footer-modes a[href*='/mode/care/on/']", "class", "care")
        page.screenshot(path=str(shots / "care.png"))
        switch(".footer-modes a[href*='/mode/care/off/']", "class", "")
        switch(".lang-switch a[lang=en]", "lang", "en")
        expect(title).to_be_visible()
        switch(".lang-switch a[lang='zh-CN']", "lang", "zh-CN")
        if page.locator(".footer-modes a[href*='/mode/script/hant/']").count():
            switch(".footer-modes a[href*='/mode/script/hant/']", "lang", "zh-Hant")
            switch(".footer-modes a[href*='/mode/script/hans/']", "lang", "zh-CN")
        if page.locator(".footer-modes a[href*='/mode/theme/dark/']").count():
            switch(".footer-modes a[href*='/mode/theme/dark/']", "class", "theme-dark")
            switch(".footer-modes a[href*='/mode/theme/auto/']", "class", "")
        # The toggles are still on after all the reloads.
        expect(follow).to_have_attribute("aria-pressed", "true")
        expect(like).to_have_attribute("aria-pressed", "true")
    finally:
        context.close()
    assert keys.problems == [], f"{keys.stops} Tab stops; problems:\n" + "\n".join(keys.problems)
