// 朗读 (read-aloud) on the article page: the Web Speech API reads the title and the body one
// sentence at a time, highlights the sentence it reads and keeps it in view.
//
// Progressive enhancement: the page is cached and the same for every reader, so the controls
// are served hidden; this script shows them only when the browser can speak Chinese, and the
// message [data-ra-novoice] when it has no Chinese voice. Without this script, or without
// speechSynthesis, nothing shows. The sentence spans exist only while reading: stopping (or
// finishing, or leaving the page) puts the original text nodes back.
(() => {
  "use strict";

  const root = document.querySelector("[data-read-aloud]");
  const synth = window.speechSynthesis;
  if (!root || !synth || typeof window.SpeechSynthesisUtterance !== "function") return;
  const title = document.getElementById("article-title");
  const body = document.querySelector(".article-body");
  if (!title || !body) return;

  const controls = root.querySelector("[data-ra-controls]");
  const mainButton = root.querySelector('[data-ra="play"]');
  const mainLabel = mainButton.querySelector(".ra-label");
  const stopButton = root.querySelector('[data-ra="stop"]');
  const rateButtons = Array.from(root.querySelectorAll("[data-rate]"));
  const status = root.querySelector("[data-ra-status]");
  const noVoice = root.querySelector("[data-ra-novoice]");
  const text = root.dataset;

  // Voices load asynchronously (Chrome fills getVoices() after a voiceschanged event); past
  // this wait without a Chinese voice, the message shows (and still gives way to the controls
  // if a voice turns up later).
  const VOICE_WAIT_MS = 2500;
  // Some engines (Chrome's network voices) cut an utterance off after about 15 seconds: a
  // longer sentence is spoken in parts, cut after a comma where there is one.
  const MAX_CHARS = 50;
  const RATE_KEY = "zixun-read-aloud-rate";

  const ENDS = "。！？；…!?;";
  const ASCII_ENDS = "!?;.";
  const CLOSERS = "”’」』）)】》〉\"'";
  const SOFT_BREAKS = "，、,：:";
  const SKIP = "script, style, noscript, template, svg, math, rt, rp, [hidden], [aria-hidden='true']";
  const BLOCKS = new Set([
    "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "CAPTION", "DD", "DETAILS", "DIV", "DL", "DT",
    "FIGCAPTION", "FIGURE", "FOOTER", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER", "HR", "LI",
    "OL", "P", "PRE", "SECTION", "SUMMARY", "TABLE", "TBODY", "TD", "TFOOT", "TH", "THEAD", "TR", "UL",
  ]);
  const SPEAKABLE = /[\p{L}\p{N}]/u;

  // ---- Sentences ----

  // The text nodes of `container` in runs: a run ends at a block element's edge or a <br>.
  const textRuns = (container) => {
    const runs = [];
    let run = [];
    const flush = () => {
      if (run.length) runs.push(run);
      run = [];
    };
    const walk = (node) => {
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === Node.TEXT_NODE) {
          if (child.data) run.push(child);
        } else if (child.nodeType === Node.ELEMENT_NODE && !child.matches(SKIP)) {
          if (child.tagName === "BR") {
            flush();
            continue;
          }
          const block = BLOCKS.has(child.tagName);
          if (block) flush();
          walk(child);
          if (block) flush();
        }
      }
    };
    walk(container);
    flush();
    return runs;
  };

  // A line break ends a sentence only where it shows as one (pre, pre-wrap, pre-line).
  const keepsNewlines = (node) => {
    const parent = node.parentElement;
    return Boolean(parent) && /^(pre|pre-wrap|pre-line|break-spaces)$/.test(getComputedStyle(parent).whiteSpace);
  };

  // Where a long sentence is cut: after the last comma (or space) in the first MAX_CHARS,
  // else at MAX_CHARS.
  const cutLong = (string, start, end, out) => {
    while (end - start > MAX_CHARS) {
      let cut = -1;
      for (let i = start + MAX_CHARS; i > start + MAX_CHARS / 3; i--) {
        if (SOFT_BREAKS.includes(string[i - 1]) || /\s/.test(string[i - 1])) {
          cut = i;
          break;
        }
      }
      if (cut < 0) {
        cut = start + MAX_CHARS;
        const code = string.charCodeAt(cut - 1);
        if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // never split a surrogate pair
      }
      out.push([start, cut]);
      start = cut;
    }
    out.push([start, end]);
  };

  // The [start, end) ranges of the sentences in `string`: each ends after 。！？；… (with the
  // closing quotes and brackets after it) or a line break; ASCII !?;. end one only before a
  // space, so 3.5 and example.com stay whole. Trimmed; ranges with nothing to say are dropped.
  const sentenceRanges = (string) => {
    const rough = [];
    let start = 0;
    let i = 0;
    while (i < string.length) {
      const ch = string[i];
      if (ch === "\n") {
        rough.push([start, i]);
        start = i + 1;
        i += 1;
      } else if (ENDS.includes(ch) || ch === ".") {
        let j = i + 1;
        while (j < string.length && (ENDS.includes(string[j]) || CLOSERS.includes(string[j]))) j += 1;
        if (ASCII_ENDS.includes(ch) && j < string.length && !/\s/.test(string[j])) {
          i = j;
          continue;
        }
        rough.push([start, j]);
        start = j;
        i = j;
      } else {
        i += 1;
      }
    }
    rough.push([start, string.length]);
    const ranges = [];
    for (let [a, b] of rough) {
      while (a < b && /\s/.test(string[a])) a += 1;
      while (b > a && /\s/.test(string[b - 1])) b -= 1;
      if (a < b && SPEAKABLE.test(string.slice(a, b))) cutLong(string, a, b, ranges);
    }
    return ranges;
  };

  // Wrap every sentence of `containers` in spans (a sentence that crosses an element's edge,
  // e.g. a link, gets one span per text node). Returns the sentences and what to undo.
  const wrapSentences = (containers) => {
    const sentences = [];
    const undo = [];
    for (const container of containers) {
      for (const run of textRuns(container)) {
        const offsets = [];
        let string = "";
        for (const node of run) {
          offsets.push(string.length);
          string += keepsNewlines(node) ? node.data : node.data.replace(/\n/g, " ");
        }
        const ranges = sentenceRanges(string);
        const first = sentences.length;
        for (const [a, b] of ranges) {
          sentences.push({ text: string.slice(a, b).replace(/\s+/g, " "), spans: [] });
        }
        run.forEach((node, k) => {
          const from = offsets[k];
          const to = from + node.data.length;
          const parts = [];
          let at = from;
          ranges.forEach(([a, b], r) => {
            const lo = Math.max(a, from);
            const hi = Math.min(b, to);
            if (lo >= hi) return;
            if (lo > at) parts.push(document.createTextNode(node.data.slice(at - from, lo - from)));
            const span = document.createElement("span");
            span.className = "ra-sentence";
            span.textContent = node.data.slice(lo - from, hi - from);
            sentences[first + r].spans.push(span);
            parts.push(span);
            at = hi;
          });
          if (!parts.length) return;
          if (at < to) parts.push(document.createTextNode(node.data.slice(at - from)));
          const parent = node.parentNode;
          parts.forEach((part) => parent.insertBefore(part, node));
          parent.removeChild(node);
          undo.push({ node, parts });
        });
      }
    }
    return { sentences, undo };
  };

  // Put the original text nodes back: the DOM is as it was before reading.
  const unwrapSentences = (undo) => {
    for (let i = undo.length - 1; i >= 0; i--) {
      const { node, parts } = undo[i];
      const parent = parts[0].parentNode;
      if (!parent) continue;
      parent.insertBefore(node, parts[0]);
      parts.forEach((part) => part.remove());
    }
  };

  // ---- Voices ----

  const langOf = (voice) => (voice.lang || "").replace(/_/g, "-").toLowerCase();
  const isChinese = (voice) => /^(zh|cmn|yue)(-|$)/.test(langOf(voice));
  const chineseVoices = () => {
    try {
      return synth.getVoices().filter(isChinese);
    } catch (error) {
      return [];
    }
  };
  // Mainland Mandarin first, then any other Chinese voice; the system's default breaks a tie.
  const voiceScore = (voice) => {
    const lang = langOf(voice);
    let score = 1;
    if (/^(zh-cn|zh-hans|cmn-cn|cmn-hans)/.test(lang)) score = 4;
    else if (lang.startsWith("zh") || lang.startsWith("cmn")) score = 2;
    return score + (voice.default ? 0.5 : 0);
  };
  const pickVoice = () => {
    const voices = chineseVoices();
    voices.sort((a, b) => voiceScore(b) - voiceScore(a));
    return voices[0] || null;
  };

  // ---- Reading ----

  let state = "idle"; // idle | playing | paused
  let sentences = [];
  let undo = [];
  let index = 0;
  let generation = 0; // callbacks of a cancelled utterance carry an old generation
  let utterance = null; // held, so the engine's callbacks are not collected (Chrome)
  let restartOnResume = false;
  let current = [];
  let rate = 1;
  try {
    const saved = Number(window.localStorage.getItem(RATE_KEY));
    if (rateButtons.some((button) => Number(button.dataset.rate) === saved)) rate = saved;
  } catch (error) {
    /* storage is off: 1× */
  }

  const format = (template) =>
    (template || "").replace("{n}", String(index + 1)).replace("{total}", String(sentences.length));
  const say = (message) => {
    status.textContent = message || "";
  };

  const render = () => {
    root.dataset.state = state;
    root.classList.toggle("is-active", state !== "idle");
    const label = state === "playing" ? text.labelPause : state === "paused" ? text.labelResume : text.labelPlay;
    mainLabel.textContent = label;
    stopButton.hidden = state === "idle";
    rateButtons.forEach((button) => {
      button.setAttribute("aria-pressed", String(Number(button.dataset.rate) === rate));
    });
  };

  const reducedMotion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

  // Scroll the sentence into view when it is not already, clear of the sticky controls and the
  // phone's bottom bar.
  const keepInView = (element) => {
    const rect = element.getBoundingClientRect();
    let top = 0;
    const bar = root.getBoundingClientRect();
    if (state !== "idle" && bar.top <= 1) top = bar.bottom;
    let bottom = window.innerHeight || document.documentElement.clientHeight;
    const articleBar = document.querySelector(".article-bar");
    if (articleBar && getComputedStyle(articleBar).position === "fixed") {
      bottom -= articleBar.getBoundingClientRect().height;
    }
    if (rect.top >= top + 8 && rect.bottom <= bottom - 8) return;
    element.scrollIntoView({
      block: "center",
      behavior: reducedMotion && reducedMotion.matches ? "auto" : "smooth",
    });
  };

  const highlight = () => {
    current.forEach((span) => span.classList.remove("ra-current"));
    current = sentences[index] ? sentences[index].spans : [];
    current.forEach((span) => span.classList.add("ra-current"));
    if (current.length) keepInView(current[0]);
  };

  const reset = () => {
    const stopFocused = document.activeElement === stopButton;
    generation += 1;
    current = [];
    unwrapSentences(undo);
    undo = [];
    sentences = [];
    index = 0;
    utterance = null;
    restartOnResume = false;
    state = "idle";
    render();
    if (stopFocused) mainButton.focus(); // the stop button hides
  };

  const stop = (message) => {
    generation += 1;
    synth.cancel();
    reset();
    say(message);
  };

  const next = () => {
    index += 1;
    if (index >= sentences.length) {
      synth.cancel();
      reset();
      say(text.msgDone);
      return;
    }
    speakCurrent();
  };

  function speakCurrent() {
    const mine = ++generation;
    const sentence = sentences[index];
    highlight();
    say(format(text.msgReading));
    const spoken = new window.SpeechSynthesisUtterance(sentence.text);
    const voice = pickVoice();
    if (voice) {
      spoken.voice = voice;
      spoken.lang = voice.lang;
    } else {
      spoken.lang = "zh-CN";
    }
    spoken.rate = rate;
    spoken.onend = () => {
      if (mine !== generation) return;
      // An engine that cannot pause ends the utterance instead: say it again on resume.
      if (state === "paused") restartOnResume = true;
      else next();
    };
    spoken.onerror = (event) => {
      if (mine !== generation) return;
      if (state === "paused") {
        restartOnResume = true;
        return;
      }
      const interrupted = event && (event.error === "interrupted" || event.error === "canceled");
      stop(interrupted ? text.msgStopped : text.msgError);
    };
    utterance = spoken;
    if (synth.paused) synth.resume(); // Chrome stays paused across cancel()
    synth.speak(spoken);
  }

  const start = () => {
    if (state !== "idle") return;
    ({ sentences, undo } = wrapSentences([title, body]));
    if (!sentences.length) {
      unwrapSentences(undo);
      undo = [];
      return;
    }
    index = 0;
    state = "playing";
    render();
    speakCurrent();
  };

  const pause = () => {
    if (state !== "playing") return;
    state = "paused";
    synth.pause();
    render();
    say(format(text.msgPaused));
  };

  const resume = () => {
    if (state !== "paused") return;
    state = "playing";
    render();
    if (restartOnResume || !synth.speaking) {
      restartOnResume = false;
      generation += 1;
      synth.cancel();
      speakCurrent();
    } else {
      synth.resume();
      say(format(text.msgReading));
    }
  };

  const setRate = (value) => {
    if (value === rate) return;
    rate = value;
    try {
      window.localStorage.setItem(RATE_KEY, String(rate));
    } catch (error) {
      /* remembered for this page only */
    }
    render();
    if (state === "playing") {
      // The new rate applies from the start of the current sentence.
      generation += 1;
      synth.cancel();
      speakCurrent();
    } else if (state === "paused") {
      restartOnResume = true;
    }
  };

  mainButton.addEventListener("click", () => {
    if (state === "idle") start();
    else if (state === "playing") pause();
    else resume();
  });
  stopButton.addEventListener("click", () => stop(text.msgStopped));
  rateButtons.forEach((button) => {
    button.addEventListener("click", () => setRate(Number(button.dataset.rate)));
  });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state !== "idle") {
      event.preventDefault();
      stop(text.msgStopped);
    }
  });
  // Never read on after the page is gone (navigation, closing, the back-forward cache).
  window.addEventListener("pagehide", () => {
    if (state !== "idle") stop("");
  });

  // ---- Showing the controls ----

  const showControls = () => {
    root.hidden = false;
    controls.hidden = false;
    noVoice.hidden = true;
  };
  const showNoVoice = () => {
    if (!controls.hidden) return;
    root.hidden = false;
    noVoice.hidden = false;
  };
  render();
  if (chineseVoices().length) {
    showControls();
  } else {
    const timer = window.setTimeout(() => {
      if (chineseVoices().length) showControls();
      else showNoVoice();
    }, VOICE_WAIT_MS);
    const onVoices = () => {
      if (!chineseVoices().length) return;
      window.clearTimeout(timer);
      showControls();
    };
    if (typeof synth.addEventListener === "function") synth.addEventListener("voiceschanged", onVoices);
    else synth.onvoiceschanged = onVoices;
  }
})();
