// mingbai base script: tiny helpers shared by pages. No build step.
"use strict";
(function () {
  // Forms with data-confirm ask before submitting (revoke, reject …).
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
})();
