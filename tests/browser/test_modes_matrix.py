"""Every page in every way a reader can set it, in a real Chromium (issue #13).

The modes are the reader's cookies (modes.py): 深色 (``zixun_theme=dark``, or no cookie and a
system set to dark), 关怀版 (``zixun_care=1``), 繁體 (``zixun_script=hant``, converted on
the server with OpenCC) and 无障碍浏览 (``zixun_a11y=1``, with its tools' largest text, high
contrast and wide spacing too), alone and together. In each mode,
at 1280 px, every page of the rich site that test_care_mode.py builds, signed in as an
editor and anonymous (the main pages only for the system's dark and for 无障碍浏览, whose
styles are the same as 深色's and the same on every page):

- axe-core finds no WCAG 2.1 A or AA violation (color-contrast only where the mode brings
  colours of its own: not in 繁體, whose colours are the normal site's or 关怀版's);
- the page is in the mode: ``<html class>`` says care and theme-dark, the background is dark
  in a dark mode and light otherwise, ``<html lang>`` is zh-Hant in 繁體 and no 简体 is left
  in the text, while the fields keep what was typed and stored (a 繁體 page that rewrote
  them would rewrite the article or the comment on saving).

Reflow (WCAG 1.4.10) and resizing text (1.4.4): every page in the normal site and in 关怀版
at 320 × 640 CSS px, and at 1280 px zoomed to 200 % (640 CSS px on a 2× screen), scrolls only
up and down, and no text runs past the edge of the page or is cut off by its box; a failure
names the element and guesses why (a wide table, a long unbroken string, a fixed width).

The theme follows the system (prefers-color-scheme) unless the reader chose one.

The main pages are photographed in the normal site, 深色, 繁體 and 关怀版 + 深色 at 1280 and
390 px into artifacts/modes/.

Each mode gets one browser, signed in once; the failures of a mode come together in one
message, each with the pages it is on.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import opencc
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser import test_care_mode
from tests.browser.test_care_mode import AXE_TAGS, TIMEOUT, Site, sign_in, visit

pytestmark = pytest.mark.django_db(transaction=True)
site = test_care_mode.site  # the fixture: every page, signed in and anonymous

# The pages photographed, in these modes, at these widths.
SHOT_PAGES = ["home", "article", "channel", "hot", "search", "me", "studio", "sign-in"]
SHOT_MODES = {"normal", "dark", "hant", "care-dark"}
SHOT_PHONE = {"width": 390, "height": 844}  # and the 1280 px of every mode's browser
# Pages whose script brings text in after they load (the studio's checks): waited for, so
# that what it brings is checked too.
SETTLE = {"studio-edit"}
TOOLBAR = "[role=toolbar], .a11y-toolbar"
DARK_AT_MOST = 0.2  # relative luminance of a dark mode's page background
LIGHT_AT_LEAST = 0.5
TYPED = "关注热榜里的头条"  # a search typed in 简体: the field keeps it in 繁體 mode
S2T = opencc.OpenCC("s2t")
T2S = opencc.OpenCC("t2s")


@dataclass(frozen=True)
class Mode:
    cookies: dict[str, str] = field(default_factory=dict)
    color_scheme: str = "light"  # the system's setting
    care: bool = False
    theme: str = ""  # the class the cookie puts on <html>: "", "dark" or "light"
    dark: bool | None = False  # None: either (high contrast chooses its own)
    hant: bool = False
    a11y: bool = False
    every_page: bool = True  # or only the main pages (SHOT_PAGES)
    # axe's color-contrast, the slowest rule by far; off where the colours are another
    # mode's, checked there: 繁體 changes the words, not the colours.
    contrast: bool = True
    # What 无障碍工具 keeps in the browser (site.js, localStorage "zixun.a11y"), and the
    # classes it puts on <html> (a11y-boot.js).
    tools: dict[str, Any] = field(default_factory=dict)
    tool_classes: tuple[str, ...] = ()


MODES = {
    "normal": Mode(),
    "dark": Mode({"zixun_theme": "dark"}, theme="dark", dark=True),
    # The same styles as "dark", chosen by the system: the main pages are enough.
    "dark-system": Mode(color_scheme="dark", dark=True, every_page=False),
    "care-dark": Mode(
        {"zixun_care": "1", "zixun_theme": "dark"}, care=True, theme="dark", dark=True
    ),
    "hant": Mode({"zixun_script": "hant"}, hant=True, contrast=False),  # normal's colours
    # 关怀版's colours, checked on every page by test_care_mode.py.
    "hant-care": Mode(
        {"zixun_script": "hant", "zixun_care": "1"}, care=True, hant=True, contrast=False
    ),
    # The toolbar and bigger focus rings are the same on every page: the main pages.
    "a11y": Mode({"zixun_a11y": "1"}, a11y=True, every_page=False),
    "a11y-tools": Mode(
        {"zixun_a11y": "1"},
        a11y=True,
        every_page=False,
        dark=None,
        tools={"text": 3, "contrast": True, "spacing": True},
        tool_classes=("a11y-text-3", "a11y-contrast", "a11y-spacing"),
    ),
}

# What <html>, <body> and the page's background say about the mode, and the text the reader
# reads (for 繁體).
STATE = """() => {
  const html = document.documentElement, body = document.body;
  const rgba = (colour) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const context = canvas.getContext("2d");
    context.fillStyle = colour;
    context.fillRect(0, 0, 1, 1);
    return [...context.getImageData(0, 0, 1, 1).data];
  };
  let background = null;
  for (const el of [body, html]) {
    const colour = getComputedStyle(el).backgroundColor;
    const value = rgba(colour);
    if (value[3] > 0 && !/^(transparent|rgba\\(0, 0, 0, 0\\))$/.test(colour)) {
      background = value;
      break;
    }
  }
  if (background === null) {  // the browser's own canvas, light or dark by color-scheme
    const probe = document.createElement("div");
    probe.style.background = "Canvas";
    body.append(probe);
    background = rgba(getComputedStyle(probe).backgroundColor);
    probe.remove();
  }
  const hot = document.querySelector(".nav-hot a");
  return {
    htmlClasses: [...html.classList], lang: html.lang, bodyClasses: [...body.classList],
    toolbar: document.querySelector(arguments[0]) !== null,
    background, hot: hot ? hot.textContent.trim() : null, text: body.innerText,
  };
}""".replace("arguments[0]", repr(TOOLBAR))

AXE_RUN = """async ([tags, contrast]) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          rules: {"color-contrast": {enabled: contrast}},
                                          resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
}"""


def luminance(rgb: list[int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def mode_context(
    browser: Browser, base: str, mode: Mode, *, width: int = 1280, height: int = 900,
    scale: float = 1,
) -> BrowserContext:  # fmt: skip
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=scale,
        locale="zh-CN", bypass_csp=True, color_scheme=mode.color_scheme,  # type: ignore[arg-type]
    )  # fmt: skip
    context.set_default_timeout(TIMEOUT)
    context.add_cookies([{"name": k, "value": v, "url": base} for k, v in mode.cookies.items()])
    if mode.tools:
        context.add_init_script(
            f"localStorage.setItem('zixun.a11y', {json.dumps(json.dumps(mode.tools))})"
        )
    return context


def untranslated(text: str) -> list[str]:
    """The 简体 words left in a 繁體 page's text.

    OpenCC's s2t does not leave its own output alone (干擾 becomes 幹擾), so the text is
    taken back to 简体 first (t2s, which undoes s2t) and converted again: a 繁體 page comes
    out as it went in, and a word left in 简体 comes out changed."""
    text = text.replace("简体", "")  # the switch back names itself in its own script
    converted = S2T.convert(T2S.convert(text))
    words = []
    for at, (was, now) in enumerate(zip(text, converted, strict=False)):
        if was != now:
            words.append(text[max(0, at - 4) : at + 5].replace("\n", " "))
        if len(words) == 5:
            break
    return words


def mode_misses(mode: Mode, state: dict[str, Any]) -> list[str]:
    """Where the page is not in the mode it was asked for, in words."""
    misses = []
    classes = state["htmlClasses"]
    if mode.care != ("care" in classes):
        misses.append(f"<html class={' '.join(classes)!r}> {'lacks' if mode.care else 'has'} care")
    for theme in ("dark", "light"):
        if (mode.theme == theme) != (f"theme-{theme}" in classes):
            misses.append(f"<html class={' '.join(classes)!r}>: theme-{theme} is "
                          f"{'missing' if mode.theme == theme else 'there'}")  # fmt: skip
    misses += [f"<html> lacks {c} (无障碍工具)" for c in mode.tool_classes if c not in classes]
    light = luminance(state["background"])
    if mode.dark and light > DARK_AT_MOST:
        misses.append(f"background {state['background'][:3]} is not dark")
    if mode.dark is False and light < LIGHT_AT_LEAST:
        misses.append(f"background {state['background'][:3]} is not light")
    lang = "zh-Hant" if mode.hant else "zh-CN"
    if state["lang"] != lang:
        misses.append(f"<html lang={state['lang']!r}>, not {lang!r}")
    hot = "熱榜" if mode.hant else "热榜"
    if state["hot"] is not None and state["hot"] != hot:
        misses.append(f"the channel bar says {state['hot']!r}, not {hot!r}")
    if mode.hant:
        misses += [f"简体 left: «{word}»" for word in untranslated(state["text"])]
    if mode.a11y and "a11y" not in state["bodyClasses"]:
        misses.append("<body> lacks the a11y class")
    return misses


class Findings:
    """Failures grouped by what failed, each with the pages it happens on."""

    def __init__(self) -> None:
        self.pages: dict[str, list[str]] = defaultdict(list)

    def add(self, page: str, failures: list[str]) -> None:
        for failure in failures:
            self.pages[failure].append(page)

    def lines(self, prefix: str) -> list[str]:
        return [f"{prefix}: {failure} — on {len(pages)}: {', '.join(pages)}"
                for failure, pages in self.pages.items()]  # fmt: skip


def axe_describe(violations: list[dict[str, Any]]) -> list[str]:
    return [f"axe {v['id']} ({v['impact']}): {v['help']} × {v['count']} {v['targets']}"
            for v in violations]  # fmt: skip


def sweep(
    context: BrowserContext, base: str, pages: dict[str, str], axe_source: str,
    check: Callable[[Page, str], list[str]], findings: Findings, *, contrast: bool,
) -> None:  # fmt: skip
    """Visit every page, check it, and run axe on it."""
    page = context.new_page()
    for name, path in pages.items():
        visit(page, base, path)
        if name in SETTLE:
            page.wait_for_load_state("networkidle")
        findings.add(name, check(page, name))
        page.add_script_tag(content=axe_source)
        findings.add(name, axe_describe(page.evaluate(AXE_RUN, [AXE_TAGS, contrast])))
    page.close()


def fields_misses(context: BrowserContext, base: str, site: Site) -> list[str]:
    """繁體 mode leaves the fields as they are: what is stored, what a reader typed."""
    page = context.new_page()
    edit = site.signed_in["studio-edit"]
    fields = ["#id_title", "#id_summary", "#id_body_source"]
    cookies = [c for c in context.cookies() if c["name"] == "zixun_script"]
    context.clear_cookies(name="zixun_script")
    visit(page, base, edit)
    stored = {selector: page.input_value(selector) for selector in fields}
    context.add_cookies(cookies)  # type: ignore[arg-type]
    assert S2T.convert("".join(stored.values())) != "".join(stored.values())  # 简体 to keep
    misses = []
    visit(page, base, edit)
    for selector in fields:
        if page.input_value(selector) != stored[selector]:
            misses.append(f"{edit}: {selector} was converted: «{page.input_value(selector)[:20]}»")
    visit(page, base, f"/search/?q={quote(TYPED)}")
    if page.input_value("#search-q") != TYPED:
        misses.append(f"/search/: #search-q is {page.input_value('#search-q')!r}, not {TYPED!r}")
    page.close()
    return misses


@pytest.mark.slow(60)
@pytest.mark.parametrize("name", list(MODES))
def test_every_page_in_every_mode_has_no_axe_violation(
    browser, live_server, site: Site, artifacts: Path, axe_source: str, name: str
) -> None:
    mode = MODES[name]
    base = live_server.url
    shots = artifacts / "modes"
    shots.mkdir(exist_ok=True)
    findings = Findings()
    found: list[str] = []
    toolbar: list[bool] = []

    def check(page: Page, page_name: str) -> list[str]:
        state = page.evaluate(STATE)
        toolbar.append(state["toolbar"])
        if name in SHOT_MODES and page_name in SHOT_PAGES:
            page.screenshot(path=str(shots / f"{page_name}-{name}-1280.png"), full_page=True)
        return mode_misses(mode, state)

    def photograph(context: BrowserContext, pages: dict[str, str]) -> None:
        page = context.new_page()
        page.set_viewport_size(SHOT_PHONE)
        for page_name in SHOT_PAGES:
            if page_name in pages:
                visit(page, base, pages[page_name])
                page.screenshot(
                    path=str(shots / f"{page_name}-{name}-{SHOT_PHONE['width']}.png"),
                    full_page=True,
                )
        page.close()

    for every, signed_in in ((site.signed_in, True), (site.anonymous, False)):
        pages = {k: v for k, v in every.items() if mode.every_page or k in SHOT_PAGES}
        context = mode_context(browser, base, mode)
        try:
            if signed_in:
                sign_in(context.new_page(), base, site.editor, site.editor_password)
            sweep(context, base, pages, axe_source, check, findings, contrast=mode.contrast)
            if signed_in and mode.hant:
                found += fields_misses(context, base, site)
            if name in SHOT_MODES:
                photograph(context, pages)
        finally:
            context.close()

    if mode.a11y and not any(toolbar):
        found.append("(note) no a11y toolbar on any page yet: its checks were skipped")
    elif mode.a11y and not all(toolbar):
        found.append("a11y toolbar missing on some pages")
    found = findings.lines(name) + found
    failures = [line for line in found if not line.startswith("(note)")]
    assert failures == [], "\n".join(found)


# Reflow: what runs past the right edge of the page, or is cut off by its box, and a guess
# at why. Text that a box of its own scrolls sideways (overflow-x: auto, such as the channel
# bar on a phone or a wide table in a scrolling box) is allowed: WCAG 1.4.10 exempts it.
REFLOW = """() => {
  const root = document.scrollingElement;
  const width = root.clientWidth;
  const name = (el) => {
    let text = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
    for (const c of el.classList) text += "." + c;
    return text;
  };
  const where = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      parts.unshift(name(e));
    }
    return parts.join(" > ");
  };
  const hidden = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const box = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      if (style.position === "absolute" && (box.width <= 1 || box.height <= 1)) return true;
      if (style.clipPath === "inset(50%)" || style.visibility === "hidden") return true;
      if (box.right <= 0) return true;  // moved off the page on purpose (the skip link)
    }
    return false;
  };
  // The nearest ancestor that scrolls or clips sideways.
  const box = (el, axis) => {
    for (let e = el.parentElement; e && e !== document.body && e !== document.documentElement;
         e = e.parentElement) {
      const value = getComputedStyle(e)[axis];
      if (value !== "visible") return { el: e, value };
    }
    return null;
  };
  const why = (el) => {
    const reasons = [];
    const style = getComputedStyle(el);
    const table = el.closest("table");
    if (table) reasons.push(`a table ${Math.round(table.getBoundingClientRect().width)} px wide`);
    if (el.closest("pre")) reasons.push("preformatted text");
    if (/^(nowrap|pre)$/.test(style.whiteSpace)) reasons.push(`white-space: ${style.whiteSpace}`);
    if (/^(IMG|VIDEO|IFRAME|SVG|CANVAS|INPUT|SELECT|TEXTAREA)$/i.test(el.tagName)) {
      reasons.push(`a ${el.tagName.toLowerCase()} ${Math.round(el.getBoundingClientRect().width)} px wide`);
    }
    if (/px$/.test(style.minWidth) && parseFloat(style.minWidth) > width / 2) {
      reasons.push(`min-width: ${style.minWidth}`);
    }
    const words = (el.innerText || el.textContent || "").match(/[^\\s\\u3000-\\u9fff\\uff00-\\uffef]{20,}/g);
    if (words) reasons.push(`a long unbroken string «${words[0].slice(0, 60)}» (${words[0].length} chars)`);
    if (style.wordBreak === "keep-all") reasons.push("word-break: keep-all");
    const parent = el.parentElement && getComputedStyle(el.parentElement).display;
    if (parent && /flex|grid/.test(parent) && style.minWidth === "auto") {
      reasons.push(`a ${parent} item whose min-width: auto holds it at its content's width`);
    }
    return reasons.length ? reasons.join("; ") : `${Math.round(el.getBoundingClientRect().width)} px wide`;
  };
  const past = [];  // [element, right edge]
  for (const el of document.body.querySelectorAll("*")) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0 || rect.right <= width + 1) continue;
    if (box(el, "overflowX") || hidden(el)) continue;
    past.push([el, rect.right]);
  }
  // Text runs past its element's box without the element doing so (a long URL in a <p>).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const cut = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || el.closest("script, style, noscript, textarea, option")) continue;
    range.selectNodeContents(node);
    const rect = range.getBoundingClientRect();
    if (rect.width === 0) continue;
    const holder = box(node, "overflowX");
    const holderY = box(node, "overflowY");
    if (holder && holder.value !== "auto" && holder.value !== "scroll" && !hidden(el)) {
      const edge = holder.el.getBoundingClientRect();
      const clipped = rect.right > edge.right + 1 || rect.left < edge.left - 1;
      if (clipped && getComputedStyle(holder.el).textOverflow !== "ellipsis") {
        cut.push(`«${node.textContent.trim().slice(0, 30)}» cut off sideways by ` +
                 `${where(holder.el)} (overflow-x: ${holder.value}; ${why(el)})`);
      }
    }
    if (holderY && holderY.value !== "auto" && holderY.value !== "scroll" && !hidden(el)) {
      const edge = holderY.el.getBoundingClientRect();
      const clamp = getComputedStyle(holderY.el).webkitLineClamp;
      if (rect.bottom > edge.bottom + 1 && (!clamp || clamp === "none") && edge.height > 1) {
        cut.push(`«${node.textContent.trim().slice(0, 30)}» cut off at the bottom by ` +
                 `${where(holderY.el)} (${Math.round(edge.height)} px high)`);
      }
    }
    if (rect.right > width + 1 && !holder && !hidden(el)) past.push([el, rect.right]);
  }
  // The outermost of the elements past the edge, each with its widest part and a reason.
  const set = new Set(past.map(([el]) => el));
  const outermost = new Map();  // what and why: how far it reaches
  for (const [el, right] of past) {
    let top = true;
    for (let e = el.parentElement; e; e = e.parentElement) if (set.has(e)) { top = false; break; }
    if (!top) continue;
    let leaf = el, far = right;
    for (const [other, edge] of past) {
      if (other !== el && el.contains(other) && edge >= far) { leaf = other; far = edge; }
    }
    const what = where(el) + (leaf !== el ? ` (its ${where(leaf)})` : "") + `: ${why(leaf)}`;
    outermost.set(what, Math.max(outermost.get(what) || 0, Math.round(far)));
  }
  return { width, scrollWidth: root.scrollWidth,
           past: [...outermost].slice(0, 6).map(([what, far]) => `${what}, to ${far} px`),
           cut: [...new Set(cut)].slice(0, 6) };
}"""

# name: (viewport width, height, device scale factor)
REFLOW_SIZES = {"320px": (320, 640, 1), "zoom200": (640, 450, 2)}


@pytest.mark.slow(25)
@pytest.mark.parametrize("mode_name", ["normal", "care"])
def test_every_page_reflows_without_sideways_scrolling(
    browser, live_server, site: Site, mode_name: str
) -> None:
    base = live_server.url
    mode = Mode({"zixun_care": "1"}, care=True) if mode_name == "care" else Mode()
    found = []
    for size, (width, height, scale) in REFLOW_SIZES.items():
        findings = Findings()
        for pages, signed_in in ((site.signed_in, True), (site.anonymous, False)):
            context = mode_context(browser, base, mode, width=width, height=height, scale=scale)
            try:
                page = context.new_page()
                if signed_in:
                    sign_in(page, base, site.editor, site.editor_password)
                for name, path in pages.items():
                    visit(page, base, path)
                    classes = page.evaluate("[...document.documentElement.classList]")
                    if mode.care != ("care" in classes):
                        findings.add(name, ["not in 关怀版"])
                    measure = page.evaluate(REFLOW)
                    failures = [f"cut: {text}" for text in measure["cut"]]
                    if measure["scrollWidth"] > measure["width"] + 1:
                        failures.append(f"scrolls sideways ({measure['scrollWidth']} px in "
                                        f"{measure['width']})")  # fmt: skip
                    failures += [f"past the edge: {text}" for text in measure["past"]]
                    findings.add(name, failures)
            finally:
                context.close()
        found += findings.lines(f"{mode_name} {size}")
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("system", "cookie", "dark", "theme_class"),
    [("light", None, False, ""), ("dark", None, True, ""),
     ("dark", "light", False, "theme-light"), ("light", "dark", True, "theme-dark")],
)  # fmt: skip
def test_the_theme_follows_the_system_unless_the_reader_chose(
    browser, live_server, system: str, cookie: str | None, dark: bool, theme_class: str
) -> None:
    from zixun.channels.services import channel_defaults_ensure

    channel_defaults_ensure()  # a transactional test starts from an empty database
    base = live_server.url
    mode = Mode({"zixun_theme": cookie} if cookie else {}, color_scheme=system)
    context = mode_context(browser, base, mode)
    try:
        page = context.new_page()
        visit(page, base, "/")
        state = page.evaluate(STATE)
        themes = [c for c in state["htmlClasses"] if c.startswith("theme-")]
        assert themes == ([theme_class] if theme_class else []), state["htmlClasses"]
        light = luminance(state["background"])
        assert (light <= DARK_AT_MOST) if dark else (light >= LIGHT_AT_LEAST), state["background"]
    finally:
        context.close()
