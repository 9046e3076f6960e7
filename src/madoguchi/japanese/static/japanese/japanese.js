// madoguchi.japanese: reveal the helpers that need htmx (search pickers) once htmx is
// on the page. Without JavaScript they stay hidden and the resident types the codes.
(function () {
  "use strict";
  function reveal() {
    if (!window.htmx) return;
    document.querySelectorAll("[data-japanese-needs-htmx][hidden]").forEach(function (el) {
      el.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:load", reveal);
})();
