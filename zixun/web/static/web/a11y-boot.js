// 无障碍浏览: the reader's 无障碍工具 choices (site.js keeps them in localStorage), set on
// <html> before the page is drawn, so it never flashes at the wrong size or colours. Loaded
// in <head>, synchronously, only while 无障碍浏览 is on; plain ES5 on purpose.
(function () {
  try {
    var saved = JSON.parse(window.localStorage.getItem("zixun.a11y") || "{}") || {};
    var root = document.documentElement.classList;
    var text = Number(saved.text) || 0;
    if (text >= 1 && text <= 3) root.add("a11y-text-" + text);
    if (saved.contrast === true) root.add("a11y-contrast");
    if (saved.spacing === true) root.add("a11y-spacing");
    if (saved.cursor === true) root.add("a11y-cursor");
  } catch (e) {
    // No storage (a private window, a blocked cookie setting): the page as it comes.
  }
})();
