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

// Follow, like and favourite without a reload: the forms post as JSON and the
// button flips; without this script they post and come back to the page.
const csrfToken = (form) => {
  const input = form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
};

// The article's like and favourite appear twice (under the body and in the phone's bottom
// bar): a press updates both.
const toggleForms = (form) => {
  const name = form.dataset.toggle || form.dataset.bar;
  if (name === "follow") return [form];
  return document.querySelectorAll(`form[data-toggle="${name}"], form[data-bar="${name}"]`);
};

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-toggle], form[data-bar]");
  if (!form) return;
  event.preventDefault();
  const body = new FormData(form);
  // getAttribute: these forms have an input named "action", which shadows form.action.
  fetch(form.getAttribute("action"), {
    method: "POST", body, credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
  }).then((r) => r.json().then((data) => ({ status: r.status, data }))).then(({ status, data }) => {
    if (status === 401 && data.login_url) {
      window.location = `${data.login_url}?next=${encodeURIComponent(window.location.pathname)}`;
      return;
    }
    if (!data.ok) { window.alert(data.error); return; }
    toggleForms(form).forEach((each) => {
      const button = each.querySelector("button");
      const action = each.querySelector("input[name=action]");
      action.value = data.state ? "off" : "on";
      button.classList.toggle("is-on", data.state);
      button.setAttribute("aria-pressed", String(data.state));
      const count = button.querySelector(".count");
      if (count) count.textContent = data.count;
      if (button.dataset.on) button.textContent = data.state ? button.dataset.on : button.dataset.off;
    });
    const followers = document.querySelector(".author-stats .followers");
    if (form.dataset.toggle === "follow" && followers) followers.textContent = data.count;
  }).catch(() => form.submit());
});

// 跟贴 without a reload on error: a refused comment (empty, too long, too frequent, not
// allowed) shows its message beside the box and the text stays. Without this script the
// form posts and the page comes back with the message and the text.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-comment]");
  if (!form) return;
  event.preventDefault();
  const error = form.querySelector(".form-error");
  const box = form.querySelector("textarea");
  const button = form.querySelector("button[type=submit]");
  const show = (text, done) => {
    error.textContent = text;
    error.hidden = !text;
    error.classList.toggle("is-done", Boolean(done));
    box.setAttribute("aria-invalid", String(Boolean(text) && !done));
  };
  button.disabled = true;
  const body = new FormData(form);
  body.append("then", "reload"); // the page reloads to show the comment, with the message
  fetch(form.getAttribute("action"), {
    method: "POST", body, credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
  }).then((r) => r.json()).then((data) => {
    button.disabled = false;
    if (!data.ok) { show(data.error); box.focus(); return; }
    if (data.held) { box.value = ""; show(data.message, true); return; }
    window.location.hash = `comment-${data.comment_id}`;
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

// Count copy-link and QR-code shares (the social ones post their own form).
const countShare = (element) => {
  const form = document.querySelector(".social-share form");
  if (!form) return;
  const body = new FormData();
  body.append("channel", element.dataset.share);
  fetch(form.getAttribute("action"), {
    method: "POST", body, credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
  }).then((r) => r.json()).then((data) => {
    if (!data.ok) return;
    document.querySelectorAll(".share-count, .bar-share-count").forEach((count) => {
      count.textContent = data.count;
    });
  });
};
document.addEventListener("click", (event) => {
  const copy = event.target.closest("button[data-share]");
  if (copy) countShare(copy);
});
document.querySelectorAll("details[data-share]").forEach((details) => {
  details.addEventListener("toggle", () => { if (details.open) countShare(details); }, { once: true });
});

// 更多 and the account menu close on a click elsewhere and on Escape (focus goes back
// to the menu's button), like the menus of a desktop application.
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.open = false;
  });
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    menu.open = false;
    menu.querySelector("summary").focus();
  });
});

// 不感兴趣 on a 为你推荐 item: the item goes at once and a note says so (without the
// script the form posts and the page comes back without it).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.dislike-form");
  if (!form) return;
  event.preventDefault();
  const body = new FormData(form);
  if (event.submitter && event.submitter.name) body.append(event.submitter.name, event.submitter.value);
  fetch(form.getAttribute("action"), {
    method: "POST", body, credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
  }).then((r) => r.json()).then((data) => {
    if (!data.ok) { window.alert(data.error); return; }
    const item = form.closest("li");
    const note = document.createElement("li");
    note.className = "feed-item dismissed";
    note.setAttribute("role", "status");
    note.textContent = data.message;
    item.replaceWith(note);
  }).catch(() => form.submit());
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
      const li = document.createElement("li");
      li.id = `${list.id}-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.className = `suggest-${item.kind}`;
      const link = document.createElement("a");
      link.href = item.url;
      link.tabIndex = -1;
      link.textContent = item.text;
      li.append(link);
      if (item.kind === "account") {
        const kind = document.createElement("span");
        kind.className = "suggest-kind";
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
      window.location.href = items[active].querySelector("a").href;
    }
  });
  input.addEventListener("blur", () => { setTimeout(close, 200); });
});
