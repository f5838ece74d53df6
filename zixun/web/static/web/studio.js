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

  const imageForm = document.getElementById("image-form");
  const uploadStatus = document.getElementById("upload-status");
  const cover = document.getElementById("id_cover_image");
  const coverButton = document.createElement("button");
  coverButton.type = "button";
  coverButton.className = "cover-button";
  coverButton.hidden = true;
  coverButton.textContent = say("msgCover");
  uploadStatus.after(coverButton);
  coverButton.addEventListener("click", () => {
    cover.value = coverButton.dataset.image;
    cover.dispatchEvent(new Event("input", { bubbles: true }));
    uploadStatus.textContent = say("msgCoverSet");
    coverButton.hidden = true;
  });
  imageForm.addEventListener("submit", (event) => {
    event.preventDefault();
    uploadStatus.textContent = say("msgUploading");
    coverButton.hidden = true;
    post(imageForm.action, new FormData(imageForm), "application/json").then((r) => r.json()).then((data) => {
      if (!data.ok) { uploadStatus.textContent = data.error; return; }
      const at = source.selectionStart ?? source.value.length;
      source.value = `${source.value.slice(0, at)}\n${data.markdown}\n${source.value.slice(at)}`;
      uploadStatus.textContent = say("msgInserted");
      // The new image can be the cover at once: it joins the cover list.
      if (cover && !cover.querySelector(`option[value="${data.id}"]`)) {
        const option = document.createElement("option");
        option.value = data.id;
        option.textContent = data.alt;
        cover.append(option);
      }
      coverButton.dataset.image = data.id;
      coverButton.hidden = !cover || cover.value === String(data.id);
      dirty = true;
      refreshPreview();
      imageForm.reset();
    }).catch(() => { uploadStatus.textContent = say("msgUploadFailed", { error: say("msgNetwork") }); });
  });
})();
