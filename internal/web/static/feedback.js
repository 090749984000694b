// mingbai feedback scripts: the rating pad at a window and the callback
// console. No inline scripts: messages come from <script type="application/json" id="fb-msg">.
"use strict";
(function () {
  function $(id) { return document.getElementById(id); }
  var msgEl = $("fb-msg");
  var MSG = msgEl ? JSON.parse(msgEl.textContent) : {};
  function t(k) { return MSG[k] || k; }
  function api(method, url, body, token) {
    var h = { "Accept": "application/json" };
    if (body !== undefined) h["Content-Type"] = "application/json";
    if (token) h["Authorization"] = "Bearer " + token;
    return fetch(url, { method: method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (txt) {
          var j = txt ? JSON.parse(txt) : null;
          if (!r.ok) { var e = new Error(j && j.error ? j.error.message : t("err.internal")); e.status = r.status; throw e; }
          return j;
        });
      });
  }

  // ---- Rating pad (评价器).
  function pad() {
    var q = new URLSearchParams(location.search);
    if (q.get("device")) {
      localStorage.setItem("mingbai.pad", q.get("device"));
      q.delete("device");
      history.replaceState(null, "", location.pathname + (q.toString() ? "?" + q : ""));
    }
    var token = localStorage.getItem("mingbai.pad");
    var state = null, es = null, chosen = {}, reason = "";
    if (!token) { $("pad-status").textContent = t("fb.pad_no_token"); return; }

    function show(which) {
      ["pad-idle", "pad-ask", "pad-thanks"].forEach(function (id) { $(id).hidden = id !== which; });
    }
    function reset() {
      chosen = {}; reason = "";
      document.querySelectorAll(".pad-level, .pad-reason").forEach(function (b) { b.classList.remove("on"); b.setAttribute("aria-pressed", "false"); });
      $("pad-text").value = ""; $("pad-error").textContent = ""; $("pad-reasons").hidden = true; $("pad-send").disabled = true;
    }
    function render() {
      $("pad-name").textContent = state.staff_name || "";
      $("pad-post").textContent = state.staff_post || "";
      $("pad-window").textContent = t("fb.pad_window").replace("%s", state.window);
      if (state.staff_photo) $("pad-photo").src = state.staff_photo;
      if (state.ticket_id) {
        if ($("pad-ask").hidden || $("pad-ask").dataset.ticket !== String(state.ticket_id)) {
          reset();
          $("pad-ask").dataset.ticket = String(state.ticket_id);
          $("pad-number").textContent = state.number;
          show("pad-ask");
        }
      } else if ($("pad-thanks").hidden) {
        $("pad-status").textContent = t("fb.pad_waiting");
        show("pad-idle");
      }
    }
    function refresh() {
      return api("GET", "/api/v1/pad", undefined, token).then(function (s) {
        state = s; render();
        if (!es) follow(s.hall_id);
      }).catch(function () { $("pad-status").textContent = t("fb.pad_offline"); show("pad-idle"); });
    }
    // Live: the hall's public event stream says when a ticket at this
    // window is finished or a new one is called.
    function follow(hall) {
      es = new EventSource("/api/v1/halls/" + hall + "/stream");
      // data-live on the body says whether the pad hears the hall (styles
      // may show it; the browser test waits on it).
      es.addEventListener("open", function () { document.body.dataset.live = "1"; });
      es.addEventListener("error", function () { document.body.dataset.live = "0"; });
      ["ticket.updated", "ticket.called", "window.state"].forEach(function (k) {
        es.addEventListener(k, function (e) {
          var d = JSON.parse(e.data);
          if (state && d.window === state.window) refresh();
        });
      });
      es.addEventListener("snapshot", function () { refresh(); });
    }
    document.querySelectorAll(".pad-level").forEach(function (b) {
      b.addEventListener("click", function () {
        var dim = b.dataset.dim;
        document.querySelectorAll('.pad-level[data-dim="' + dim + '"]').forEach(function (o) { o.classList.remove("on"); o.setAttribute("aria-pressed", "false"); });
        b.classList.add("on"); b.setAttribute("aria-pressed", "true");
        chosen[dim] = parseInt(b.dataset.level, 10);
        var bad = chosen.overall && chosen.overall <= 2;
        $("pad-reasons").hidden = !bad;
        $("pad-send").disabled = !chosen.overall || (bad && !reason);
      });
    });
    document.querySelectorAll(".pad-reason").forEach(function (b) {
      b.addEventListener("click", function () {
        document.querySelectorAll(".pad-reason").forEach(function (o) { o.classList.remove("on"); });
        b.classList.add("on"); reason = b.dataset.reason;
        $("pad-send").disabled = !chosen.overall;
      });
    });
    $("pad-send").addEventListener("click", function () {
      var body = { ticket_id: state.ticket_id, overall: chosen.overall, idempotency_key: "ticket-" + state.ticket_id };
      ["efficiency", "service_level", "attitude"].forEach(function (d) { if (chosen[d]) body[d] = chosen[d]; });
      if (chosen.overall <= 2) { body.reason = reason; body.text = $("pad-text").value; }
      $("pad-send").disabled = true;
      api("POST", "/api/v1/pad/ratings", body, token).then(function () {
        show("pad-thanks");
        setTimeout(function () { $("pad-thanks").hidden = true; refresh(); }, 6000);
      }).catch(function (e) { $("pad-error").textContent = e.message; $("pad-send").disabled = false; });
    });
    refresh();
    // The heartbeat lets the manager see a pad that is switched off.
    setInterval(refresh, 60000);
  }

  // ---- Callback console (回访).
  function callback(root) {
    var hall = root.dataset.hall, cur = null;
    function draw() { return $("cb-draw").value; }
    function base() { return "/api/v1/halls/" + hall + "/draws/" + draw(); }
    $("cb-next").addEventListener("click", function () {
      $("cb-msg").textContent = "";
      api("GET", base() + "/next").then(function (tg) {
        cur = tg;
        $("cb-service").textContent = tg.item + " · " + new Date(tg.served_at).toLocaleString() + (tg.replacement ? " · " + t("fb.cb_replacement") : "");
        $("cb-staff").textContent = tg.staff_name;
        $("cb-phone").textContent = tg.phone_masked;
        $("cb-attempts").textContent = String(tg.attempts);
        $("cb-form").reset();
        $("cb-target").hidden = false;
      }).catch(function (e) { $("cb-target").hidden = true; $("cb-msg").textContent = e.status === 404 ? t("fb.cb_none") : e.message; });
    });
    $("cb-reveal").addEventListener("click", function () {
      if (!cur) return;
      api("POST", base() + "/records/" + encodeURIComponent(cur.record_id) + "/reveal", {}).then(function (p) {
        $("cb-phone").textContent = p.phone;
      }).catch(function (e) { $("cb-msg").textContent = e.message; });
    });
    $("cb-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!cur) return;
      var f = ev.target, a = {};
      ["overall", "attitude", "ability", "efficiency"].forEach(function (k) { var v = f.querySelector('input[name="' + k + '"]:checked'); if (v) a[k] = parseInt(v.value, 10); });
      ["told_once", "improper_demand"].forEach(function (k) { var v = f.querySelector('input[name="' + k + '"]:checked'); if (v) a[k] = v.value; });
      var body = { outcome: f.outcome.value, answers: a, text: f.text.value, opt_out: f.opt_out.checked };
      api("POST", base() + "/records/" + encodeURIComponent(cur.record_id) + "/attempts", body).then(function () {
        cur = null; $("cb-target").hidden = true; $("cb-phone").textContent = ""; $("cb-msg").textContent = t("fb.cb_saved");
      }).catch(function (e) { $("cb-msg").textContent = e.message; });
    });
  }

  // ---- Satisfaction figure on a hall screen (hall and zone only).
  function figure(el) {
    api("GET", "/api/v1/halls/" + el.dataset.hall + "/satisfaction/public").then(function (ps) {
      var row = ps.hall;
      if (el.dataset.zone) row = (ps.zones || []).filter(function (z) { return z.key === el.dataset.zone; })[0] || null;
      el.textContent = row && row.n ? (el.dataset.label || t("fb.satisfaction")) + " " + (row.rate * 100).toFixed(1) + "%" : "";
    }).catch(function () { el.textContent = ""; });
  }

  if (document.body.dataset.page === "pad") pad();
  var cb = $("cb");
  if (cb) callback(cb);
  var fig = $("fb-figure");
  if (fig) figure(fig);
})();
