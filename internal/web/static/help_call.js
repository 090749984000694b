// The window clerk's help call (a distressed or aggressive visitor): one
// press alerts the duty leader; the clerk then sees "on my way" once the
// leader answers. It polls the window's latest call every 3 seconds while
// one is open.
"use strict";
(function () {
  var btn = document.getElementById("c-help");
  var out = document.getElementById("c-help-state");
  var sel = document.getElementById("c-window");
  if (!btn || !out || !sel) return;
  var timer = null;
  function url() { return "/api/v1/windows/" + sel.value + "/help"; }
  function show(a) {
    if (!a || !a.id || a.state === "closed") { out.textContent = ""; stop(); return; }
    out.textContent = a.answer === "on_my_way" ? btn.dataset.coming : btn.dataset.sent;
    if (!timer) timer = setInterval(poll, 3000);
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; } }
  function poll() {
    fetch(url(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(show)
      .catch(function () {});
  }
  btn.addEventListener("click", function () {
    btn.disabled = true;
    fetch(url(), { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: "{}" })
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error(b.message || btn.dataset.failed); return b; }); })
      .then(show)
      .catch(function (e) { out.textContent = e.message || btn.dataset.failed; })
      .then(function () { btn.disabled = false; });
  });
  sel.addEventListener("change", function () { stop(); out.textContent = ""; poll(); });
  poll();
})();
