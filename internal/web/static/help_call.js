// The window clerk's help call (a distressed or aggressive visitor): one
// press alerts the duty leader; the clerk then sees "on my way" as soon as
// the leader answers, through the window's help stream (server-sent
// events: the latest call first, then every change of it). No polling.
"use strict";
(function () {
  var btn = document.getElementById("c-help");
  var out = document.getElementById("c-help-state");
  var sel = document.getElementById("c-window");
  if (!btn || !out || !sel) return;
  var es = null;
  function url() { return "/api/v1/windows/" + sel.value + "/help"; }
  function show(a) {
    if (!a || !a.id || a.state === "closed") { out.textContent = ""; return; }
    out.textContent = a.answer === "on_my_way" ? btn.dataset.coming : btn.dataset.sent;
  }
  function listen() {
    if (es) es.close();
    delete out.dataset.live;
    if (!sel.value) return;
    es = new EventSource(url() + "/stream");
    es.addEventListener("snapshot", function (e) { out.dataset.live = "1"; show(JSON.parse(e.data)); });
    es.addEventListener("help", function (e) { show(JSON.parse(e.data)); });
  }
  btn.addEventListener("click", function () {
    btn.disabled = true;
    fetch(url(), { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: "{}" })
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error(b.message || btn.dataset.failed); return b; }); })
      .then(show)
      .catch(function (e) { out.textContent = e.message || btn.dataset.failed; })
      .then(function () { btn.disabled = false; });
  });
  sel.addEventListener("change", function () { out.textContent = ""; listen(); });
  listen();
})();
