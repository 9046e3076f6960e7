// Progressive enhancement only: every control here also works without JavaScript.
(function () {
  "use strict";
  var COOKIE = "madoguchi_display";
  var SIZES = ["standard", "large", "x-large"];
  var CONTRASTS = ["standard", "high"];

  function checked(form, name, allowed) {
    var input = form.querySelector("input[name=" + name + "]:checked");
    return input && allowed.indexOf(input.value) !== -1 ? input.value : "standard";
  }

  // Text size and contrast: switch at once, and keep the choice in the same cookie the
  // server writes when the form is sent without JavaScript.
  function applyDisplay(form) {
    var size = checked(form, "text_size", SIZES);
    var contrast = checked(form, "contrast", CONTRASTS);
    var html = document.documentElement;
    SIZES.forEach(function (s) { html.classList.toggle("text-" + s, s === size); });
    CONTRASTS.forEach(function (c) { html.classList.toggle("contrast-" + c, c === contrast); });
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + size + "." + contrast + "; Max-Age=31536000; Path=/; SameSite=Lax" + secure;
    var status = form.querySelector("[data-display-status]");
    if (status) { status.textContent = status.getAttribute("data-message"); }
  }

  function setUpDisplayOptions(details) {
    var form = details.querySelector("form");
    if (!form) { return; }
    var submit = form.querySelector("[data-display-submit]");
    var close = form.querySelector("[data-display-close]");
    // With the script the options apply as they change; the form's button only closes.
    if (submit && close) { submit.hidden = true; close.hidden = false; }
    form.addEventListener("change", function () { applyDisplay(form); });
    if (close) {
      close.addEventListener("click", function () {
        details.open = false;
        details.querySelector("summary").focus();
      });
    }
    details.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && details.open) {
        details.open = false;
        details.querySelector("summary").focus();
      }
    });
    details.addEventListener("toggle", function () {
      var status = form.querySelector("[data-display-status]");
      if (!details.open && status) { status.textContent = ""; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-display-options]").forEach(setUpDisplayOptions);
  });
})();
