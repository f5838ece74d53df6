// The studio's editor: live preview, autosave and image upload. The form works
// without this file (save, submit and upload are plain POSTs).
(() => {
  const form = document.getElementById("article-form");
  if (!form) return;
  const source = document.getElementById("id_body_source");
  const preview = document.getElementById("live-preview");
  const status = document.getElementById("autosave-status");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  // Messages come translated from the page (data-msg-*); "%(name)s" marks a value.
  const say = (key, values) =>
    (form.dataset[key] || "").replace(/%\((\w+)\)s/g, (_, name) => (values || {})[name] ?? "");

  const title = document.getElementById("id_title");
  const titleCount = document.getElementById("title-count");
  if (title && titleCount) {
    const count = () => {
      const n = [...title.value].length;
      titleCount.textContent = `${n} / ${titleCount.dataset.max}`;
      titleCount.classList.toggle("is-full", n >= Number(titleCount.dataset.max));
    };
    title.addEventListener("input", count);
    count();
  }
  const post = (url, body, accept) =>
    fetch(url, { method: "POST", body, headers: { "X-CSRFToken": csrf, Accept: accept || "text/html" }, credentials: "same-origin" });

  let previewTimer = null;
  const refreshPreview = () => {
    const body = new FormData();
    body.append("body_source", source.value);
    // The server renders with the same Markdown renderer and sanitizer as publishing.
    post(form.dataset.preview, body).then((r) => (r.ok ? r.text() : null)).then((html) => {
      if (html !== null) preview.innerHTML = html;
    });
  };
  source.addEventListener("input", () => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 400);
  });

  // 标题检查: the 标题党 reasons for the title, asked for on load and again 600 ms after the
  // writer stops typing. Text being composed in an input method (pinyin before it becomes
  // 汉字) is not checked; the check runs when the composition ends. The panel stays hidden
  // until an answer comes, and is re-filled only when the answer changes, so that screen
  // readers (aria-live) hear each new result once.
  const check = document.getElementById("title-check");
  if (check && title) {
    const message = check.querySelector(".title-check-message");
    const reasons = check.querySelector(".title-check-reasons");
    let composing = false;
    let checkTimer = null;
    let asked = 0;
    let shown = "";
    const show = (data) => {
      const key = JSON.stringify([data.level, data.message, data.reasons]);
      if (key === shown) return;
      shown = key;
      check.dataset.level = data.level;
      message.textContent = data.message;
      reasons.replaceChildren(...data.reasons.map((text) => {
        const item = document.createElement("li");
        item.textContent = text;
        return item;
      }));
      check.hidden = false;
    };
    const runCheck = () => {
      const body = new FormData();
      body.append("title", title.value);
      body.append("body", source.value.slice(0, 20000));
      const mine = ++asked;
      // A refused or failed check (rate limit, network) keeps the last answer shown.
      post(check.dataset.url, body, "application/json")
        .then((r) => (r.ok ? r.json() : null))
        .then((data) => { if (data && mine === asked) show(data); })
        .catch(() => {});
    };
    const scheduleCheck = (event) => {
      if (composing || event?.isComposing) return;
      clearTimeout(checkTimer);
      checkTimer = setTimeout(runCheck, 600);
    };
    for (const field of [title, source]) {
      field.addEventListener("compositionstart", () => { composing = true; clearTimeout(checkTimer); });
      field.addEventListener("compositionend", () => { composing = false; scheduleCheck(); });
      field.addEventListener("input", scheduleCheck);
    }
    runCheck();
  }

  const autosaveUrl = form.dataset.autosave;
  let dirty = false;
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("submit", () => { dirty = false; });
  if (autosaveUrl) {
    setInterval(() => {
      if (!dirty) return;
      dirty = false;
      const body = new FormData(form);
      body.delete("action");
      post(autosaveUrl, body, "application/json").then((r) => r.json()).then((data) => {
        status.textContent = data.ok ? say("msgSaved", { time: data.saved_at }) : say("msgSaveFailed", { error: data.error });
      }).catch(() => { status.textContent = say("msgSaveFailed", { error: say("msgNetwork") }); dirty = true; });
    }, 10000);
  }
  window.addEventListener("beforeunload", (event) => { if (dirty) event.preventDefault(); });

  // The image panel beside the editor: every image can go into the body at the cursor
  // or become the cover; a new upload goes into the body at once and joins the list.
  const imageForm = document.getElementById("image-form");
  const uploadStatus = document.getElementById("upload-status");
  const imageList = document.getElementById("image-list");
  const cover = document.getElementById("id_cover_image");
  const insert = (markdown) => {
    const at = source.selectionStart ?? source.value.length;
    const before = source.value.slice(0, at);
    const text = `${before && !before.endsWith("\n") ? "\n" : ""}${markdown}\n`;
    source.value = before + text + source.value.slice(at);
    source.selectionStart = source.selectionEnd = at + text.length;
    dirty = true;
    refreshPreview();
  };
  const markCover = () => {
    imageList.querySelectorAll("button[data-cover]").forEach((button) => {
      button.setAttribute("aria-pressed", String(cover.value === button.closest("li").dataset.image));
    });
  };
  const addButtons = (item) => {
    const actions = document.createElement("div");
    actions.className = "image-actions";
    const alt = item.querySelector(".image-alt").textContent;
    for (const [key, kind] of [["msgInsert", "insert"], ["msgCover", "cover"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = say(key);
      button.setAttribute("aria-label", `${say(key)}：${alt}`);
      if (kind === "cover") button.dataset.cover = "";
      actions.append(button);
    }
    item.querySelector(".image-info").append(actions);
    item.querySelector(".image-markdown").hidden = true;
  };
  if (imageList) {
    imageList.querySelectorAll("li[data-image]").forEach(addButtons);
    imageList.addEventListener("click", (event) => {
      const button = event.target.closest(".image-actions button");
      if (!button) return;
      const item = button.closest("li");
      if (button.dataset.cover === undefined) {
        insert(item.dataset.markdown);
        uploadStatus.textContent = say("msgInserted");
      } else if (cover) {
        cover.value = item.dataset.image;
        cover.dispatchEvent(new Event("input", { bubbles: true }));
        uploadStatus.textContent = say("msgCoverSet");
        markCover();
      }
    });
    if (cover) { cover.addEventListener("change", markCover); markCover(); }
  }
  imageForm.addEventListener("submit", (event) => {
    event.preventDefault();
    uploadStatus.textContent = say("msgUploading");
    post(imageForm.action, new FormData(imageForm), "application/json").then((r) => r.json()).then((data) => {
      if (!data.ok) { uploadStatus.textContent = data.error; return; }
      insert(data.markdown);
      uploadStatus.textContent = say("msgInserted");
      // The new image can be the cover at once: it joins the cover list and the panel.
      if (cover && !cover.querySelector(`option[value="${data.id}"]`)) {
        const option = document.createElement("option");
        option.value = data.id;
        option.textContent = data.alt;
        cover.append(option);
      }
      if (imageList) {
        imageList.querySelector("li.empty")?.remove();
        const item = document.createElement("li");
        item.dataset.image = data.id;
        item.dataset.markdown = data.markdown;
        const img = document.createElement("img");
        Object.assign(img, { src: data.thumb, alt: "", width: 88, height: 59 });
        const info = document.createElement("div");
        info.className = "image-info";
        const alt = document.createElement("span");
        alt.className = "image-alt";
        alt.title = alt.textContent = data.alt;
        const code = document.createElement("code");
        code.className = "image-markdown";
        code.textContent = data.markdown;
        info.append(alt, code);
        item.append(img, info);
        imageList.prepend(item);
        addButtons(item);
        markCover();
      }
      imageForm.reset();
    }).catch(() => { uploadStatus.textContent = say("msgUploadFailed", { error: say("msgNetwork") }); });
  });
})();
