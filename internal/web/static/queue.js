// mingbai queue pages: the announcer and helpers shared by the kiosk,
// display and tracking scripts (kiosk.js, screens.js); the window console
// has its own script (console.js). No build step.
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

})();
