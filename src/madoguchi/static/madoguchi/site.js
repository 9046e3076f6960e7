// Progressive enhancement only: every control here also works without JavaScript.
(function () {
  "use strict";
  var COOKIE = "madoguchi_display";
  function apply(form) {
    var size = (form.querySelector("input[name=text_size]:checked") || {}).value || "standard";
    var contrast = (form.querySelector("input[name=contrast]:checked") || {}).value || "standard";
    var html = document.documentElement;
    html.className = html.className.replace(/\btext-\S+|\bcontrast-\S+/g, "").trim() + " text-" + size + " contrast-" + contrast;
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + size + "." + contrast + "; Max-Age=31536000; Path=/; SameSite=Lax" + secure;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-display-options]").forEach(function (form) {
      form.addEventListener("change", function () { apply(form); });
    });
  });
})();
