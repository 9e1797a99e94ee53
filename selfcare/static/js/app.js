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
        var checked = picker.querySelector("input[name$=zone]:checked");
        picker.querySelectorAll("[data-zone]").forEach(function (part) {
          part.classList.toggle("picked", !!checked && part.dataset.zone === checked.value);
        });
      }
      picker.addEventListener("click", function (event) {
        var part = event.target.closest("[data-zone]");
        if (!part) { return; }
        var input = picker.querySelector("input[name$=zone][value='" + part.dataset.zone + "']");
        if (input) { input.checked = true; input.dispatchEvent(new Event("change", { bubbles: true })); }
      });
      picker.addEventListener("change", show);
      show();
    });
  }

  // The app works offline once its service worker is in place (served from the root, scope "/").
  if ("serviceWorker" in navigator && document.body && document.body.dataset.sw) {
    navigator.serviceWorker.register(document.body.dataset.sw, { scope: "/" }).catch(function () {});
    // A page asked for while the worker was starting (the page after logging in, often) is left out of its claim:
    // it asks the active worker to take it, or its pages would not be kept for no signal until the next page.
    navigator.serviceWorker.ready.then(function (registration) {
      if (!navigator.serviceWorker.controller && registration.active) { registration.active.postMessage({ type: "claim" }); }
    });
    // Back online: a logout made with no signal reaches the server first (sw.js), even from the logged-out page.
    window.addEventListener("online", function () {
      var worker = navigator.serviceWorker.controller;
      if (worker) { worker.postMessage({ type: "online" }); }
    });
  }

  // A quiet "Add to home screen" hint from the second visit on; never over an alert, never after "Not now".
  var installEvent = null;
  function visits() {
    try {
      if (!sessionStorage.getItem("selfcare.visit")) {
        sessionStorage.setItem("selfcare.visit", "1");
        localStorage.setItem("selfcare.visits", "" + (+(localStorage.getItem("selfcare.visits") || 0) + 1));
      }
      return +(localStorage.getItem("selfcare.visits") || 0);
    } catch (e) { return 0; }
  }
  var visitCount = visits();
  function offerInstall() {
    var hint = document.getElementById("install-hint");
    if (!hint || !installEvent || visitCount < 2 || localStorage.getItem("selfcare.install-later")) { return; }
    hint.hidden = !!document.querySelector("[role=alert], .alert");
  }
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();  // no browser banner: our own quiet hint instead
    installEvent = event;
    offerInstall();
  });
  document.addEventListener("click", function (event) {
    var hint = document.getElementById("install-hint");
    if (!hint) { return; }
    if (event.target.closest("[data-install]") && installEvent) {
      installEvent.prompt();
      installEvent = null;
      hint.hidden = true;
    } else if (event.target.closest("[data-install-later]")) {
      localStorage.setItem("selfcare.install-later", "1");
      hint.hidden = true;
    }
  });

  // In-app reminder: while the app is open, a notification when the next set is due (if allowed).
  var reminder = null;
  function remindNextSet(root) {
    var box = root.querySelector ? root.querySelector("[data-next-set]") : null;
    if (!box || !("Notification" in window)) { return; }
    var ask = box.querySelector("[data-ask-reminders]");
    if (ask) {
      ask.hidden = Notification.permission !== "default";
      ask.onclick = function () { Notification.requestPermission().then(function () { ask.hidden = true; remindNextSet(root); }); };
    }
    if (Notification.permission !== "granted") { return; }
    var wait = Date.parse(box.dataset.nextSet) - Date.now();
    clearTimeout(reminder);
    if (wait > 0 && wait < 24 * 3600 * 1000) {
      reminder = setTimeout(function () {
        navigator.serviceWorker.ready.then(function (registration) {
          registration.showNotification("selfcare", { body: "It is time for your next set of exercises.", icon: box.dataset.icon, tag: "next-set" });
        });
      }, wait);
    }
  }

  function init(root) { fillTimezones(root); linkBodyOutline(root); remindNextSet(root); offerInstall(); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
