// mingbai touch kiosk: zones → items (paged, 返回 always on the bar) →
// green-channel question → ticket; search with an on-screen keyboard
// (pinyin initials work); appointment check-in by code; the guide opens in
// the kiosk itself; idle reset. Printing is optional (?autoprint=1 once, or
// Chromium --kiosk-printing) and never claims a ticket came out.
"use strict";
(function () {
  var Q = window.mingbaiQ, t = Q.t, $ = Q.$, text = Q.text;
  var body = document.body;
  if (body.dataset.page !== "kiosk") return;
  var hall = body.dataset.hall, chosen = null, idle = null, current = null;
  var clock = Q.hallClock();
  function tick() { var c = clock(); text($("k-clock"), c.date + " " + c.hm); }
  tick(); setInterval(tick, 1000);
  if (!$("k-home")) {
    // Closed-hall screen: look again every minute.
    setTimeout(function () { location.reload(); }, 60000);
    return;
  }
  var q = new URLSearchParams(location.search);
  if (q.get("device")) localStorage.setItem("mingbai.kiosk", q.get("device"));
  if (q.get("autoprint")) localStorage.setItem("mingbai.autoprint", q.get("autoprint") === "1" ? "1" : "0");
  if (q.get("device") || q.get("autoprint")) {
    q.delete("device"); q.delete("autoprint");
    history.replaceState(null, "", location.pathname + (q.toString() ? "?" + q : ""));
  }
  var device = localStorage.getItem("mingbai.kiosk");
  var autoprint = localStorage.getItem("mingbai.autoprint") === "1";
  var loaded = Date.now();
  var offered = {};
  document.querySelectorAll(".k-pick").forEach(function (b) { offered[b.dataset.item] = b.dataset.name; });

  var stack = [];
  function show(el, push) {
    if (typeof el === "string") el = $(el);
    document.querySelectorAll(".k-step").forEach(function (s) { s.hidden = true; });
    el.hidden = false;
    $("k-error").hidden = true;
    if (push !== false && current && current !== el) stack.push(current);
    current = el;
    $("k-bar").hidden = el.id === "k-home";
    pager();
  }
  function reset() {
    chosen = null; stack = []; current = null;
    // The next citizen finds the kiosk in the hall's language, and a kiosk
    // left alone for long picks up new items and opening hours.
    if (body.dataset.lang !== "zh-CN") { location.href = location.pathname + "?lang=zh-CN"; return; }
    if (Date.now() - loaded > 10 * 60000) { location.href = location.pathname + location.search; return; }
    $("k-q").value = ""; $("k-code").value = ""; search();
    show("k-home", false);
  }
  function back() {
    var prev = stack.pop();
    if (!prev || current.id === "k-ticket") { reset(); return; }
    show(prev, false);
  }
  function touch() { clearTimeout(idle); idle = setTimeout(reset, 60000); }
  document.addEventListener("pointerdown", touch);
  $("k-back").addEventListener("click", back);

  // Paging: the list of the step on screen scrolls by one screenful; the
  // bar with 返回 stays in place.
  function list() { return current ? current.querySelector(".k-list") : null; }
  function pager() {
    var l = list(), pages = 1, page = 1;
    if (l && l.clientHeight > 0) {
      pages = Math.max(1, Math.ceil((l.scrollHeight - 4) / l.clientHeight));
      page = Math.min(pages, Math.round(l.scrollTop / l.clientHeight) + 1);
    }
    $("k-prev").hidden = $("k-next").hidden = $("k-pageno").hidden = pages < 2;
    $("k-prev").disabled = page <= 1; $("k-next").disabled = page >= pages;
    text($("k-pageno"), t("queue.k_page", page, pages));
  }
  function flip(dir) { var l = list(); if (l) { l.scrollTop += dir * l.clientHeight; pager(); } }
  $("k-prev").addEventListener("click", function () { flip(-1); });
  $("k-next").addEventListener("click", function () { flip(1); });
  document.querySelectorAll(".k-list").forEach(function (l) { l.addEventListener("scroll", pager); });
  window.addEventListener("resize", pager);

  document.querySelectorAll(".k-zone").forEach(function (b) {
    b.addEventListener("click", function () { show(document.querySelector('.k-items[data-zone="' + b.dataset.zone + '"]')); });
  });
  function pick(code, name) {
    chosen = { item: code, name: name };
    text($("k-green-item"), name);
    show("k-green");
  }
  function bindPick(b) { b.addEventListener("click", function () { pick(b.dataset.item, b.dataset.name); }); }
  document.querySelectorAll(".k-pick").forEach(bindPick);

  // On-screen keyboards (search box and check-in code).
  document.querySelectorAll(".k-keys").forEach(function (kb) {
    var input = $(kb.dataset.for);
    kb.querySelectorAll(".k-key").forEach(function (k) {
      k.addEventListener("click", function () {
        input.value = k.dataset.key === "del" ? input.value.slice(0, -1) : (input.value + k.dataset.key).slice(0, input.maxLength);
        input.dispatchEvent(new Event("input"));
      });
    });
  });
  document.querySelectorAll("[data-clear]").forEach(function (b) {
    b.addEventListener("click", function () { var i = $(b.dataset.clear); i.value = ""; i.dispatchEvent(new Event("input")); });
  });
  $("k-go-search").addEventListener("click", function () { show("k-search"); });
  $("k-go-checkin").addEventListener("click", function () { show("k-checkin"); });
  var searchSeq = 0, searchTimer = null;
  function search() {
    var qv = $("k-q").value.trim(), seq = ++searchSeq, res = $("k-results");
    if (!qv) { res.innerHTML = ""; $("k-none").hidden = true; pager(); return; }
    Q.api("GET", "/api/v1/items?q=" + encodeURIComponent(qv)).then(function (items) {
      if (seq !== searchSeq) return;
      res.innerHTML = "";
      (items || []).filter(function (it) { return offered[it.code]; }).slice(0, 24).forEach(function (it) {
        var row = document.createElement("div"); row.className = "k-item";
        var b = document.createElement("button"); b.className = "k-btn k-pick";
        b.dataset.item = it.code; b.dataset.name = offered[it.code]; b.textContent = offered[it.code];
        bindPick(b);
        var g = document.createElement("a"); g.className = "k-btn k-guide";
        g.href = "/kiosk/guides?kiosk=1&code=" + encodeURIComponent(it.code) + (body.dataset.lang !== "zh-CN" ? "&lang=" + body.dataset.lang : "");
        g.textContent = t("queue.guide");
        row.appendChild(b); row.appendChild(g); res.appendChild(row);
      });
      $("k-none").hidden = res.children.length > 0;
      pager();
    }).catch(function () {});
  }
  $("k-q").addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(search, 200); });

  function key() { return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random(); }
  function headers() { return device ? { "Authorization": "Bearer " + device } : {}; }
  function withRetry(call, attempt) {
    // A lost answer is retried with the same key: never two tickets.
    return call().catch(function (e) { if (!e.status && attempt < 3) return withRetry(call, attempt + 1); throw e; });
  }
  function fail(e) {
    var el = $("k-error");
    el.textContent = (e && e.message) || t("queue.error");
    el.hidden = false;
  }
  function ticket(tk) {
    text($("t-hall"), tk.hall);
    text($("t-number"), tk.number);
    text($("t-item"), tk.item_name);
    text($("t-ahead"), t("queue.ahead", tk.position));
    text($("t-eta"), tk.eta_minutes == null ? t("queue.eta_unknown") : t("queue.eta", tk.eta_minutes));
    var token = tk.track_url.split("/t/")[1];
    $("t-qr").src = "/t/" + token + "/qr.png";
    // The time printed is the server's, in the hall's time zone.
    text($("t-time"), t("queue.k_issued_at", tk.issued_at_text));
    show("k-ticket");
    stack = [];
    touch();
    text($("k-printnote"), autoprint ? t("queue.k_printing") : t("queue.k_no_printer"));
    text($("k-print"), autoprint ? t("queue.k_reprint") : t("queue.print"));
    if (autoprint) {
      // The QR code must be in the print: wait for it, and print anyway if
      // it does not load (the number is what matters).
      var img = $("t-qr"), printed = false;
      var go = function () { if (!printed) { printed = true; window.print(); } };
      if (img.complete && img.naturalWidth) go(); else { img.addEventListener("load", go, { once: true }); img.addEventListener("error", go, { once: true }); setTimeout(go, 3000); }
    }
  }
  document.querySelectorAll(".k-prio").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!chosen) return;
      var k = key(), body = { item: chosen.item, hall: Number(hall), priority: b.dataset.prio, idempotency_key: k };
      b.disabled = true;
      withRetry(function () { return Q.api("POST", "/api/v1/tickets", body, headers()); }, 0)
        .then(function (tk) { b.disabled = false; ticket(tk); })
        .catch(function (e) { b.disabled = false; fail(e); });
    });
  });
  $("k-checkin-go").addEventListener("click", function () {
    var code = $("k-code").value.trim().toUpperCase(), b = $("k-checkin-go");
    if (!code) { $("k-code").focus(); return; }
    b.disabled = true;
    Q.api("POST", "/api/v1/appointments/" + encodeURIComponent(code) + "/check-in", { hall: Number(hall) }, headers())
      .then(function (tk) { b.disabled = false; ticket(tk); })
      .catch(function (e) { b.disabled = false; fail(e); });
  });
  $("k-print").addEventListener("click", function () { window.print(); });
  $("k-done").addEventListener("click", reset);

  // Back from a guide with 取号: /kiosk?item=CODE.
  var want = q.get("item");
  show("k-home", false);
  if (want && offered[want]) pick(want, offered[want]);
})();
