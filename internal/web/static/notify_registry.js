// Registry import page: uploads the file, lists bad rows or polls the
// background import and shows its progress.
"use strict";
(function () {
  var form = document.getElementById("registry-form");
  if (!form) return;
  var T = JSON.parse(document.getElementById("registry-text").textContent);
  var bar = document.getElementById("registry-progress");
  var status = document.getElementById("registry-status");
  var errs = document.getElementById("registry-errors");
  var hall = form.getAttribute("data-hall");
  function show(j) {
    bar.hidden = false;
    bar.max = Math.max(j.total, 1);
    bar.value = j.done;
    if (j.errors && j.errors.length) {
      var tb = errs.querySelector("tbody");
      tb.textContent = "";
      j.errors.forEach(function (e) {
        var tr = document.createElement("tr");
        [e.row, e.field, e.reason].forEach(function (c) {
          var td = document.createElement("td"); td.textContent = String(c); tr.appendChild(td);
        });
        tb.appendChild(tr);
      });
      errs.hidden = false;
      status.textContent = T.bad_rows.replace("%s", j.errors.length);
      return;
    }
    if (j.error) { status.textContent = j.error; return; }
    if (j.finished) {
      status.textContent = T.done.replace("%s", j.result.inserted).replace("%s", j.result.updated);
      return;
    }
    status.textContent = T.running.replace("%s", j.done).replace("%s", j.total);
    setTimeout(function () { poll(j.id); }, 500);
  }
  function poll(id) {
    fetch("/api/v1/notify/imports/" + encodeURIComponent(id) + "?hall=" + encodeURIComponent(hall), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); }).then(show)
      .catch(function () { status.textContent = T.failed; });
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    errs.hidden = true;
    status.textContent = "";
    fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.error && j.error.message) { status.textContent = j.error.message; return; }
        show(j);
      })
      .catch(function () { status.textContent = T.failed; });
  });
})();
