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

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-toggle]");
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
    const button = form.querySelector("button");
    const action = form.querySelector("input[name=action]");
    action.value = data.state ? "off" : "on";
    button.classList.toggle("is-on", data.state);
    button.setAttribute("aria-pressed", String(data.state));
    const count = button.querySelector(".count");
    if (count) count.textContent = data.count;
    if (button.dataset.on) button.textContent = data.state ? button.dataset.on : button.dataset.off;
    const followers = document.querySelector(".author-stats .followers");
    if (form.dataset.toggle === "follow" && followers) followers.textContent = data.count;
  }).catch(() => form.submit());
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
    const count = document.querySelector(".share-count");
    if (data.ok && count) count.textContent = data.count;
  });
};
document.addEventListener("click", (event) => {
  const copy = event.target.closest("button[data-share]");
  if (copy) countShare(copy);
});
document.querySelectorAll("details[data-share]").forEach((details) => {
  details.addEventListener("toggle", () => { if (details.open) countShare(details); }, { once: true });
});
