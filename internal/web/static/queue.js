// mingbai queue pages: the announcer and helpers shared by the kiosk,
// display and tracking scripts (kiosk.js, screens.js), and the window console.
// No build step.
"use strict";
(function () {
  var msgEl = document.getElementById("mingbai-msg");
  var M = msgEl ? JSON.parse(msgEl.textContent) : (window.mingbaiMsg || {});
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
  // audioCtx is the page's one audio context; a display shows its "click to
  // turn on voice" overlay while the browser keeps it suspended.
  function audioCtx() {
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return null;
    chimeCtx = chimeCtx || new AC();
    return chimeCtx;
  }
  function chime(done) {
    try {
      if (!audioCtx()) { setTimeout(done, 300); return; }
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

  // ---- Window console.
  function consoleApp(root) {
    var hall = root.dataset.hall, sel = $("c-window"), cur = null, state = null;
    function wid() { return sel.value; }
    function msg(s, bad) { var el = $("c-msg"); el.textContent = s || ""; el.className = "c-msg" + (bad ? " bad" : ""); }
    function refresh() {
      return api("GET", "/api/v1/windows/" + wid() + "/console").then(function (c) {
        cur = c.current;
        state = c.session ? c.session.state : "closed";
        text($("c-state"), state === "open" ? t("queue.open") : state === "paused" ? t("queue.paused") : t("queue.closed_window"));
        text($("c-pause-label"), state === "paused" ? "▶" : "❚❚");
        text($("c-number"), cur ? cur.number : "—");
        text($("c-info"), cur ? cur.item + " · " + t("queue.state_" + cur.state) + (cur.priority ? " · ★" : "") + (cur.recalls ? " · ×" + cur.recalls : "") : "");
        var ul = $("c-waiting");
        ul.innerHTML = "";
        (c.waiting || []).forEach(function (w) { var li = document.createElement("li"); li.textContent = w.item + "  " + w.waiting; ul.appendChild(li); });
        text($("c-total"), "(" + c.waiting_total + ")");
        renderQueue(c);
        text($("c-served"), c.served_today);
        text($("c-avgwait"), minutes(c.avg_wait_ms));
        text($("c-avgsvc"), minutes(c.avg_service_ms));
      }).catch(function (e) { msg(e.message, true); });
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
        s.textContent = tk.number + " · " + tk.item + (tk.priority ? " ★" : "") + (tk.id === c.next_id ? " · " + t("queue.next_mark") : "");
        var b = document.createElement("button");
        b.className = "c-call-this"; b.textContent = t("queue.call_this");
        b.addEventListener("click", function () { callTicket(tk, ""); });
        li.appendChild(s); li.appendChild(b); ol.appendChild(li);
      });
      (c.held || []).forEach(function (tk) {
        var li = document.createElement("li");
        li.dataset.ticket = tk.id;
        var s = document.createElement("span");
        s.textContent = tk.number + " · " + tk.item;
        var b = document.createElement("button");
        b.className = "c-return"; b.textContent = t("queue.return");
        b.addEventListener("click", function () {
          api("POST", "/api/v1/tickets/" + tk.id + "/return", {}).then(function () { msg(""); refresh(); }).catch(function (e) { msg(e.message, true); refresh(); });
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
        msg(r ? r.number : ""); refresh();
      }).catch(function (e) {
        if (e.field === "reason") {
          oot = tk;
          text($("c-oot-msg"), tk.number + ": " + e.message);
          $("c-oot").hidden = false;
          $("c-oot-reason").focus();
          return;
        }
        msg(e.message, true); refresh();
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
    function act(a) {
      var p;
      if (a === "call") p = api("POST", "/api/v1/windows/" + wid() + "/call", {});
      else if (a === "pause") p = api("POST", "/api/v1/windows/" + wid() + "/session", state === "paused" ? { state: "open" } : { state: "paused", reason: $("c-reason").value });
      else {
        if (!cur) { msg(t("queue.none"), true); return; }
        var body = a === "transfer" ? { item: $("c-transfer-item").value } : {};
        p = api("POST", "/api/v1/tickets/" + cur.id + "/" + a, body);
      }
      p.then(function (r) {
        msg(a === "call" && r ? r.number : "");
        refresh();
      }).catch(function (e) { msg(e.message, true); refresh(); });
    }
    $("c-signin").addEventListener("click", function () {
      api("POST", "/api/v1/windows/" + wid() + "/session", { state: "open" }).then(refresh).catch(function (e) { msg(e.message, true); });
    });
    $("c-signout").addEventListener("click", function () {
      api("POST", "/api/v1/windows/" + wid() + "/session", { state: "closed" }).then(refresh).catch(function (e) { msg(e.message, true); });
    });
    sel.addEventListener("change", refresh);
    root.querySelectorAll("[data-act]").forEach(function (b) { b.addEventListener("click", function () { act(b.dataset.act); }); });
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || /INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName)) return;
      var b = root.querySelector('[data-key="' + e.key.toLowerCase() + '"]');
      if (b) { e.preventDefault(); b.click(); }
    });
    var pending = null;
    stream(hall, { "ticket.issued": later, "ticket.updated": later, "ticket.called": later });
    function later() { clearTimeout(pending); pending = setTimeout(refresh, 300); }
    refresh();
  }

  // The server's clock in the hall's time zone (a data block on the page):
  // the device's own clock and zone are never used for what people read.
  function hallClock() {
    var el = $("mingbai-clock"), c = el ? JSON.parse(el.textContent) : null, t0 = performance.now();
    return function () {
      var d = new Date((c ? c.now + c.offset * 1000 : Date.now()) + (performance.now() - t0));
      function two(n) { return (n < 10 ? "0" : "") + n; }
      return { hm: two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()),
        date: d.getUTCFullYear() + "-" + two(d.getUTCMonth() + 1) + "-" + two(d.getUTCDate()) };
    };
  }
  // Shared with the kiosk, display and tracking scripts.
  window.mingbaiQ = { t: t, $: $, text: text, api: api, stream: stream, announceCall: announceCall, minutes: minutes,
    hallClock: hallClock, audioCtx: audioCtx };

  var c = document.getElementById("console");
  if (c) consoleApp(c);
})();
