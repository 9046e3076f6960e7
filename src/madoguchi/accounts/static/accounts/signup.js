// Sign-up: show the business details only when "business" is chosen. Without
// JavaScript every field stays visible and the server ignores business details of a
// resident.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-signup-form]");
    if (!form) return;
    var radios = form.querySelectorAll("input[name=kind]");
    function update() {
      var checked = form.querySelector("input[name=kind]:checked");
      var business = checked && checked.value === "business";
      form.querySelectorAll("[data-business-only]").forEach(function (el) {
        el.hidden = !business;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  });
})();
