// mingbai duty console (1280×800 tablet): check-in, one-tap guide counts,
// questions answered, window spot checks, the live hall figures (from the
// hall's event stream, no polling) and check-out with a handover note.
"use strict";
(function () {
  var Q = window.mingbaiQ, t = Q.t, $ = Q.$, text = Q.text;
  var root = $("duty-console");
  if (!root) return;
  var hall = root.dataset.hall, base = "/api/v1/halls/" + hall + "/duty", state = null;
  function key() { return "d" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8); }
  function fail(e) { var el = $("dc-err"); el.textContent = e.message; el.hidden = false; $("dc-ok").hidden = true; }
  function ok(msg) { $("dc-err").hidden = true; var el = $("dc-ok"); el.textContent = msg; el.hidden = false; }
  function hm(ms) {
    var d = new Date(ms + (window.mingbaiOffset || 0) * 1000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
  }
  var clockEl = $("mingbai-clock");
  if (clockEl) window.mingbaiOffset = JSON.parse(clockEl.textContent).offset;

  function tab(name) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-tab]"), function (b) { b.setAttribute("aria-selected", b.dataset.tab === name ? "true" : "false"); });
    Array.prototype.forEach.call(root.querySelectorAll("[data-panel]"), function (p) { p.hidden = p.dataset.panel !== name; });
  }
  root.querySelector(".dc-tabs").addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-tab]");
    if (b) tab(b.dataset.tab);
  });

  function render(c) {
    var first = state === null;
    state = c;
    var s = c.shift, on = s && s.checked_in_at && !s.checked_out_at;
    text($("dc-shift"), s ? s.day + " " + s.start + "–" + s.end + " · " + t("duty.post." + s.post) : t("duty.none_today"));
    $("dc-checkin").hidden = !s || !!s.checked_in_at;
    text($("dc-state"), on ? t("duty.checked_in_at", hm(s.checked_in_at)) : (s ? t("duty.not_checked_in") : ""));
    $("dc-checkout").hidden = !on;
    if (first && s) tab(s.post);
    var h = c.handover;
    $("dc-handover").hidden = !h;
    if (h) { text($("dc-handover-from"), t("duty.handover_from", h.from, h.day, t("duty.post." + h.post), hm(h.at))); text($("dc-handover-note"), h.note); }
    text($("n-guide"), c.counts.guide || 0); text($("n-consult"), c.counts.consult || 0); text($("n-check"), c.counts.check || 0);
    Array.prototype.forEach.call(root.querySelectorAll("[data-count]"), function (b) { b.textContent = c.guided_by_zone[b.dataset.count] || 0; });
    var ol = $("dc-recent");
    ol.innerHTML = "";
    c.recent.forEach(function (l) {
      var li = document.createElement("li"), what = t("duty.kind." + l.kind);
      if (l.kind === "consult") what += " · " + l.topic + " · " + t("duty.outcome." + l.outcome);
      if (l.kind === "check") what += " · " + l.window + " · " + (l.finding ? t("duty.check_failed") + " " + l.finding : t("duty.check_ok"));
      li.textContent = hm(l.at) + " " + what;
      ol.appendChild(li);
    });
    live(c.live);
  }
  function live(l) {
    var ul = $("dc-zones");
    ul.innerHTML = "";
    l.zones.forEach(function (z) {
      var li = document.createElement("li");
      li.dataset.zone = z.code;
      li.textContent = z.name + " " + z.waiting;
      ul.appendChild(li);
    });
    text($("dc-longest"), l.longest_wait_ms > 0 ? t("duty.minutes", Math.round(l.longest_wait_ms / 60000)) : "—");
    text($("dc-windows"), l.windows_open + " / " + l.windows_scheduled);
    text($("dc-alerts"), l.open_alerts);
  }
  function refresh() { return Q.api("GET", base + "/console").then(render).catch(fail); }
  var pending = null;
  function later() { clearTimeout(pending); pending = setTimeout(refresh, 300); }
  function log(body) {
    body.idempotency_key = key();
    return Q.api("POST", base + "/logs", body).then(function () { ok(t("duty.counted")); return refresh(); });
  }

  $("dc-checkin").addEventListener("click", function () {
    Q.api("POST", base + "/shifts/" + state.shift.id + "/check-in").then(refresh).catch(fail);
  });
  root.querySelector(".dc-zonebtns").addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-zone]");
    if (!b) return;
    log({ kind: "guide", zone: b.dataset.zone, item: $("g-item").value }).then(function () { $("g-item").value = ""; }).catch(fail);
  });
  var cf = $("c-form");
  cf.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var outcome = ev.submitter ? ev.submitter.value : "on_spot";
    log({ kind: "consult", topic: cf.topic.value, item: cf.item.value, outcome: outcome }).then(function () { cf.reset(); }).catch(fail);
  });
  var kf = $("k-form");
  kf.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var aspects = {}, items = {};
    Array.prototype.forEach.call(kf.querySelectorAll("[name=aspect]"), function (c) { aspects[c.value] = c.checked; });
    Array.prototype.forEach.call(kf.querySelectorAll("[name=item]"), function (c) { items[c.value] = c.checked; });
    log({ kind: "check", window_id: Number(kf.window_id.value), aspects: aspects, items: items, finding: kf.finding.value, handling: kf.handling.value })
      .then(function () { kf.reset(); }).catch(fail);
  });
  var of = $("o-form");
  of.addEventListener("submit", function (ev) {
    ev.preventDefault();
    Q.api("POST", base + "/shifts/" + state.shift.id + "/check-out", { handover: of.handover.value })
      .then(function () { of.reset(); ok(t("duty.saved")); return refresh(); }).catch(fail);
  });

  refresh();
  Q.stream(hall, { "ticket.issued": later, "ticket.called": later, "ticket.updated": later, "window.state": later, "duty.roster": later });
})();
