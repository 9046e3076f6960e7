/* Shows and hides the fields of a procedure's form as the applicant answers
   (procedures.formbuild writes the conditions into data-show-if / data-required-if, with
   the html names of the inputs). Without this script every field stays visible with a
   hint saying when it applies, and the server decides. */
(function () {
  "use strict";

  function valueOf(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"], [name^="' + name + '_"]');
    var values = [];
    var kind = "";
    inputs.forEach(function (input) {
      if (input.name !== name && !/^_(\d+|era|year|month|day)$/.test(input.name.slice(name.length))) return;
      if (input.type === "radio") {
        kind = "radio";
        if (input.checked) values.push(input.value);
      } else if (input.type === "checkbox") {
        kind = kind || "checkbox";
        if (input.checked) values.push(input.value);
        if (inputs.length === 1) kind = "boolean";
      } else if (input.type !== "file") {
        kind = kind || "text";
        if (input.value !== "") values.push(input.value);
      }
    });
    if (kind === "boolean") return values.length > 0;
    if (kind === "checkbox") return values;
    if (kind === "text" && values.length > 1) return values.join("-");
    return values.length ? values[0] : "";
  }

  function same(a, b) {
    if (typeof a === "boolean" || typeof b === "boolean") return String(a).toLowerCase() === String(b).toLowerCase();
    return a !== null && a !== undefined && String(a) === String(b);
  }

  function empty(v) {
    return v === null || v === undefined || v === "" || v === false || (Array.isArray(v) && v.length === 0);
  }

  function evaluate(c, form) {
    if (!c) return true;
    if (c.all) return c.all.every(function (x) { return evaluate(x, form); });
    if (c.any) return c.any.some(function (x) { return evaluate(x, form); });
    if (c.not) return !evaluate(c.not, form);
    var v = valueOf(form, c.field);
    if ("equals" in c) return same(v, c.equals);
    if ("not_equals" in c) return !same(v, c.not_equals);
    if ("in" in c) return c["in"].some(function (x) { return same(v, x); });
    if ("contains" in c) return Array.isArray(v) && v.some(function (x) { return same(x, c.contains); });
    if ("filled" in c) return !empty(v) === Boolean(c.filled);
    return true;
  }

  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (wrapper) {
      var shown = evaluate(JSON.parse(wrapper.getAttribute("data-show-if")), form);
      wrapper.hidden = !shown;
    });
  }

  function setUp(form) {
    if (form.dataset.conditionsReady) return;
    form.dataset.conditionsReady = "1";
    form.classList.add("procedure-conditions-live");
    update(form);
    form.addEventListener("change", function () { update(form); });
    form.addEventListener("input", function () { update(form); });
  }

  function init() {
    document.querySelectorAll("[data-show-if]").forEach(function (el) {
      var form = el.closest("form");
      if (form) setUp(form);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:afterSettle", init);
})();
