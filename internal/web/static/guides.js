// Service guides: the print button and the kiosk's idle reset. No build step.
"use strict";
(function () {
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });
  // Kiosk: after data-idle-seconds without a touch, key or scroll, return
  // to the start screen so that the next citizen starts afresh.
  var home = document.body.getAttribute("data-idle-home");
  if (!home) return;
  var seconds = parseInt(document.body.getAttribute("data-idle-seconds"), 10) || 60;
  var timer;
  function reset() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (location.pathname + location.search !== home) location.href = home;
      else { var q = document.querySelector("input[name=q]"); if (q) q.value = ""; window.scrollTo(0, 0); reset(); }
    }, seconds * 1000);
  }
  ["pointerdown", "keydown", "scroll", "touchstart", "input"].forEach(function (ev) {
    document.addEventListener(ev, reset, { passive: true });
  });
  reset();
})();
