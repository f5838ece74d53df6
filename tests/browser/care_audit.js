// 关怀版 audit: what a page measures in the browser, for tests/browser/test_care_mode.py.
// Returns the numbers and the elements that miss the rules (docs/accessibility.md):
// text ≥ 18 px, line height ≥ 1.5 × the font size, contrast ≥ 4.5:1 (and the main
// text's ≥ 7:1), targets ≥ 60 × 60 CSS px, headings larger than the text, one column,
// nothing fixed on the screen, no text squeezed a character a line, no sideways scrolling.
(options) => {
  const MIN_TEXT = 18, MIN_LINE = 1.5, MIN_CONTRAST = 4.5, MIN_TARGET = 60;

  const parse = (colour) => {
    const m = colour.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const luminance = (rgb) => {
    const [r, g, b] = rgb.slice(0, 3).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  // The colour behind an element: its own and its ancestors' backgrounds, over white.
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const bg = parse(getComputedStyle(node).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const opacity = (el) => {
    let value = 1;
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      value *= Number(getComputedStyle(node).opacity);
    }
    return value;
  };
  const describe = (el) => {
    const cls = typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\s+/).join(".") : "";
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${cls} «${text.slice(0, 24)}»`;
  };
  const shown = (el) => {
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    const box = el.getBoundingClientRect();
    // visually hidden (1 px, for screen readers) and moved off the page (the skip link)
    return box.width > 1 && box.height > 1 && box.right > 0 && box.bottom > -window.scrollY;
  };
  const ownText = (el) => [...el.childNodes].some(
    (n) => n.nodeType === 3 && n.textContent.trim());
  const px = (value) => parseFloat(value);
  const lineHeight = (style) => style.lineHeight === "normal" ? 1.2 * px(style.fontSize)
    : px(style.lineHeight);
  const FIELDS = "input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]), textarea, select";

  const texts = [];
  for (const el of document.body.querySelectorAll("*")) {
    const field = el.matches(FIELDS);
    if (!field && !ownText(el)) continue;
    if (["SCRIPT", "STYLE", "NOSCRIPT", "OPTION", "TITLE"].includes(el.tagName)) continue;
    if (!shown(el)) continue;
    const style = getComputedStyle(el);
    const size = px(style.fontSize);
    const bg = background(el);
    const fg = parse(style.color);
    fg[3] *= opacity(el);
    texts.push({
      el, field, size, what: describe(el),
      line: lineHeight(style) / size,
      contrast: ratio(over(fg, bg), bg),
      heading: /^H[1-6]$/.test(el.tagName),
    });
  }
  const round = (v) => Math.round(v * 100) / 100;
  const bodySize = px(getComputedStyle(document.body).fontSize);
  // The main text: what the page's main region (options.main) is set in, and every text
  // in it at that size or larger (headings aside); smaller text is secondary (dates,
  // notes), held to the rules for all text.
  const regions = [...document.querySelectorAll(options.main)].filter(shown);
  const inMain = (el) => regions.some((r) => r === el || r.contains(el));
  const mainSize = regions.length ? Math.min(...regions.map((r) => px(getComputedStyle(r).fontSize))) : 0;
  const main = texts.filter((t) => inMain(t.el) && !t.heading && !t.field && t.size >= mainSize - 0.01);

  // Targets: links, buttons, disclosure summaries and form fields; a check box or radio
  // button is measured by its label. Links in what people write (options.prose: an
  // article's body and its previews) stay in the flow of their text, as WCAG 2.5.8 allows.
  const targets = [];
  const seen = new Set();
  const TARGETS = "a[href], button, summary, select, textarea, input:not([type=hidden]), [role=button], [tabindex]:not([tabindex='-1'])";
  for (let el of document.body.querySelectorAll(TARGETS)) {
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      el = el.closest("label") || document.querySelector(`label[for="${el.id}"]`) || el;
    }
    if (seen.has(el) || !shown(el) || el.closest("main#main") === el) continue;
    seen.add(el);
    if (el.closest(options.prose) !== null) continue;
    const box = el.getBoundingClientRect();
    targets.push({ what: describe(el), width: round(box.width), height: round(box.height) });
  }

  const stacked = (container) => {
    const kids = [...container.children].filter(shown).map((k) => k.getBoundingClientRect());
    return kids.every((box, i) => i === 0 || box.top >= kids[i - 1].bottom - 1);
  };
  const columns = [...document.querySelectorAll(options.columns)].filter(shown)
    .filter((c) => !stacked(c)).map(describe);
  // Text squeezed into a column a character or two wide, one character a line.
  const squeezed = texts.filter((t) => {
    const box = t.el.getBoundingClientRect();
    return !t.field && box.width < 2.5 * t.size && box.height > 3.5 * t.line * t.size;
  }).map((t) => t.what);
  const fixed = [...document.body.querySelectorAll("*")]
    .filter((el) => getComputedStyle(el).position === "fixed" && shown(el)).map(describe);

  const textFails = texts.filter((t) => t.size < MIN_TEXT - 0.01
    || (!t.field && t.line < MIN_LINE - 0.01) || t.contrast < MIN_CONTRAST)
    .map((t) => `${t.what}: ${round(t.size)}px, line ${round(t.line)}, contrast ${round(t.contrast)}`);
  const headings = texts.filter((t) => t.heading);
  // A heading is larger than the text around it: the main text in the main region, the
  // body's text elsewhere.
  const headingFails = headings.filter((t) => t.size <= (inMain(t.el) ? Math.max(bodySize, mainSize) : bodySize))
    .map((t) => `${t.what}: ${round(t.size)}px`);
  const targetFails = targets.filter((t) => t.width < MIN_TARGET - 0.5 || t.height < MIN_TARGET - 0.5)
    .map((t) => `${t.what}: ${t.width}×${t.height}`);
  const smallest = targets.reduce((a, t) => (!a || t.width * t.height < a.width * a.height ? t : a), null);
  const minOf = (list, key) => (list.length ? round(Math.min(...list.map((t) => t[key]))) : 0);
  return {
    bodySize, mainSize: round(mainSize), mainMin: minOf(main, "size"),
    mainLine: minOf(main, "line"),
    mainContrast: minOf(main, "contrast"),
    minText: minOf(texts, "size"),
    minLine: minOf(texts.filter((t) => !t.field), "line"),
    minContrast: minOf(texts, "contrast"),
    minHeading: minOf(headings, "size"),
    minTargetWidth: minOf(targets, "width"),
    minTargetHeight: minOf(targets, "height"),
    smallestTarget: smallest ? `${smallest.width}×${smallest.height} ${smallest.what}` : "",
    targetCount: targets.length,
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
    // below 7:1: allowed (≥ 4.5:1), listed to be seen
    lowContrast: texts.filter((t) => t.contrast < 7).map((t) => `${t.what}: ${round(t.contrast)}`),
    textFails, headingFails, targetFails, columns, fixed, squeezed,
  };
}
