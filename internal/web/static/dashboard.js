// mingbai live hall dashboard (desktop, wall screen, district): follows
// the dashboard event stream; each "changed" event reads the hall's
// dashboard again (one read per burst). Waits and idle times count on
// from the server's time between events. No polling of the server.
"use strict";
(function () {
  var M = JSON.parse(document.getElementById("dash-msg").textContent);
  function t(key) {
    var s = M[key] || key, args = Array.prototype.slice.call(arguments, 1), i = 0;
    return s.replace(/%[ds]/g, function () { return String(args[i++]); });
  }
  var root = document.getElementById("dash-root");
  var live = document.getElementById("dash-live");
  var halls = root.dataset.halls ? root.dataset.halls.split(",") : [];
  var district = root.dataset.district === "1";
  var wall = root.dataset.wall === "1";
  var views = {}, data = {}, skew = {}, timers = {};

  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (txt !== undefined) e.textContent = txt;
    return e;
  }
  function mins(ms) { return Math.max(0, Math.floor(ms / 60000)); }
  function now(h) { return Date.now() + (skew[h] || 0); }

  function view(h) {
    if (views[h]) return views[h];
    var node = document.getElementById("dash-hall").content.firstElementChild.cloneNode(true);
    node.dataset.hall = h;
    root.appendChild(node);
    views[h] = node;
    return node;
  }
  function tile(v, f, value, hot) {
    var e = v.querySelector('[data-f="' + f + '"]');
    e.querySelector("b").textContent = value;
    e.classList.toggle("hot", !!hot);
  }
  function rows(tb, list, fill) {
    tb.innerHTML = "";
    if (!list.length) { var tr = el("tr"); var td = el("td", "none", t("ov.none")); td.colSpan = 9; tr.appendChild(td); tb.appendChild(tr); return; }
    list.forEach(function (x) { var tr = el("tr"); fill(tr, x); tb.appendChild(tr); });
  }
  function render(h) {
    var d = data[h], v = view(h), s = d.summary, th = d.thresholds;
    var a = v.querySelector(".dash-name");
    a.textContent = d.hall;
    a.href = "/halls/" + d.hall_id + "/dashboard";
    var elapsed = mins(now(h) - d.now);
    var longest = s.waiting ? s.longest_min + elapsed : 0;
    tile(v, "waiting", s.waiting, d.zones.some(function (z) { return z.hot; }));
    tile(v, "longest", t("ov.min", Math.floor(longest)), th.longest_wait_min > 0 && longest > th.longest_wait_min);
    tile(v, "windows", s.windows_open + " / " + s.windows_scheduled, false);
    tile(v, "atpost", s.staff_at_post, false);
    tile(v, "issued", s.issued, false);
    tile(v, "served", s.served, false);
    tile(v, "mean", t("ov.min", s.mean_min), s.mean_hot);
    tile(v, "p90", t("ov.min", s.p90_min), s.p90_hot);
    tile(v, "within", s.called ? s.within10_pct + "%" : "—", s.within10_hot);
    tile(v, "cases", s.cases_overdue + " / " + s.cases_due_soon, s.cases_overdue > 0);
    tile(v, "alerts", s.open_alerts, s.alerts_hot);
    rows(v.querySelector(".dash-zones tbody"), d.zones, function (tr, z) {
      tr.dataset.zone = z.code;
      tr.appendChild(el("td", "", z.name));
      tr.appendChild(el("td", "num" + (z.hot ? " hot" : ""), z.waiting));
      var lw = z.waiting ? z.longest_min + elapsed : 0;
      tr.appendChild(el("td", "num" + ((z.longest_hot || (th.longest_wait_min > 0 && lw > th.longest_wait_min)) ? " hot" : ""), z.waiting ? t("ov.min", Math.floor(lw)) : "—"));
      tr.appendChild(el("td", "items", z.items.map(function (i) { return i.name + " " + i.waiting; }).join("、")));
    });
    // Windows at work one a row; the closed ones on one line.
    var working = d.windows.filter(function (w) { return w.state !== "closed"; });
    var closed = d.windows.filter(function (w) { return w.state === "closed"; });
    var wb = v.querySelector(".dash-windows tbody");
    rows(wb, working, function (tr, w) {
      tr.dataset.window = w.number;
      tr.className = "w-" + w.state;
      tr.appendChild(el("td", "", w.number + (w.scheduled ? "" : " " + t("ov.unscheduled"))));
      var st = t("ov.state_" + w.state);
      if (w.state === "paused" && w.reason) st += " · " + w.reason;
      tr.appendChild(el("td", "state", st));
      tr.appendChild(el("td", "cur", w.current || "—"));
      tr.appendChild(el("td", "", w.staff || "—"));
      var since = w.since ? mins(now(h) - w.since) : -1;
      var hot = (w.state === "idle" && th.idle_window_min > 0 && since > th.idle_window_min) ||
        (w.state === "paused" && th.paused_min > 0 && since > th.paused_min);
      tr.appendChild(el("td", "num" + (hot ? " hot" : ""), since >= 0 ? t("ov.min", since) : "—"));
    });
    if (closed.length) {
      if (!working.length) wb.innerHTML = "";
      var tr = el("tr", "w-closed"), td = el("td", "closed-list", t("ov.closed_windows", closed.map(function (w) { return w.number; }).join("、")));
      td.colSpan = 5; tr.appendChild(td); wb.appendChild(tr);
    }
    rows(v.querySelector(".dash-hours tbody"), d.hours, function (tr, x) {
      tr.appendChild(el("td", "", t("ov.hour", x.hour)));
      var td = el("td", "bar" + (x.usual && x.today_min > x.usual_min ? " hot" : ""));
      var b = el("span", "b"); b.style.width = Math.min(100, x.today_min * 2) + "%";
      td.appendChild(b); td.appendChild(el("span", "v", x.today ? t("ov.min", x.today_min) : "—"));
      tr.appendChild(td);
      var tu = el("td", "bar usual");
      var bu = el("span", "b"); bu.style.width = Math.min(100, x.usual_min * 2) + "%";
      tu.appendChild(bu); tu.appendChild(el("span", "v", x.usual ? t("ov.min", x.usual_min) : "—"));
      tr.appendChild(tu);
    });
    var cl = v.querySelector(".dash-cases");
    cl.innerHTML = "";
    if (!d.cases.length) cl.appendChild(el("li", "none", t("ov.none")));
    d.cases.forEach(function (c) {
      var li = el("li", c.overdue ? "hot" : "");
      var a = el("a", "", c.number); a.href = "/cases/" + c.id;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" " + c.item + " · " + t(c.overdue ? "ov.overdue" : "ov.due", c.due) + " · " + c.staff));
      cl.appendChild(li);
    });
    var al = v.querySelector(".dash-alerts");
    al.innerHTML = "";
    if (!d.alerts.length) al.appendChild(el("li", "none", t("ov.none")));
    d.alerts.forEach(function (x) {
      var li = el("li", "hot");
      var a = el("a", "", x.kind_name); a.href = "/halls/" + d.hall_id + "/integrity/" + x.id;
      li.appendChild(a); li.appendChild(document.createTextNode(" " + x.text));
      al.appendChild(li);
    });
    root.dataset.rendered = String((Number(root.dataset.rendered) || 0) + 1);
  }
  function take(d) {
    var h = String(d.hall_id);
    data[h] = d;
    skew[h] = d.now - Date.now();
    render(h);
  }
  function load(h) {
    fetch("/api/v1/halls/" + h + "/dashboard", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; }).then(function (d) { if (d) take(d); });
  }
  // A burst of events (a call, then its transition) reads once.
  function changed(h) {
    if (timers[h]) return;
    timers[h] = setTimeout(function () { timers[h] = null; load(h); }, 100);
  }
  function connect(url, onSnapshot) {
    var es = new EventSource(url);
    es.addEventListener("open", function () { live.textContent = t("ov.live"); live.classList.add("on"); document.body.dataset.live = "1"; });
    es.addEventListener("error", function () { live.textContent = t("ov.offline"); live.classList.remove("on"); document.body.dataset.live = "0"; });
    es.addEventListener("snapshot", function (e) { onSnapshot(JSON.parse(e.data)); });
    es.addEventListener("changed", function (e) { changed(String(JSON.parse(e.data).hall)); });
    es.addEventListener("resync", function () { halls.forEach(load); });
  }
  if (district) {
    connect("/api/v1/dashboard/stream", function (snap) {
      halls = (snap.halls || []).map(String);
      halls.forEach(function (h) { view(h); load(h); });
    });
  } else if (halls.length) {
    connect("/api/v1/halls/" + halls[0] + "/dashboard/stream", take);
  }
  if (wall) document.body.classList.add("wall");
  // The clock: waits and idle times grow between events.
  setInterval(function () { Object.keys(data).forEach(render); }, 15000);
})();
