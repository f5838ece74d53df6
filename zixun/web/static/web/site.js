// Progressive enhancement only: every feature works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.querySelector(button.dataset.copy);
  if (!input) return;
  const done = () => {
    const label = button.textContent;
    button.textContent = button.dataset.done;
    setTimeout(() => { button.textContent = label; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, () => { input.select(); });
  } else {
    input.select();
    try { document.execCommand("copy"); done(); } catch (e) { /* the link stays selected */ }
  }
});

// Follow, like and favourite without a reload: the buttons call the API (/api/v1/me/…, PUT to
// add, DELETE to remove) with the session and the form's CSRF token, and flip; without this
// script the forms post and come back to the page. A reader who is not signed in (the cached
// page has no token) gets the form post, which sends them to sign in and back.
const csrfToken = (form) => {
  const input = form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
};
// The headers of a call to the API: the CSRF token when signed in, and the page's language
// (the API would otherwise pick the browser's Accept-Language; the pages are Chinese unless
// the reader chose). A 繁體 reader's answers are converted like the pages.
const apiHeaders = (token, json) => {
  const headers = { Accept: "application/json", "Accept-Language": document.documentElement.lang || "zh-CN" };
  if (token) headers["X-CSRFToken"] = token;
  if (json) headers["Content-Type"] = "application/json";
  return headers;
};

// A refused press (a like, a follow, 不感兴趣): its message in words beside the buttons, in a
// polite live region (never a pop-up, which 关怀版 rules out): under the article's row of
// buttons, above the phone's bottom bar, after a follow button or a 不感兴趣 menu. The region
// is put in the page empty and filled a moment later, so that screen readers announce it.
const noteFor = (form) => {
  const bar = form.closest(".article-bar");
  const anchor = bar ? bar.lastElementChild : form.closest(".article-actions, details") || form;
  if (anchor.classList.contains("toggle-note")) return anchor;
  const next = anchor.nextElementSibling;
  if (next && next.classList.contains("toggle-note")) return next;
  const note = document.createElement("p");
  note.className = "toggle-note";
  note.setAttribute("role", "status");
  anchor.after(note);
  return note;
};
const noteShow = (form, text) => {
  const note = noteFor(form);
  note.textContent = "";
  if (text) window.setTimeout(() => { note.textContent = text; }, 100);
};
const notesClear = () => {
  document.querySelectorAll(".toggle-note").forEach((note) => { note.textContent = ""; });
};

// The article's like and favourite appear twice (under the body and in the phone's bottom
// bar): a press updates both.
const toggleForms = (form) => {
  const name = form.dataset.toggle || form.dataset.bar;
  if (name === "follow") return [form];
  return document.querySelectorAll(`form[data-toggle="${name}"], form[data-bar="${name}"]`);
};

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-toggle][data-api], form[data-bar][data-api]");
  if (!form) return;
  const token = csrfToken(form);
  if (!token) return; // not signed in: the form goes to the sign-in page
  event.preventDefault();
  const on = form.querySelector("input[name=action]").value !== "off";
  fetch(form.dataset.api, {
    method: on ? "PUT" : "DELETE", credentials: "same-origin", headers: apiHeaders(token),
  }).then((r) => r.json().then((data) => ({ status: r.status, data }))).then(({ status, data }) => {
    if (status === 401) { form.submit(); return; }
    if (status !== 200) { noteShow(form, data.detail || data.title || form.dataset.failed); return; }
    notesClear();
    toggleForms(form).forEach((each) => {
      const button = each.querySelector("button");
      const action = each.querySelector("input[name=action]");
      action.value = data.active ? "off" : "on";
      button.classList.toggle("is-on", data.active);
      button.setAttribute("aria-pressed", String(data.active));
      const count = button.querySelector(".count");
      if (count) count.textContent = data.count;
      if (button.dataset.on) button.textContent = data.active ? button.dataset.on : button.dataset.off;
    });
    const followers = document.querySelector(".author-stats .followers");
    if (form.dataset.toggle === "follow" && followers) followers.textContent = data.count;
  }).catch(() => form.submit());
});

