// mingbai hall display: today's duty leaders (今日值班领导) from the
// published roster: name, post and picture, the shift of the hour marked.
// screens.js calls mingbaiDuty.board with the snapshot's duty part and
// with every duty.roster event of the hall's stream.
"use strict";
(function () {
  var el = document.getElementById("leader");
  if (!el) return;
  var labels = el.dataset, last = null;
  function now() {
    return window.mingbaiQ && window.mingbaiQ.hallClock ? window.mingbaiQ.hallClock()() : null;
  }
  function board(b) {
    if (!b) return;
    last = b;
    var c = now(), hm = c ? c.hm : "";
    // A display left on overnight shows no one rather than yesterday's roster.
    var shifts = c && b.day && b.day !== c.date ? [] : (b.shifts || []);
    el.innerHTML = "";
    if (!shifts.length) { el.textContent = labels.pending; return; }
    shifts.forEach(function (s) {
      var row = document.createElement("span");
      row.className = "duty-leader" + (hm && s.start <= hm && hm < s.end ? " now" : "");
      var img = document.createElement("img");
      img.src = s.photo; img.alt = ""; img.width = 48; img.height = 48;
      var name = document.createElement("b"); name.textContent = s.name;
      var post = document.createElement("small"); post.textContent = (labels[s.post] || "") + " " + s.start + "–" + s.end;
      row.appendChild(img); row.appendChild(name); row.appendChild(post);
      if (s.deputy) { var dep = document.createElement("small"); dep.className = "dep"; dep.textContent = labels.deputy + " " + s.deputy; row.appendChild(dep); }
      el.appendChild(row);
    });
  }
  window.mingbaiDuty = { board: board };
  // The marked shift follows the hall clock (a shift ends at noon).
  setInterval(function () { if (last) board(last); }, 60000);
})();
