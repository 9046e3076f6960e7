/* The live preview of the 様式 editor: as staff edit, the editor's form is posted to the
   preview endpoint (which checks it and keeps it for the preview) and the preview's
   iframe reloads. Without this script the プレビュー button does the same through the
   page. */
(function () {
  "use strict";

  function init() {
    var form = document.querySelector("[data-editor-form]");
    var panel = document.querySelector("[data-editor-preview]");
    if (!form || !panel) return;
    var frame = panel.querySelector("[data-editor-preview-frame]");
    var status = panel.querySelector("[data-editor-preview-status]");
    var timer = null;
    var sent = "";
    var busy = false;
    var again = false;

    function say(text) {
      if (status.textContent !== text) status.textContent = text;
    }

    function refresh() {
      var data = new FormData(form);
      data.set("action", "preview");
      var body = new URLSearchParams(data).toString();
      if (body === sent) return;
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      sent = body;
      fetch(form.dataset.previewUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (result) {
          if (result.ok) {
            frame.src = result.url;
            say(panel.dataset.messageUpdated);
          } else {
            say(panel.dataset.messageProblems + " " + result.problems.join(" / "));
          }
        })
        .catch(function () {
          sent = "";
          say(panel.dataset.messageFailed);
        })
        .finally(function () {
          busy = false;
          if (again) {
            again = false;
            schedule();
          }
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 700);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    // Adding, moving and deleting blocks change the form without an input event.
    form.addEventListener("click", schedule);
    new MutationObserver(schedule).observe(form, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
