// mingbai base script: tiny helpers shared by pages. No build step.
"use strict";
(function () {
  // Forms with data-confirm ask before submitting (revoke, reject …).
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  // Buttons with data-print print the page (no inline handlers: CSP).
  document.addEventListener("click", function (e) {
    if (!e.target.closest) return;
    if (e.target.closest("[data-print]")) window.print();
    // Links with data-back go back in history when there is one.
    if (e.target.closest("[data-back]") && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
})();
