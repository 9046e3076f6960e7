/*
 * Starts one of Wagtail's chooser widgets (image, document, page, snippet), which Wagtail
 * starts from an inline <script>new ImageChooser("id", {...})</script> that the
 * Content-Security-Policy forbids. portal/admin_widgets.py renders
 *
 *   <script src=".../chooser-init.js" data-init="ImageChooser" data-id="id_x" data-options="{...}">
 *
 * instead. The widget's own script may come later in the page (form media): then this
 * waits for the document to be parsed. Marks the element data-done="true".
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.init) {
    return;
  }
  var data = script.dataset;
  function start() {
    var Chooser = window[data.init];
    if (typeof Chooser !== "function" || data.done === "true") {
      return typeof Chooser === "function";
    }
    new Chooser(data.id, data.options ? JSON.parse(data.options) : {}); // eslint-disable-line no-new
    data.done = "true";
    return true;
  }
  if (!start()) {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