// A message for the page after the reload that shows a change (跟贴已发布), shown where the
// site's own messages are, as a form post's redirect would show it.
const FLASH_KEY = "zixun.flash";
const flashKeep = (text) => {
  try { window.sessionStorage.setItem(FLASH_KEY, text); } catch (e) { /* no message then */ }
};
(() => {
  let text = null;
  try {
    text = window.sessionStorage.getItem(FLASH_KEY);
    window.sessionStorage.removeItem(FLASH_KEY);
  } catch (e) { return; }
  const main = document.getElementById("main");
  if (!text || !main) return;
  let list = main.querySelector(":scope > .messages");
  if (!list) {
    list = document.createElement("ul");
    list.className = "messages";
    list.setAttribute("role", "status");
    main.prepend(list);
  }
  const item = document.createElement("li");
  item.className = "message success";
  item.textContent = text;
  list.append(item);
})();

// 跟贴, 回复, 编辑 and 删除 call the API (POST /api/v1/me/comments, PATCH and DELETE
// /api/v1/me/comments/{id}) with the session and the form's CSRF token. A refusal (empty,
// too long, too frequent, not allowed) shows its message beside the box and the text stays;
// a held comment says so there; otherwise the page reloads at the comment to show it.
// Without this script the forms post and the page comes back with the message.
const jsonOf = (response) => (response.status === 204
  ? Promise.resolve({ status: 204, data: {} })
  : response.json().then((data) => ({ status: response.status, data })));
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-comment][data-api]");
  if (!form) return;
  const token = csrfToken(form);
  if (!token) return; // no session to call the API with: the form post says what to do
  event.preventDefault();
  const method = form.dataset.method || "POST";
  const error = form.querySelector(".form-error");
  const box = form.querySelector("textarea");
  const button = form.querySelector("button[type=submit]");
  const show = (text, done) => {
    error.textContent = text;
    error.hidden = !text;
    error.classList.toggle("is-done", Boolean(done));
    if (box) box.setAttribute("aria-invalid", String(Boolean(text) && !done));
  };
  let body;
  if (method === "POST") {
    const parent = form.querySelector("input[name=parent]");
    body = { article_id: Number(form.dataset.article), body: box.value };
    if (parent) body.reply_to = Number(parent.value);
  } else if (method === "PATCH") {
    body = { body: box.value };
  }
  button.disabled = true;
  fetch(form.dataset.api, {
    method, credentials: "same-origin", headers: apiHeaders(token, Boolean(body)),
    body: body ? JSON.stringify(body) : undefined,
  }).then(jsonOf).then(({ status, data }) => {
    button.disabled = false;
    if (status === 401) { form.submit(); return; }
    if (status >= 400) {
      show(data.detail || data.title || "");
      if (box) box.focus();
      return;
    }
    if (method === "POST" && data.held) { box.value = ""; show(data.message, true); return; }
    if (data.message && (method === "POST" || data.held)) flashKeep(data.message);
    window.location.hash = method === "DELETE" || data.held ? "comments" : `comment-${data.id}`;
    window.location.reload();
  }).catch(() => { button.disabled = false; form.submit(); });
});

// The bottom bar's 分享 opens the share menu at the top of the article.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-open-share]");
  const menu = document.querySelector(".share-menu");
  if (!link || !menu) return;
  menu.open = true;
});

// Count copy-link and QR-code shares through the API (POST /api/v1/articles/{id}/shares,
// anonymous readers too; a signed-in reader's page has the CSRF token in the social buttons'
// forms). The social buttons post their own form, which counts and goes on to that site.
const countShare = (element) => {
  const share = element.closest("[data-api]");
  const form = document.querySelector(".social-share form");
  if (!share) return;
  fetch(share.dataset.api, {
    method: "POST", credentials: "same-origin", headers: apiHeaders(form ? csrfToken(form) : "", true),
    body: JSON.stringify({ channel: element.dataset.share }),
  }).then((r) => (r.status === 201 ? r.json() : null)).then((data) => {
    if (!data) return;
    document.querySelectorAll(".share-count, .bar-share-count").forEach((count) => {
      count.textContent = data.count;
    });
  }).catch(() => {});
};
document.addEventListener("click", (event) => {
  const copy = event.target.closest("button[data-share]");
  if (copy) countShare(copy);
});
document.querySelectorAll("details[data-share]").forEach((details) => {
  details.addEventListener("toggle", () => { if (details.open) countShare(details); }, { once: true });
});

