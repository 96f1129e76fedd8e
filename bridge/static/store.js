// The demo store page's own script (not part of the widget): ?lang=en shows the page in
// English. It runs in <head>, before the widget (async) can mount, so that the widget finds
// the page's language already set, as on a store that serves each language itself.
"use strict";

(() => {
  if (new URLSearchParams(location.search).get("lang") !== "en") return;
  document.documentElement.lang = "en";
  document.addEventListener("DOMContentLoaded", () => {
    document.title = "Gekkō Manga Books — MangaAssist demo";
    for (const el of document.querySelectorAll("[data-en]")) el.textContent = el.dataset.en;
    for (const el of document.querySelectorAll("[data-en-placeholder]")) {
      el.placeholder = el.dataset.enPlaceholder;
      el.setAttribute("aria-label", el.dataset.enPlaceholder);
    }
  });
})();
