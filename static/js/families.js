// Famille tab: "Ne pas oublier d'enregistrer" — the browser asks before leaving the page
// while the record form has unsaved changes.
(function () {
  "use strict";
  var form = document.querySelector("form.pf-family-form");
  if (!form) {
    return;
  }
  var dirty = false;
  function markDirty() {
    dirty = true;
  }
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  form.addEventListener("submit", function () {
    dirty = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
