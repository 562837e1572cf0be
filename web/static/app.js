// Small enhancements only: every page works without this file.
(function () {
  "use strict";
  // Ask before withdrawing, deleting and other hard-to-undo actions.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var msg = form.getAttribute && form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      e.preventDefault();
    }
  });
  // Move focus to the error summary so keyboard and screen-reader users hear it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
    // Filter forms apply as soon as a select changes.
    var filters = document.querySelectorAll("form.filters select");
    for (var i = 0; i < filters.length; i++) {
      filters[i].addEventListener("change", function (ev) {
        ev.target.form.submit();
      });
    }
  });
})();