// 更多 and the account menu close on a click elsewhere and on Escape (focus goes back
// to the menu's button), like the menus of a desktop application; the share panel on Escape.
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.open = false;
  });
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll("details.menu[open], details.share-menu[open]").forEach((menu) => {
    menu.open = false;
    menu.querySelector("summary").focus();
  });
});

// 不感兴趣 on a 为你推荐 item: PUT /api/v1/me/dislikes/{id} with the reason pressed; the item
// goes at once and a note says so (without the script the form posts and the page comes
// back without it).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.dislike-form[data-api]");
  if (!form || !event.submitter || event.submitter.name !== "reason") return;
  const token = csrfToken(form);
  if (!token) return;
  event.preventDefault();
  const reason = event.submitter.value;
  const post = () => { // the form post, with the reason its button would have sent
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "reason";
    input.value = reason;
    form.append(input);
    form.submit();
  };
  fetch(form.dataset.api, {
    method: "PUT", credentials: "same-origin", headers: apiHeaders(token, true),
    body: JSON.stringify({ reason }),
  }).then((r) => r.json().then((data) => ({ status: r.status, data }))).then(({ status, data }) => {
    if (status === 401) { post(); return; }
    if (status !== 200) { noteShow(form, data.detail || data.title || form.dataset.failed); return; }
    const item = form.closest("li");
    const note = document.createElement("li");
    note.className = "feed-item dismissed";
    note.setAttribute("role", "status");
    note.textContent = data.message;
    item.replaceWith(note);
  }).catch(post);
});

// 读完: when the end of the article comes into view after the reader has been on the page
// for READ_SECONDS, tell the site once (a ranking signal; bots and repeats are not counted).
const READ_SECONDS = 10;
const articleEnd = document.querySelector(".article-end[data-read]");
if (articleEnd && "IntersectionObserver" in window) {
  const openedAt = Date.now();
  let sent = false;
  const send = () => {
    if (sent) return;
    sent = true;
    const body = new FormData();
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) body.append("csrfmiddlewaretoken", token.value);
    fetch(articleEnd.dataset.read, { method: "POST", body, credentials: "same-origin", keepalive: true })
      .catch(() => {});
  };
  let timer = null;
  new IntersectionObserver((entries, observer) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    const wait = READ_SECONDS * 1000 - (Date.now() - openedAt);
    observer.disconnect();
    if (wait <= 0) send(); else timer = window.setTimeout(send, wait);
  }).observe(articleEnd);
  window.addEventListener("pagehide", () => { if (timer) window.clearTimeout(timer); });
}

