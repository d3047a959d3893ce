// Shows what Tongxin's checks said about the last save, until the next one.
//
// Decap CMS shows a refused save as a toast that disappears after eight seconds; an editor
// fixing several fields needs the list to stay. Every answer to a save (persistEntry) or a
// delete is read here on its way to Decap, which still gets it unchanged.
(function () {
  "use strict";
  var SAVES = { persistEntry: true, deleteFiles: true, deleteFile: true };

  function element(id) { return document.getElementById(id); }

  function show(ok, heading, problems, preview) {
    var report = element("tongxin-save-report");
    report.classList.toggle("saved", ok);
    element("tongxin-save-heading").textContent = heading;
    var list = element("tongxin-save-problems");
    list.textContent = "";
    (problems || []).forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    var link = element("tongxin-save-preview");
    link.hidden = !preview;
    if (preview) {
      link.querySelector("a").href = preview;
      link.querySelector("a").textContent = preview;
    }
    report.hidden = false;
  }

  var originalFetch = window.fetch.bind(window);
  window.fetch = function (resource, init) {
    var action = null;
    try {
      if (init && typeof init.body === "string" && /\/admin\/api\/v1$/.test(String(resource))) {
        action = JSON.parse(init.body).action;
      }
    } catch (error) { action = null; }
    var answer = originalFetch(resource, init);
    if (!SAVES[action]) { return answer; }
    return answer.then(function (response) {
      response.clone().json().then(function (body) {
        if (response.ok) {
          show(true, action === "persistEntry" ? "已保存，并通过了 tongxin check 的检查" : "已删除",
               [], body && body.preview);
        } else {
          show(false, (body && body.message) || "没有保存", body && body.problems, null);
        }
      }).catch(function () { /* not JSON: Decap reports it */ });
      return response;
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    element("tongxin-save-close").addEventListener("click", function () {
      element("tongxin-save-report").hidden = true;
    });
  });
})();
