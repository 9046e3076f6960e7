// The end of website pages: a print button and "copy URL" (both need script, so they
// stay hidden without it).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-copy-url]").forEach(function (button) {
      if (!navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var status = document.querySelector("[data-copy-status]");
        navigator.clipboard.writeText(button.getAttribute("data-copy-url")).then(function () {
          if (status) { status.textContent = button.getAttribute("data-copied"); }
        });
      });
    });
  });
})();
