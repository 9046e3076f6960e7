/*
 * Runs an initialiser of Wagtail's admin that Wagtail's templates call from an inline
 * <script>, which the Content-Security-Policy forbids. madoguchi's copies of those
 * templates (core/templates/wagtailadmin/) load this file instead, once per widget or
 * panel, with what to call in the script element's data attributes:
 *
 *   data-init       the global function (initDateChooser, InlinePanel, …)
 *   data-construct  "true" to call it with `new` and the options only
 *   data-id         the element id, the first argument otherwise
 *   data-options    JSON options
 *
 * Run as a classic script, it sees its own element as document.currentScript, and runs
 * where the inline script would have run. It marks the element data-done="true".
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.init) {
    return;
  }
  var data = script.dataset;
  var init = window[data.init];
  if (typeof init !== "function") {
    return;
  }
  var options = data.options ? JSON.parse(data.options) : undefined;
  if (data.construct === "true") {
    new init(options); // eslint-disable-line no-new
  } else {
    init(data.id, options);
  }
  script.dataset.done = "true";
})();
