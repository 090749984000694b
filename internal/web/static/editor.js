// Guide editor: repeated rows (add, remove, reorder), parts shown only when
// their checkbox says so, and the live preview with inline validation: the
// form is posted to the preview address (nothing is saved), which answers
// with the printed sheet and the problems by field name.
"use strict";
(function () {
  var form = document.getElementById("guide-form");
  if (!form) return;
  var preview = document.getElementById("preview");
  var state = document.getElementById("preview-state");

  // renumber gives the inputs of each row of a group the row's index:
  // materials[0].name, materials[1].name … so that the server reads them
  // in the order shown.
  function renumber(group) {
    var rows = group.querySelectorAll("[data-row]");
    var prefix = group.getAttribute("data-rows");
    var re = new RegExp("^" + prefix + "\\[\\d+\\]");
    rows.forEach(function (row, i) {
      row.querySelectorAll("[name]").forEach(function (el) {
        el.name = el.name.replace(re, prefix + "[" + i + "]");
      });
    });
  }

  function groupOf(el) { return el.closest("[data-rows]"); }

  form.addEventListener("click", function (e) {
    var b = e.target.closest("button");
    if (!b) return;
    var name = b.getAttribute("data-add");
    if (name) {
      var tpl = document.getElementById("tpl-" + name);
      var group = form.querySelector('[data-rows="' + name + '"]');
      var holder = group.tBodies ? group.tBodies[0] : group;
      holder.appendChild(tpl.content.cloneNode(true));
      renumber(group);
      var first = holder.lastElementChild.querySelector("input, textarea");
      if (first) first.focus();
      changed();
      return;
    }
    var row = b.closest("[data-row]");
    if (!row) return;
    var g = groupOf(row);
    if (b.hasAttribute("data-remove")) {
      row.remove();
    } else if (b.hasAttribute("data-up") && row.previousElementSibling) {
      row.parentNode.insertBefore(row, row.previousElementSibling);
    } else if (b.hasAttribute("data-down") && row.nextElementSibling) {
      row.parentNode.insertBefore(row.nextElementSibling, row);
    } else {
      return;
    }
    renumber(g);
    changed();
  });

  // Parts that only apply when a checkbox is set (statutory limit,
  // extension) or not set (the fee when the item is free).
  function toggles() {
    form.querySelectorAll("[data-toggle]").forEach(function (cb) {
      var part = form.querySelector('[data-part="' + cb.getAttribute("data-toggle") + '"]');
      if (!part) return;
      var show = cb.hasAttribute("data-invert") ? !cb.checked : cb.checked;
      part.hidden = !show;
    });
  }
  toggles();

  // showProblems puts each problem under its field; problems without a
  // field of their own go under the section they belong to.
  function showProblems(problems) {
    form.querySelectorAll(".ferr").forEach(function (el) { el.remove(); });
    problems.forEach(function (p) {
      var el = p.field && form.querySelector('[name="' + CSS.escape(p.field) + '"]');
      var after;
      if (el) {
        after = el.closest(".limit") || el;
      } else {
        var sec = p.field && document.getElementById(p.field.replace(/\[.*$/, "").replace(/\..*$/, ""));
        if (!sec) return;
        after = sec.querySelector("legend");
      }
      var msg = document.createElement("small");
      msg.className = "ferr";
      msg.setAttribute("role", "alert");
      msg.textContent = p.message;
      after.insertAdjacentElement("afterend", msg);
    });
  }

  var timer = null, seq = 0;
  function changed() {
    toggles();
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }
  function refresh() {
    var mine = ++seq;
    var body = new URLSearchParams(new FormData(form));
    if (state) state.textContent = state.getAttribute("data-busy") || "…";
    fetch(form.getAttribute("data-preview"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) { return r.json(); }).then(function (d) {
      if (mine !== seq) return; // a newer edit is on its way
      if (d.html !== undefined) preview.innerHTML = d.html; // rendered and escaped by the server
      showProblems(d.problems || []);
      if (state) state.textContent = "";
      form.setAttribute("data-checked", String(mine));
    }).catch(function () { if (state) state.textContent = "⚠"; });
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
})();
