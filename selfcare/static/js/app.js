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

  // The body outline is a shortcut for the list of zones next to it: tapping a part picks that zone.
  function linkBodyOutline(root) {
    root.querySelectorAll(".zone-picker").forEach(function (picker) {
      if (picker.dataset.linked) { return; }
      picker.dataset.linked = "1";
      function show() {
        var checked = picker.querySelector("input[name=zone]:checked");
        picker.querySelectorAll("[data-zone]").forEach(function (part) {
          part.classList.toggle("picked", !!checked && part.dataset.zone === checked.value);
        });
      }
      picker.addEventListener("click", function (event) {
        var part = event.target.closest("[data-zone]");
        if (!part) { return; }
        var input = picker.querySelector("input[name=zone][value='" + part.dataset.zone + "']");
        if (input) { input.checked = true; input.dispatchEvent(new Event("change", { bubbles: true })); }
      });
      picker.addEventListener("change", show);
      show();
    });
  }

  function init(root) { fillTimezones(root); linkBodyOutline(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
