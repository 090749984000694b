// Consultation console: keyboard shortcuts for staff. The queue: j/k move
// between threads, Enter opens one. A thread: Alt+1…9 puts a canned reply
// in the box, Ctrl+Enter sends, Alt+R resolves. Works under a strict CSP
// (no inline code; data comes from data-* attributes).
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tr[data-href]"));
  rows.forEach(function (tr) {
    tr.addEventListener("click", function (e) {
      if (e.target.closest("a")) return;
      location.href = tr.dataset.href;
    });
  });
  var body = document.getElementById("t-body");
  function useCanned(btn) {
    if (!body || !btn) return;
    body.value = btn.dataset.body;
    body.focus();
    body.setSelectionRange(body.value.length, body.value.length);
  }
  document.querySelectorAll(".canned-btn").forEach(function (b) {
    b.addEventListener("click", function () { useCanned(b); });
  });
  document.addEventListener("keydown", function (e) {
    var typing = e.target.matches && e.target.matches("input, textarea, select");
    if (rows.length && !typing && (e.key === "j" || e.key === "k")) {
      var i = rows.indexOf(document.activeElement);
      i = e.key === "j" ? Math.min(rows.length - 1, i + 1) : Math.max(0, i - 1);
      rows[i].focus();
      e.preventDefault();
      return;
    }
    if (rows.length && e.key === "Enter" && rows.indexOf(document.activeElement) >= 0) {
      location.href = document.activeElement.dataset.href;
      return;
    }
    if (e.altKey && /^[1-9]$/.test(e.key)) {
      useCanned(document.querySelector('.canned-btn[data-key="' + e.key + '"]'));
      e.preventDefault();
      return;
    }
    if (e.altKey && (e.key === "r" || e.key === "R")) {
      var r = document.getElementById("t-resolve");
      if (r) { r.click(); e.preventDefault(); }
      return;
    }
    if (body && e.target === body && e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      document.getElementById("t-reply").requestSubmit();
      e.preventDefault();
    }
  });
  var end = document.getElementById("end");
  if (end && location.hash === "#end") end.scrollIntoView();
})();
