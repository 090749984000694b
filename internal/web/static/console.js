// Window console (1366×768): call, serve, transfer, pause, with keyboard
// shortcuts on every labelled button, item names instead of codes, the
// clerk's wording, a toast after every action, and 受理办件 for the
// current ticket. The page passes its texts and item names in the
// JSON data block #console-data (no inline script).
"use strict";
(function () {
  var root = document.getElementById("console");
  if (!root) return;
  var D = JSON.parse(document.getElementById("console-data").textContent);
  var M = D.msg || {};
  window.mingbaiMsg = M; // tests and diagnostics read the texts here
  var names = D.items || {};
  function t(key) {
    var s = M[key] || key, args = Array.prototype.slice.call(arguments, 1), i = 0;
    return s.replace(/%[ds]/g, function () { return String(args[i++]); });
  }
  function $(id) { return document.getElementById(id); }
  function text(el, s) { if (el) el.textContent = s; }
  function item(code) { return names[code] || code; }

  function api(method, url, body) {
    var h = { "Accept": "application/json" };
    if (body !== undefined) h["Content-Type"] = "application/json";
    return fetch(url, { method: method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (b) {
          var j = null;
          try { j = b ? JSON.parse(b) : null; } catch (e) { /* not JSON */ }
          if (!r.ok) {
            var err = new Error(j && j.error ? j.error.message : r.statusText);
            err.status = r.status; err.field = j && j.error ? j.error.field : "";
            throw err;
          }
          return j;
        });
      });
  }
  function minutes(ms) { return ms > 0 ? Math.round(ms / 60000) + " " + t("queue.minutes") : "—"; }

  // The toast: every action says what it did (or why it did not), for a
  // few seconds, where the clerk looks; the last one stays in #c-msg.
  var toastTimer = null;
  function toast(s, bad) {
    var el = $("c-toast");
    el.textContent = s;
    el.className = "c-toast show" + (bad ? " bad" : "");
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.className = "c-toast"; el.hidden = true; }, bad ? 6000 : 3500);
    var m = $("c-msg"); m.textContent = s; m.className = "c-msg" + (bad ? " bad" : "");
  }

  var sel = $("c-window"), cur = null, state = null;
  function wid() { return sel.value; }
  function refresh() {
    return api("GET", "/api/v1/windows/" + wid() + "/console").then(function (c) {
      cur = c.current;
      state = c.session ? c.session.state : "closed";
      text($("c-state"), state === "open" ? t("queue.open") : state === "paused" ? t("queue.paused") : t("queue.closed_window"));
      root.dataset.state = state;
      $("c-signin").disabled = state !== "closed";
      $("c-signout").disabled = state === "closed";
      text($("c-pause-label"), state === "paused" ? t("console.resume") : t("console.pause"));
      text($("c-number"), cur ? cur.number : "—");
      text($("c-item"), cur ? item(cur.item) : "");
      text($("c-info"), cur ? t("console.state_" + cur.state) + (cur.priority ? " · " + t("console.priority") : "") + (cur.recalls ? " · " + t("console.recalled_n", cur.recalls) : "") : t("console.no_current"));
      var accept = $("c-accept");
      if (cur && (cur.state === "serving" || cur.state === "called")) {
        accept.href = "/cases/new?item=" + encodeURIComponent(cur.item) + "&ticket=" + cur.id;
        accept.hidden = false;
      } else {
        accept.hidden = true;
      }
      var ul = $("c-waiting");
      ul.innerHTML = "";
      (c.waiting || []).forEach(function (w) {
        var li = document.createElement("li");
        var n = document.createElement("span"); n.textContent = item(w.item);
        var k = document.createElement("b"); k.textContent = w.waiting;
        li.appendChild(n); li.appendChild(k); ul.appendChild(li);
      });
      text($("c-total"), t("console.waiting_total", c.waiting_total));
      renderQueue(c);
      text($("c-served"), c.served_today);
      text($("c-avgwait"), minutes(c.avg_wait_ms));
      text($("c-avgsvc"), minutes(c.avg_service_ms));
    }).catch(function (e) { toast(e.message, true); });
  }
  // The waiting list: "call this ticket" (out of turn needs a reason: the
  // API answers 400 with field "reason"; the console then asks for it)
  // and the held tickets with "return".
  var shown = "";
  function renderQueue(c) {
    var ol = $("c-queue"), held = $("c-held");
    // Rebuild only when the lists change, so a button never vanishes
    // under the pointer on a refresh.
    var key = JSON.stringify([c.next_id, (c.queue || []).map(function (x) { return [x.id, x.item, x.priority]; }), (c.held || []).map(function (x) { return x.id; })]);
    if (key === shown) return;
    shown = key;
    ol.innerHTML = ""; held.innerHTML = "";
    (c.queue || []).forEach(function (tk) {
      var li = document.createElement("li");
      li.dataset.ticket = tk.id;
      if (tk.id === c.next_id) li.className = "next";
      var s = document.createElement("span");
      s.textContent = tk.number + " · " + item(tk.item) + (tk.priority ? " · " + t("console.priority") : "") + (tk.id === c.next_id ? " · " + t("queue.next_mark") : "");
      var b = document.createElement("button");
      b.className = "c-call-this"; b.textContent = t("queue.call_this");
      b.addEventListener("click", function () { callTicket(tk, ""); });
      li.appendChild(s); li.appendChild(b); ol.appendChild(li);
    });
    if (!(c.queue || []).length) { var e = document.createElement("li"); e.className = "empty"; e.textContent = t("console.queue_empty"); ol.appendChild(e); }
    (c.held || []).forEach(function (tk) {
      var li = document.createElement("li");
      li.dataset.ticket = tk.id;
      var s = document.createElement("span");
      s.textContent = tk.number + " · " + item(tk.item);
      var b = document.createElement("button");
      b.className = "c-return"; b.textContent = t("queue.return");
      b.addEventListener("click", function () {
        api("POST", "/api/v1/tickets/" + tk.id + "/return", {}).then(function () { toast(t("console.done_return", tk.number)); refresh(); })
          .catch(function (e) { toast(e.message, true); refresh(); });
      });
      li.appendChild(s); li.appendChild(b); held.appendChild(li);
    });
  }
  var oot = null;
  function callTicket(tk, reason) {
    var body = { ticket: tk.id };
    if (reason) body.reason = reason;
    api("POST", "/api/v1/windows/" + wid() + "/call", body).then(function (r) {
      oot = null; $("c-oot").hidden = true; $("c-oot-reason").value = "";
      toast(t("console.done_call", r ? r.number : tk.number)); refresh();
    }).catch(function (e) {
      if (e.field === "reason") {
        oot = tk;
        text($("c-oot-msg"), tk.number + "：" + e.message);
        $("c-oot").hidden = false;
        $("c-oot-reason").focus();
        return;
      }
      toast(e.message, true); refresh();
    });
  }
  $("c-oot-go").addEventListener("click", function () {
    var reason = $("c-oot-reason").value.trim();
    if (!oot) return;
    if (!reason) { $("c-oot-reason").focus(); return; }
    callTicket(oot, reason);
  });
  $("c-oot-reason").addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); $("c-oot-go").click(); } });
  $("c-oot-cancel").addEventListener("click", function () { oot = null; $("c-oot").hidden = true; $("c-oot-reason").value = ""; });

  // done names what an action did, for the toast.
  function done(a, tk, r) {
    var n = tk ? tk.number : (r && r.number) || "";
    switch (a) {
      case "call": return r ? t("console.done_call", r.number) : t("console.nothing_waiting");
      case "recall": return t("console.done_recall", n, r && r.recalls ? r.recalls : (tk.recalls || 0) + 1);
      case "transfer": return t("console.done_transfer", n, item($("c-transfer-item").value));
      case "pause": return state === "paused" ? t("console.done_resume") : t("console.done_pause", $("c-reason").selectedOptions[0].textContent);
      default: return t("console.done_" + a.replace("-", "_"), n);
    }
  }
  function act(a) {
    var p, tk = cur;
    if (a === "call") p = api("POST", "/api/v1/windows/" + wid() + "/call", {});
    else if (a === "pause") p = api("POST", "/api/v1/windows/" + wid() + "/session", state === "paused" ? { state: "open" } : { state: "paused", reason: $("c-reason").value });
    else {
      if (!cur) { toast(t("console.no_current"), true); return; }
      var body = a === "transfer" ? { item: $("c-transfer-item").value } : {};
      p = api("POST", "/api/v1/tickets/" + cur.id + "/" + a, body);
    }
    p.then(function (r) { toast(done(a, tk, r)); refresh(); })
      .catch(function (e) { toast(e.status === 404 && a === "call" ? t("console.nothing_waiting") : e.message, e.status !== 404); refresh(); });
  }
  $("c-signin").addEventListener("click", function () {
    api("POST", "/api/v1/windows/" + wid() + "/session", { state: "open" }).then(function () { toast(t("console.done_signin", sel.selectedOptions[0].textContent)); refresh(); })
      .catch(function (e) { toast(e.message, true); });
  });
  $("c-signout").addEventListener("click", function () {
    api("POST", "/api/v1/windows/" + wid() + "/session", { state: "closed" }).then(function () { toast(t("console.done_signout")); refresh(); })
      .catch(function (e) { toast(e.message, true); });
  });
  sel.addEventListener("change", refresh);
  root.querySelectorAll("[data-act]").forEach(function (b) { b.addEventListener("click", function () { act(b.dataset.act); }); });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || /INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName)) return;
    var b = root.querySelector('[data-key="' + e.key.toLowerCase() + '"]');
    if (b && !b.hidden) { e.preventDefault(); b.click(); }
  });
  var pending = null;
  function later() { clearTimeout(pending); pending = setTimeout(refresh, 300); }
  var es = new EventSource("/api/v1/halls/" + root.dataset.hall + "/stream");
  ["ticket.issued", "ticket.updated", "ticket.called", "window.state"].forEach(function (k) { es.addEventListener(k, later); });
  refresh();
})();
