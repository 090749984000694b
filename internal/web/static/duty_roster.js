// mingbai duty roster: the month grid (managers add, change and remove
// shifts and publish the month; leaders ask for swaps), the swap list and
// the spot-check checklist editor. The page is rendered by the server;
// this script sends the changes to the API and reloads.
"use strict";
(function () {
  var Q = window.mingbaiQ, $ = Q.$;
  var root = $("duty-roster");
  if (!root) return;
  var hall = root.dataset.hall, month = root.dataset.month, base = "/api/v1/halls/" + hall + "/duty";
  function key() { return "r" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8); }
  function show(el, err) { el.textContent = err.message; el.hidden = false; }
  function reload() { location.reload(); }

  var dlg = $("shift-dlg"), form = $("shift-form");
  function customTimes() { $("custom-times").hidden = form.half.value !== "custom"; }
  function openShift(chip, day, post) {
    form.reset();
    $("shift-err").hidden = true;
    form.sid.value = chip ? chip.dataset.shift : "";
    form.day.value = chip ? chip.dataset.day : day;
    form.post.value = chip ? chip.dataset.post : post;
    if (chip) {
      form.half.value = chip.dataset.half; form.start.value = chip.dataset.start; form.end.value = chip.dataset.end;
      form.leader_id.value = chip.dataset.leader; form.deputy_id.value = chip.dataset.deputy || "0";
    }
    $("shift-where").textContent = form.day.value + " · " + Q.t("duty.post." + form.post.value);
    $("shift-delete").hidden = !chip;
    customTimes();
    dlg.showModal();
  }
  if (form) {
    form.half.addEventListener("change", customTimes);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = { day: form.day.value, half: form.half.value, post: form.post.value,
        leader_id: Number(form.leader_id.value), deputy_id: Number(form.deputy_id.value) };
      if (body.half === "custom") { body.start = form.start.value; body.end = form.end.value; }
      var req = form.sid.value ? Q.api("PUT", base + "/shifts/" + form.sid.value, body)
        : (body.idempotency_key = form.dataset.key || (form.dataset.key = key()), Q.api("POST", base + "/shifts", body));
      req.then(reload).catch(function (e) { show($("shift-err"), e); });
    });
    $("shift-cancel").addEventListener("click", function () { dlg.close(); });
    $("shift-delete").addEventListener("click", function () {
      Q.api("DELETE", base + "/shifts/" + form.sid.value).then(reload).catch(function (e) { show($("shift-err"), e); });
    });
  }
  root.addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b) return;
    var chip = b.closest(".chip");
    if (b.classList.contains("edit")) openShift(chip);
    else if (b.classList.contains("add")) openShift(null, b.closest("tr").dataset.day, b.closest("td").dataset.post);
    else if (b.classList.contains("swap")) {
      $("swap-form").shift_id.value = chip.dataset.shift; $("swap-err").hidden = true; $("swap-dlg").showModal();
    } else if (b.dataset.act) {
      Q.api("POST", base + "/swaps/" + b.closest("tr").dataset.swap + "/" + b.dataset.act, {}).then(reload)
        .catch(function (e) { show($("roster-err"), e); });
    }
  });
  var sf = $("swap-form");
  sf.addEventListener("submit", function (ev) {
    ev.preventDefault();
    sf.dataset.key = sf.dataset.key || key();
    Q.api("POST", base + "/swaps", { shift_id: Number(sf.shift_id.value), to_id: Number(sf.to_id.value), reason: sf.reason.value, idempotency_key: sf.dataset.key })
      .then(reload).catch(function (e) { show($("swap-err"), e); });
  });
  $("swap-cancel").addEventListener("click", function () { $("swap-dlg").close(); });
  if ($("publish")) $("publish").addEventListener("click", function () {
    Q.api("POST", base + "/roster/" + month + "/publish").then(reload).catch(function (e) { show($("roster-err"), e); });
  });

  // ---- Checklist editor (managers).
  var cl = $("checklist-edit");
  if (!cl) return;
  var tb = cl.querySelector("tbody");
  function row(it) {
    var tr = $("cl-row").content.firstElementChild.cloneNode(true);
    tr.querySelector("[name=code]").value = it.code || "";
    tr.querySelector("[name=group]").value = it.group || "should";
    tr.querySelector("[name=text]").value = it.text || "";
    tb.appendChild(tr);
  }
  Q.api("GET", base + "/checklist").then(function (c) { c.items.forEach(row); });
  $("cl-add").addEventListener("click", function () { row({}); });
  tb.addEventListener("click", function (ev) { if (ev.target.classList.contains("cl-del")) ev.target.closest("tr").remove(); });
  $("cl-save").addEventListener("click", function () {
    var items = Array.prototype.map.call(tb.rows, function (tr) {
      return { code: tr.querySelector("[name=code]").value, group: tr.querySelector("[name=group]").value, text: tr.querySelector("[name=text]").value };
    });
    Q.api("PUT", base + "/checklist", { items: items }).then(function () { $("cl-err").hidden = true; reload(); })
      .catch(function (e) { show($("cl-err"), e); });
  });
})();
