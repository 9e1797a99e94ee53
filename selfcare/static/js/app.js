// selfcare's own script: small, no build step. Everything works without it; it only adds comfort.
(function () {
  "use strict";

  // Fill hidden time-zone fields from the phone's settings, so times show in the patient's own day.
  function fillTimezones(root) {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone) { return; }
    root.querySelectorAll("input[data-timezone]").forEach(function (input) {
      if (!input.value) { input.value = zone; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { fillTimezones(document); });
  document.addEventListener("htmx:load", function (event) { fillTimezones(event.target); });
})();
