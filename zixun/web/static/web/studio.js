// The studio's editor: live preview, autosave and image upload. The form works
// without this file (save, submit and upload are plain POSTs).
(() => {
  const form = document.getElementById("article-form");
  if (!form) return;
  const source = document.getElementById("id_body_source");
  const preview = document.getElementById("live-preview");
  const status = document.getElementById("autosave-status");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
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
        status.textContent = data.ok ? `已自动保存 ${data.saved_at}` : `自动保存失败：${data.error}`;
      }).catch(() => { status.textContent = "自动保存失败：网络错误"; dirty = true; });
    }, 10000);
  }
  window.addEventListener("beforeunload", (event) => { if (dirty) event.preventDefault(); });

  const imageForm = document.getElementById("image-form");
  const uploadStatus = document.getElementById("upload-status");
  imageForm.addEventListener("submit", (event) => {
    event.preventDefault();
    uploadStatus.textContent = "上传中…";
    post(imageForm.action, new FormData(imageForm), "application/json").then((r) => r.json()).then((data) => {
      if (!data.ok) { uploadStatus.textContent = data.error; return; }
      const at = source.selectionStart ?? source.value.length;
      source.value = `${source.value.slice(0, at)}\n${data.markdown}\n${source.value.slice(at)}`;
      uploadStatus.textContent = "已插入正文";
      dirty = true;
      refreshPreview();
      imageForm.reset();
    }).catch(() => { uploadStatus.textContent = "上传失败：网络错误"; });
  });
})();
