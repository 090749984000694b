// Staffing advisor page: starts a job, polls its progress, shows the advice.
"use strict";
(function () {
  var form = document.getElementById("staffing");
  if (!form) return;
  var T = JSON.parse(document.getElementById("staffing-text").textContent);
  var status = document.getElementById("staffing-status");
  var bar = document.getElementById("staffing-progress");
  var out = document.getElementById("staffing-result");
  function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }
  function row(cells, head) {
    var tr = el("tr");
    cells.forEach(function (c) { tr.appendChild(el(head ? "th" : "td", String(c))); });
    return tr;
  }
  function table(head, rows) {
    var t = el("table"), th = el("thead"), tb = el("tbody");
    th.appendChild(row(head, true));
    rows.forEach(function (r) { tb.appendChild(row(r)); });
    t.appendChild(th); t.appendChild(tb);
    return t;
  }
  function show(a) {
    out.textContent = "";
    var h = el("h2", a.met ? T.met : T.not_met);
    out.appendChild(h);
    var f = function (x) { return x.toFixed(1); };
    out.appendChild(table(["", T.staff_hours, T.mean_wait, T.p95_wait, T.within], [
      [T.current, f(a.current.staff_hours), f(a.current.mean_wait), f(a.current.p95_wait), (100 * a.current.within_share).toFixed(1) + "%"],
      [T.proposed, f(a.proposed.staff_hours), f(a.proposed.mean_wait), f(a.proposed.p95_wait), (100 * a.proposed.within_share).toFixed(1) + "%"]
    ]));
    out.appendChild(el("h3", T.hour));
    out.appendChild(table([T.hour, T.open_now, T.open_proposed], a.hours.map(function (h) {
      return [h.hour + ":00", h.current, h.proposed];
    })));
    out.appendChild(el("h3", T.window));
    out.appendChild(table([T.window, T.zones, T.added, T.shifts], a.windows.map(function (w) {
      var zn = function (z) { return T["zone." + z] || z; };
      return [w.id, w.zones.map(zn).join(" · "), (w.added || []).map(zn).join(" · "), (w.shifts || []).join(", ")];
    })));
  }
  function poll(id) {
    fetch("/api/v1/staffing/" + id, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.error && !j.id) { status.textContent = j.error.message; return; }
        bar.value = Math.min(j.simulations, bar.max);
        if (!j.done) {
          status.textContent = T.running.replace("%d", j.simulations);
          setTimeout(function () { poll(id); }, 1000);
          return;
        }
        bar.hidden = true;
        if (j.error) { status.textContent = T.failed.replace("%s", j.error); return; }
        status.textContent = T.done + " · " + T.simulations + " " + j.simulations;
        show(j.advice);
      });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var body = {
      scenario: form.scenario.value,
      target_percent: Number(form.target_percent.value),
      target_minutes: Number(form.target_minutes.value)
    };
    fetch("/api/v1/staffing", { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.error) { status.textContent = j.error.message; return; }
        bar.hidden = false; bar.value = 0; out.textContent = "";
        poll(j.id);
      });
  });
})();