// Search suggestions: accounts and popular queries under the search box, as a listbox the
// arrow keys walk. Nothing is fetched while an input method is composing (拼音 being typed).
document.querySelectorAll("input[data-suggest]").forEach((input) => {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  if (!list) return;
  let composing = false;
  let timer = 0;
  let active = -1;
  let asked = "";
  const options = () => Array.from(list.querySelectorAll("[role=option]"));
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const mark = (index) => {
    const items = options();
    items.forEach((item, i) => item.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", items[index].id);
    else input.removeAttribute("aria-activedescendant");
  };
  const show = (items) => {
    list.replaceChildren();
    items.forEach((item, i) => {
      // The link is the option (an option holding a link would nest two controls); the
      // account chip is shown beside it and said inside it.
      const li = document.createElement("li");
      li.setAttribute("role", "none");
      li.className = `suggest-${item.kind}`;
      const link = document.createElement("a");
      link.id = `${list.id}-${i}`;
      link.setAttribute("role", "option");
      link.setAttribute("aria-selected", "false");
      link.href = item.url;
      link.tabIndex = -1;
      link.textContent = item.text;
      li.append(link);
      if (item.kind === "account") {
        const said = document.createElement("span");
        said.className = "visually-hidden";
        said.textContent = ` ${list.dataset.accountLabel || ""}`;
        link.append(said);
        const kind = document.createElement("span");
        kind.className = "suggest-kind";
        kind.setAttribute("aria-hidden", "true");
        kind.textContent = list.dataset.accountLabel || "";
        li.append(kind);
      }
      list.append(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    active = -1;
  };
  const ask = () => {
    const text = input.value.trim();
    if (!text) { close(); return; }
    if (text === asked) return;
    asked = text;
    fetch(`${input.dataset.suggest}?q=${encodeURIComponent(text)}`, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { items: [] }))
      .then((data) => { if (input.value.trim() === text) show(data.items || []); })
      .catch(() => close());
  };
  input.addEventListener("compositionstart", () => { composing = true; });
  input.addEventListener("compositionend", () => { composing = false; clearTimeout(timer); timer = setTimeout(ask, 150); });
  input.addEventListener("input", () => {
    if (composing) return;
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (event.isComposing || list.hidden) return;
    const items = options();
    if (event.key === "ArrowDown") { event.preventDefault(); mark((active + 1) % items.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); mark(active <= 0 ? items.length - 1 : active - 1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = items[active].href;
    }
  });
  input.addEventListener("blur", () => { setTimeout(close, 200); });
});

// 无障碍工具 (web/_a11y_toolbar.html, shown in 无障碍浏览): text size, high contrast, line
// spacing and a large pointer, kept in this browser and set on <html> as classes, which
// a11y-boot.js sets again before the next page is drawn. The buttons stay hidden without
// this script; the way out is a plain link.
const A11Y_KEY = "zixun.a11y";
const A11Y_SIZES = ["100%", "115%", "130%", "150%"];
const A11Y_TOGGLES = ["contrast", "spacing", "cursor"];
const a11yTools = document.querySelector("[data-a11y-tools]");
if (a11yTools) {
  let settings = {};
  try { settings = JSON.parse(window.localStorage.getItem(A11Y_KEY) || "{}") || {}; } catch (e) { /* none kept */ }
  const sizeNow = () => Math.min(Math.max(Number(settings.text) || 0, 0), A11Y_SIZES.length - 1);
  const show = () => {
    const root = document.documentElement.classList;
    const size = sizeNow();
    A11Y_SIZES.forEach((_, i) => { if (i) root.toggle(`a11y-text-${i}`, i === size); });
    A11Y_TOGGLES.forEach((name) => root.toggle(`a11y-${name}`, settings[name] === true));
    a11yTools.querySelectorAll("[data-a11y-toggle]").forEach((button) => {
      button.setAttribute("aria-pressed", String(settings[button.dataset.a11yToggle] === true));
    });
    const value = a11yTools.querySelector("[data-a11y-size-value]");
    if (value.textContent !== A11Y_SIZES[size]) value.textContent = A11Y_SIZES[size];
    // At the ends A− or A+ says it can go no further, and keeps the focus (not disabled).
    a11yTools.querySelector('[data-a11y-size="-1"]').setAttribute("aria-disabled", String(size === 0));
    a11yTools.querySelector('[data-a11y-size="1"]').setAttribute("aria-disabled", String(size === A11Y_SIZES.length - 1));
  };
  a11yTools.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || button.getAttribute("aria-disabled") === "true") return;
    if (button.dataset.a11yToggle) {
      const name = button.dataset.a11yToggle;
      settings[name] = settings[name] !== true;
    } else if (button.dataset.a11ySize === "0") {
      settings.text = 0;
    } else if (button.dataset.a11ySize) {
      settings.text = sizeNow() + Number(button.dataset.a11ySize);
    }
    settings.text = Math.min(Math.max(Number(settings.text) || 0, 0), A11Y_SIZES.length - 1);
    try { window.localStorage.setItem(A11Y_KEY, JSON.stringify(settings)); } catch (e) { /* this page only */ }
    show();
  });
  show();
  a11yTools.hidden = false;
}
