// mingbai live screens: hall and zone displays, the window's top screen and
// the phone tracking page. They follow the hall's public event stream; the
// clock is the server's, in the hall's time zone.
"use strict";
(function () {
  var Q = window.mingbaiQ, t = Q.t, $ = Q.$, text = Q.text;
  var body = document.body, page = body.dataset.page;

  function clock() {
    if (!$("s-clock")) return;
    var c = Q.hallClock();
    var tick = function () { var n = c(); text($("s-clock"), n.hm); text($("s-date"), n.date); };
    tick(); setInterval(tick, 1000);
  }
  // A display PC's browser blocks sound until someone clicks once (unless
  // it runs with --autoplay-policy=no-user-gesture-required): say so, once.
  function voiceOverlay() {
    var ov = $("s-voice"), ctx = Q.audioCtx();
    if (!ov || !ctx || ctx.state !== "suspended") return;
    ov.hidden = false;
    $("s-voice-on").addEventListener("click", function () {
      ctx.resume();
      try { if ("speechSynthesis" in window) window.speechSynthesis.speak(new SpeechSynthesisUtterance("")); } catch (e) { /* no voice */ }
      ov.hidden = true;
    });
  }

  // ---- Hall and zone displays: the latest call large, the seven before it
  // listed, recalls marked; waiting per zone; the duty leader's slot.
  function screen() {
    var hall = body.dataset.hall, zone = body.dataset.zone, board = null;
    function mine(c) { return !zone || c.zone === zone; }
    function renderCalls() {
      var calls = board.calls.filter(mine).slice(0, 8), first = calls[0];
      text($("s-latest-num"), first ? first.number : "—");
      text($("s-latest-win"), first ? t("queue.go_to_window", first.window) : t("queue.s_no_calls"));
      $("s-latest-recall").hidden = !(first && first.recalls > 0);
      $("s-latest").className = "s-latest" + (first ? " on" : "");
      var ol = $("calls");
      ol.innerHTML = "";
      calls.slice(1).forEach(function (c) {
        var li = document.createElement("li");
        var n = document.createElement("span"); n.className = "num"; n.textContent = c.number;
        var w = document.createElement("span"); w.className = "win"; w.textContent = t("queue.s_window", c.window);
        li.appendChild(n); li.appendChild(w);
        if (c.recalls > 0) { var r = document.createElement("span"); r.className = "s-badge"; r.textContent = t("queue.s_recall"); li.appendChild(r); }
        ol.appendChild(li);
      });
    }
    function renderZones() {
      var tb = $("zones");
      tb.innerHTML = "";
      board.zones.filter(function (z) { return !zone || z.code === zone; }).forEach(function (z) {
        var tr = document.createElement("tr");
        tr.dataset.zone = z.code;
        var a = document.createElement("td"); a.className = "zname";
        var p = document.createElement("span"); p.className = "zp"; p.textContent = z.prefix;
        a.appendChild(p); a.appendChild(document.createTextNode(z.name));
        var b = document.createElement("td"); b.className = "count"; b.textContent = t("queue.s_people", z.waiting);
        tr.appendChild(a); tr.appendChild(b); tb.appendChild(tr);
      });
    }
    function counts(w) {
      if (!board || !w) return;
      board.zones.forEach(function (z) { z.waiting = w[z.code] || 0; });
      renderZones();
    }
    function call(ev, recalled) {
      if (!board) return;
      var old = board.calls.filter(function (c) { return c.number === ev.number; })[0];
      board.calls = board.calls.filter(function (c) { return c.number !== ev.number; });
      board.calls.unshift({ number: ev.number, window: ev.window, zone: ev.zone, recalls: recalled ? ((old && old.recalls) || 0) + 1 : 0 });
      renderCalls();
    }
    Q.stream(hall, {
      "snapshot": function (b) {
        board = b; renderCalls(); renderZones();
        if (window.mingbaiDuty) window.mingbaiDuty.board(b.duty); else if (b.leader) text($("leader"), b.leader);
      },
      "duty.roster": function (ev) { if (window.mingbaiDuty) window.mingbaiDuty.board(ev); },
      "ticket.issued": function (ev) { counts(ev.waiting); },
      "ticket.updated": function (ev) { counts(ev.waiting); },
      "ticket.called": function (ev) {
        counts(ev.waiting); call(ev, false);
        if (mine(ev)) Q.announceCall(ev.number, ev.window);
      },
      "ticket.recalled": function (ev) {
        call(ev, true);
        if (mine(ev)) Q.announceCall(ev.number, ev.window);
      }
    });
  }

  // ---- The screen above a window: the clerk (亮明身份) while someone is
  // signed in, else "closed"; the ticket being served.
  function windowTop() {
    var hall = body.dataset.hall, win = body.dataset.window;
    function render(b) {
      b.windows.forEach(function (w) {
        if (w.number !== win) return;
        var closed = w.state === "closed";
        $("w-closed").hidden = !closed; $("w-staff").hidden = closed; $("w-cur").hidden = closed;
        if (closed) return;
        text($("w-name"), w.staff || ""); text($("w-post"), w.post || ""); text($("w-pledge"), w.pledge || "");
        if (w.photo) $("w-photo").src = w.photo;
        text($("w-current"), w.current || "—");
        text($("w-state"), w.state === "paused" ? t("queue.paused") : "");
      });
    }
    function refresh() { Q.api("GET", "/api/v1/halls/" + hall + "/queue").then(render); }
    Q.stream(hall, {
      "snapshot": render,
      "ticket.called": function (ev) { if (ev.window === win) { text($("w-current"), ev.number); Q.announceCall(ev.number, ev.window); } },
      "ticket.recalled": function (ev) { if (ev.window === win) Q.announceCall(ev.number, ev.window); },
      "ticket.updated": function (ev) { if (ev.window === win) refresh(); },
      "window.state": function (ev) { if (ev.window === win) refresh(); }
    });
  }

  // ---- Phone tracking page.
  function track() {
    var token = body.dataset.token, hall = body.dataset.hall, buzzed = false;
    function render(v) {
      var called = v.state === "called";
      body.classList.toggle("tr-called", called);
      body.classList.toggle("tr-over", v.state !== "waiting" && !called && v.state !== "serving");
      text($("tr-state"), called ? t("queue.tr_your_turn") : t("queue.state_" + v.state));
      text($("tr-ahead"), called ? t("queue.tr_go_now", v.window) : v.state === "waiting" ? t("queue.ahead", v.position) : (v.window && v.state === "serving" ? t("queue.s_window", v.window) : ""));
      text($("tr-eta"), v.state !== "waiting" ? "" : v.eta_minutes == null ? t("queue.eta_unknown") : t("queue.eta", v.eta_minutes));
      if (called && !buzzed) {
        buzzed = true;
        // Vibration where the phone allows it (Android browsers; not iOS).
        try { if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 800]); } catch (e) { /* not allowed */ }
        Q.announceCall(v.number, v.window);
      }
      if (!called) buzzed = false;
      var ul = $("tr-calling");
      ul.innerHTML = "";
      (v.calling || []).slice(0, 6).forEach(function (c) {
        var li = document.createElement("li");
        if (c.number === v.number) li.className = "me";
        var n = document.createElement("b"); n.textContent = c.number;
        var w = document.createElement("span"); w.textContent = t("queue.s_window", c.window);
        li.appendChild(n); li.appendChild(w); ul.appendChild(li);
      });
      if (!ul.children.length) { var none = document.createElement("li"); none.className = "none"; none.textContent = t("queue.s_no_calls"); ul.appendChild(none); }
      $("tr-cancel").hidden = v.state !== "waiting";
      if (v.state !== "waiting") $("tr-confirm").hidden = true;
    }
    var pending = null;
    function refresh() { Q.api("GET", "/api/v1/track/" + token).then(render).catch(function () {}); }
    function later() { clearTimeout(pending); pending = setTimeout(refresh, 300); }
    render(JSON.parse($("mingbai-track").textContent));
    Q.stream(hall, { "ticket.called": later, "ticket.updated": later, "ticket.recalled": later, "window.state": later, "ticket.issued": later });
    setInterval(refresh, 30000);
    $("tr-cancel").addEventListener("click", function () { $("tr-confirm").hidden = false; $("tr-cancel-no").focus(); });
    $("tr-cancel-no").addEventListener("click", function () { $("tr-confirm").hidden = true; });
    $("tr-cancel-yes").addEventListener("click", function () {
      $("tr-confirm").hidden = true;
      Q.api("POST", "/api/v1/track/" + token + "/cancel", {}).then(refresh).catch(refresh);
    });
  }

  clock();
  if (page === "screen") { voiceOverlay(); screen(); }
  else if (page === "window") { voiceOverlay(); windowTop(); }
  else if (page === "track") track();
})();
