// Duty leader's alert list: reloads when an alert is raised or changes
// (server-sent events of /api/v1/halls/{hall}/duty/alerts/stream), so a
// help call or an unattended window shows within a second.
"use strict";
(function () {
  var root = document.getElementById("duty-alerts");
  if (!root || !window.EventSource) return;
  var es = new EventSource("/api/v1/halls/" + root.dataset.hall + "/duty/alerts/stream");
  var first = true;
  es.addEventListener("snapshot", function () { first = false; });
  es.addEventListener("duty.alert", function () {
    if (first) return;
    // Keep what the leader is typing: reload only when no field has focus.
    var a = document.activeElement;
    if (a && (a.tagName === "INPUT" || a.tagName === "TEXTAREA")) return;
    window.location.reload();
  });
})();
