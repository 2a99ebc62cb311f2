// An issuing run's page (admin): reads the run's progress every 2 seconds and updates the bar
// and the counts; reloads the page once the run is over, to list its failures. Without
// JavaScript the page reloads itself (<noscript> refresh).
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("issue-run");
    if (!box || box.dataset.finished === "1") {
      return;
    }
    var bar = document.getElementById("issue-run-bar");
    var url = box.dataset.progressUrl;
    function show(data) {
      bar.max = data.total;
      bar.value = data.done;
      bar.textContent = data.percent + " %";
      ["done", "total", "issued", "skipped", "failed"].forEach(function (name) {
        var field = box.querySelector('[data-field="' + name + '"]');
        if (field) {
          field.textContent = data[name];
        }
      });
    }
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (data) {
          show(data);
          if (data.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 2000);
          }
        })
        .catch(function () {
          window.setTimeout(poll, 5000);
        });
    }
    window.setTimeout(poll, 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
