// mingbai queue pages: kiosk, screens, phone tracking (the window
// console has its own script, console.js).
// No build step; one file, the page is chosen by data-page on the body or
// the console element.
"use strict";
(function () {
  // Data from the server comes in <script type="application/json"> blocks
  // (the Content-Security-Policy allows no inline script).
  function data(id) {
    var el = document.getElementById(id);
    try { return el ? JSON.parse(el.textContent) : null; } catch (e) { return null; }
  }
  var M = data("mingbai-msg") || {};
  function t(key) {
    var s = M[key] || key, args = Array.prototype.slice.call(arguments, 1), i = 0;
    return s.replace(/%[ds]/g, function () { return String(args[i++]); });
  }
  function $(id) { return document.getElementById(id); }
  function text(el, s) { if (el) el.textContent = s; }

  // ---- Announcer: one queue, never overlapping; Web Speech (zh-CN) with a
  // WebAudio chime when no Chinese voice is available. Every announced text
  // is recorded in window.mingbaiAnnounced (tests and diagnostics).
  window.mingbaiAnnounced = window.mingbaiAnnounced || [];
  var chimeCtx = null;
  function chime(done) {
    try {
      var AC = window.AudioContext || window.webkitAudioContext;
      if (!AC) { setTimeout(done, 300); return; }
      chimeCtx = chimeCtx || new AC();
      var now = chimeCtx.currentTime;
      [[880, 0], [660, 0.35]].forEach(function (n) {
        var o = chimeCtx.createOscillator(), g = chimeCtx.createGain();
        o.frequency.value = n[0];
        g.gain.setValueAtTime(0.0001, now + n[1]);
        g.gain.exponentialRampToValueAtTime(0.3, now + n[1] + 0.03);
        g.gain.exponentialRampToValueAtTime(0.0001, now + n[1] + 0.6);
        o.connect(g); g.connect(chimeCtx.destination);
        o.start(now + n[1]); o.stop(now + n[1] + 0.65);
      });
    } catch (e) { /* no audio: the screen still shows the call */ }
    setTimeout(done, 1100);
  }
  function zhVoice() {
    if (!("speechSynthesis" in window)) return null;
    var vs = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < vs.length; i++) if (/^zh/i.test(vs[i].lang)) return vs[i];
    return null;
  }
  window.mingbaiAnnouncer = window.mingbaiAnnouncer || {
    queue: [], busy: false,
    announce: function (textToSay) {
      window.mingbaiAnnounced.push(textToSay);
      this.queue.push(textToSay);
      this.next();
    },
    next: function () {
      var self = this;
      if (self.busy || !self.queue.length) return;
      self.busy = true;
      var say = self.queue.shift(), finished = false;
      function done() { if (finished) return; finished = true; self.busy = false; setTimeout(function () { self.next(); }, 400); }
      var voice = zhVoice();
      if (!voice) { chime(done); return; }
      chime(function () {
        try {
          var u = new SpeechSynthesisUtterance(say);
          u.lang = "zh-CN"; u.voice = voice; u.rate = 0.9;
          u.onend = done; u.onerror = done;
          window.speechSynthesis.speak(u);
          setTimeout(done, 3000 + say.length * 400); // never stay stuck
        } catch (e) { done(); }
      });
    }
  };
  function announceCall(number, win) {
    // Mandarin on every screen, whatever the page language.
    window.mingbaiAnnouncer.announce("请 " + number + " 号到 " + win + " 号窗口办理");
  }

  function api(method, url, body, headers) {
    var h = { "Accept": "application/json" };
    if (body !== undefined) h["Content-Type"] = "application/json";
    for (var k in headers || {}) h[k] = headers[k];
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
  function stream(hall, handlers) {
    var es = new EventSource("/api/v1/halls/" + hall + "/stream");
    Object.keys(handlers).forEach(function (k) {
      es.addEventListener(k, function (e) { handlers[k](JSON.parse(e.data), e); });
    });
    return es;
  }
  function minutes(ms) { return ms > 0 ? Math.round(ms / 60000) + " " + t("queue.minutes") : "—"; }

  // ---- Screens: hall, zone, window top.
  function screen(body) {
    var hall = body.dataset.hall, zone = body.dataset.zone, board = null;
    function renderCalls() {
      var ol = $("calls");
      ol.innerHTML = "";
      board.calls.filter(function (c) { return !zone || c.zone === zone; }).slice(0, 6).forEach(function (c, i) {
        var li = document.createElement("li");
        if (i === 0) li.className = "latest";
        var n = document.createElement("span"); n.className = "num"; n.textContent = c.number;
        var w = document.createElement("span"); w.className = "win"; w.textContent = t("queue.go_to_window", c.window);
        li.appendChild(n); li.appendChild(w); ol.appendChild(li);
      });
    }
    function renderZones() {
      var tb = $("zones");
      tb.innerHTML = "";
      board.zones.filter(function (z) { return !zone || z.code === zone; }).forEach(function (z) {
        var tr = document.createElement("tr");
        tr.dataset.zone = z.code;
        var a = document.createElement("td"); a.textContent = z.prefix + " " + z.name;
        var b = document.createElement("td"); b.className = "count"; b.textContent = z.waiting;
        tr.appendChild(a); tr.appendChild(b); tb.appendChild(tr);
      });
    }
    function counts(w) {
      if (!board || !w) return;
      board.zones.forEach(function (z) { z.waiting = w[z.code] || 0; });
      renderZones();
    }
    function call(ev) {
      if (!board) return;
      board.calls = board.calls.filter(function (c) { return c.number !== ev.number; });
      board.calls.unshift({ number: ev.number, window: ev.window, zone: ev.zone, at: Date.now() });
      renderCalls();
    }
    stream(hall, {
      "snapshot": function (b) { board = b; renderCalls(); renderZones(); if (b.leader && $("leader")) text($("leader"), b.leader); },
      // The server could not replay what the screen missed (a long outage):
      // the snapshot holds the current calls, announce the newest again.
      "resync": function () {
        if (!board) return;
        board.calls.filter(function (c) { return !zone || c.zone === zone; }).slice(0, 3).reverse().forEach(function (c) { announceCall(c.number, c.window); });
      },
      "ticket.issued": function (ev) { counts(ev.waiting); },
      "ticket.updated": function (ev) { counts(ev.waiting); },
      "ticket.called": function (ev) {
        counts(ev.waiting); call(ev);
        if (!zone || ev.zone === zone) announceCall(ev.number, ev.window);
      },
      "ticket.recalled": function (ev) {
        call(ev);
        if (!zone || ev.zone === zone) announceCall(ev.number, ev.window);
      }
    });
    setInterval(function () { text($("s-clock"), new Date().toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" })); }, 1000);
  }

  function windowTop(body) {
    var hall = body.dataset.hall, win = body.dataset.window;
    function render(b) {
      b.windows.forEach(function (w) {
        if (w.number !== win) return;
        text($("w-name"), w.staff || ""); text($("w-post"), w.post || ""); text($("w-pledge"), w.pledge || "");
        if (w.photo) $("w-photo").src = w.photo;
        text($("w-current"), w.current || "—");
        text($("w-state"), w.state === "open" ? "" : (w.state === "paused" ? t("queue.paused") : t("queue.closed_window")));
      });
    }
    function refresh() { api("GET", "/api/v1/halls/" + hall + "/queue").then(render); }
    stream(hall, {
      "snapshot": render,
      "ticket.called": function (ev) { if (ev.window === win) { text($("w-current"), ev.number); announceCall(ev.number, ev.window); } },
      "ticket.recalled": function (ev) { if (ev.window === win) announceCall(ev.number, ev.window); },
      "ticket.updated": function (ev) { if (ev.window === win) refresh(); },
      "window.state": function (ev) { if (ev.window === win) refresh(); }
    });
  }

  // ---- Kiosk.
  function kiosk(body) {
    var hall = body.dataset.hall, chosen = null, idle = null;
    var q = new URLSearchParams(location.search);
    if (q.get("device")) { localStorage.setItem("mingbai.kiosk", q.get("device")); q.delete("device"); history.replaceState(null, "", location.pathname + (q.toString() ? "?" + q : "")); }
    var device = localStorage.getItem("mingbai.kiosk");
    function show(id) {
      document.querySelectorAll(".k-step").forEach(function (s) { s.hidden = true; });
      if (typeof id === "string") $(id).hidden = false; else id.hidden = false;
      $("k-error").hidden = true;
    }
    function reset() { chosen = null; show("k-zones"); }
    function touch() { clearTimeout(idle); idle = setTimeout(reset, 60000); }
    document.addEventListener("pointerdown", touch);
    document.querySelectorAll(".k-zone").forEach(function (b) {
      b.addEventListener("click", function () { show(document.querySelector('.k-items[data-zone="' + b.dataset.zone + '"]')); });
    });
    document.querySelectorAll(".k-back").forEach(function (b) { b.addEventListener("click", reset); });
    document.querySelectorAll(".k-pick").forEach(function (b) {
      b.addEventListener("click", function () { chosen = { item: b.dataset.item, name: b.dataset.name }; show("k-green"); });
    });
    function issue(prio, key, attempt) {
      var headers = device ? { "Authorization": "Bearer " + device } : {};
      return api("POST", "/api/v1/tickets", { item: chosen.item, hall: Number(hall), priority: prio, idempotency_key: key }, headers)
        .catch(function (e) {
          // A lost answer is retried with the same key: never two tickets.
          if (!e.status && attempt < 3) return issue(prio, key, attempt + 1);
          throw e;
        });
    }
    document.querySelectorAll(".k-prio").forEach(function (b) {
      b.addEventListener("click", function () {
        var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
        b.disabled = true;
        issue(b.dataset.prio, key, 0).then(function (tk) {
          b.disabled = false;
          text($("t-number"), tk.number);
          text($("t-item"), tk.item_name);
          text($("t-ahead"), t("queue.ahead", tk.position));
          text($("t-eta"), tk.eta_minutes == null ? t("queue.eta_unknown") : t("queue.eta", tk.eta_minutes));
          var token = tk.track_url.split("/t/")[1];
          $("t-qr").src = "/t/" + token + "/qr.png";
          text($("t-time"), new Date(tk.issued_at).toLocaleString("zh-CN"));
          show("k-ticket");
          touch();
        }).catch(function (e) {
          b.disabled = false;
          var el = $("k-error");
          el.textContent = e.message || t("queue.error");
          el.hidden = false;
        });
      });
    });
    $("k-print").addEventListener("click", function () { window.print(); });
    $("k-done").addEventListener("click", reset);
  }

  // ---- Phone tracking.
  function track(body) {
    var token = body.dataset.token, hall = body.dataset.hall;
    function render(v) {
      text($("tr-state"), t("queue.state_" + v.state) + (v.window && v.state !== "waiting" ? " · " + t("queue.go_to_window", v.window) : ""));
      text($("tr-ahead"), v.state === "waiting" ? t("queue.ahead", v.position) : "");
      text($("tr-eta"), v.state !== "waiting" ? "" : v.eta_minutes == null ? t("queue.eta_unknown") : t("queue.eta", v.eta_minutes));
      var ul = $("tr-calling");
      ul.innerHTML = "";
      (v.calling || []).forEach(function (c) { var li = document.createElement("li"); li.textContent = c.number + " → " + t("queue.go_to_window", c.window); ul.appendChild(li); });
      $("tr-cancel").hidden = v.state !== "waiting";
    }
    var pending = null;
    function refresh() { api("GET", "/api/v1/track/" + token).then(render).catch(function () {}); }
    function later() { clearTimeout(pending); pending = setTimeout(refresh, 300); }
    render(data("mingbai-track"));
    stream(hall, { "ticket.called": later, "ticket.updated": later, "ticket.recalled": later, "window.state": later });
    setInterval(refresh, 30000);
    $("tr-cancel").addEventListener("click", function () { api("POST", "/api/v1/track/" + token + "/cancel", {}).then(refresh); });
  }

  var page = document.body.dataset.page;
  if (page === "kiosk") kiosk(document.body);
  else if (page === "screen") screen(document.body);
  else if (page === "window") windowTop(document.body);
  else if (page === "track") track(document.body);
})();
