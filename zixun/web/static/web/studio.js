// The studio's editor: live preview, 标题检查, 无障碍检查, autosave and image upload. The
// form works without this file (save, submit and upload are plain POSTs).
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

  // Input methods (拼音, 五笔 …): between compositionstart and compositionend a field holds
  // letters that are not the writer's text yet, and work done then (a preview, a check, an
  // autosave) can break the composition. This one guard serves everything that follows
  // typing: nothing runs or is scheduled while any composition is open, and when it ends,
  // each task that was waiting or watches the composed field is scheduled once.
  let composing = false;
  const guards = [];
  document.addEventListener("compositionstart", () => {
    composing = true;
    guards.forEach((guard) => guard.pause());
  }, true);
  document.addEventListener("compositionend", (event) => {
    composing = false;
    guards.forEach((guard) => guard.resume(event.target));
  }, true);
  // Run `task` `wait` ms after the last change to `fields` (at the latest `atMost` ms
  // after the first change, for typing that never pauses).
  const afterTyping = (fields, wait, task, atMost = 0) => {
    let timer = null;
    let first = 0;
    let waiting = false;
    const fire = () => {
      timer = null;
      if (composing) { waiting = true; return; }
      first = 0;
      task();
    };
    const schedule = (event) => {
      if (composing || event?.isComposing) { waiting = true; return; }
      const now = Date.now();
      first ||= now;
      clearTimeout(timer);
      timer = setTimeout(fire, atMost ? Math.max(0, Math.min(wait, first + atMost - now)) : wait);
    };
    const guard = {
      schedule,
      pause: () => {
        if (timer !== null) { clearTimeout(timer); timer = null; waiting = true; }
      },
      resume: (target) => {
        if (waiting || fields.some((field) => field === target || field.contains(target))) {
          waiting = false;
          schedule();
        }
      },
    };
    fields.forEach((field) => field.addEventListener("input", schedule));
    guards.push(guard);
    return guard;
  };

  // The live preview: the server renders with the same Markdown renderer and sanitizer as
  // publishing. An answer that arrives after a newer question is dropped.
  let previewAsked = 0;
  const refreshPreview = () => {
    const body = new FormData();
    body.append("body_source", source.value);
    const mine = ++previewAsked;
    post(form.dataset.preview, body).then((r) => (r.ok ? r.text() : null)).then((html) => {
      if (html !== null && mine === previewAsked) preview.innerHTML = html;
    }).catch(() => {});
  };
  afterTyping([source], 400, refreshPreview);

  // 标题检查: the 标题党 reasons for the title, asked for on load and again 600 ms after the
  // writer stops typing (never of pinyin still being composed). The panel stays hidden
  // until an answer comes, and is re-filled only when the answer changes, so that screen
  // readers (aria-live) hear each new result once.
  const check = document.getElementById("title-check");
  if (check && title) {
    const message = check.querySelector(".title-check-message");
    const reasons = check.querySelector(".title-check-reasons");
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
    afterTyping([title, source], 600, runCheck);
    runCheck();
  }

  // 无障碍检查: images without a useful alt, skipped heading levels, links that say nothing.
  // Asked for on load, 800 ms after the body stops changing, and again when the writer
  // submits: with problems, the first press only shows them and says so beside the button
  // (which now reads 仍然提交); a second press submits. Editing the body starts over.
  const a11y = document.getElementById("a11y-check");
  if (a11y) {
    const message = a11y.querySelector(".a11y-check-message");
    const issues = a11y.querySelector(".a11y-check-issues");
    const note = document.getElementById("a11y-confirm");
    let asked = 0;
    let shown = "";
    const show = (data) => {
      const key = JSON.stringify([data.message, data.issues.map((issue) => issue.message)]);
      if (key === shown) return;
      shown = key;
      a11y.dataset.level = data.issues.length ? "some" : "none";
      message.textContent = data.message;
      issues.replaceChildren(...data.issues.map((issue) => {
        const item = document.createElement("li");
        item.dataset.code = issue.code;
        item.textContent = issue.message;
        return item;
      }));
      a11y.hidden = false;
    };
    // The answer, or null if the check was refused or failed (then nothing is held back).
    const runA11y = () => {
      const body = new FormData();
      body.append("body", source.value);
      const mine = ++asked;
      return post(a11y.dataset.url, body, "application/json")
        .then((r) => (r.ok ? r.json() : null))
        .then((data) => {
          if (data && mine === asked) show(data);
          return data;
        })
        .catch(() => null);
    };
    afterTyping([source], 800, runA11y);
    runA11y();

    let armed = null; // the button whose next press submits in spite of the problems
    let checking = false;
    const disarm = () => {
      if (!armed) return;
      armed.textContent = armed.dataset.label;
      armed.removeAttribute("aria-describedby");
      armed = null;
      note.textContent = "";
    };
    form.querySelectorAll("button[data-a11y-confirm]").forEach((button) => {
      button.dataset.label = button.textContent;
      button.addEventListener("click", (event) => {
        if (armed === button) return;
        event.preventDefault();
        if (checking) return;
        checking = true;
        runA11y().then((data) => {
          checking = false;
          disarm();
          armed = button;
          if (!data || !data.issues.length) {
            form.requestSubmit(button);
            return;
          }
          button.textContent = button.dataset.a11yConfirm;
          button.setAttribute("aria-describedby", note.id);
          note.textContent = say("msgA11yConfirm", { button: button.dataset.a11yConfirm });
        });
      });
    });
    source.addEventListener("input", disarm);
  }

  // Autosave: 3 s after the draft stops changing, at least every 10 s while it keeps
  // changing (the server allows 30 a minute), never during a composition.
  const autosaveUrl = form.dataset.autosave;
  let dirty = false;
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("submit", () => { dirty = false; });
  if (autosaveUrl) {
    const autosave = () => {
      if (!dirty) return;
      dirty = false;
      const body = new FormData(form);
      body.delete("action");
      post(autosaveUrl, body, "application/json").then((r) => r.json()).then((data) => {
        if (!data.ok) dirty = true;
        status.textContent = data.ok ? say("msgSaved", { time: data.saved_at }) : say("msgSaveFailed", { error: data.error });
      }).catch(() => { status.textContent = say("msgSaveFailed", { error: say("msgNetwork") }); dirty = true; });
    };
    afterTyping([form], 3000, autosave, 10000);
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
    // As if typed: the preview, the checks and autosave follow.
    source.dispatchEvent(new Event("input", { bubbles: true }));
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
