// The check-in with no signal: kept on this phone (offline.js) and its red flags judged at once
// (protocol.js), so an emergency answer shows its screen with no network. Loaded by the check-in page.
var SelfcareCheckin = window.SelfcareCheckin || (function () {  // a second boosted visit runs this file again
  "use strict";
  var O = SelfcareOffline;

  function savedPanel(heading, text) {
    var panel = document.createElement("section");
    panel.className = "saved-offline"; panel.tabIndex = -1;
    panel.innerHTML = "<h1></h1><p class='big'></p><p><a class='button'></a></p>";
    panel.querySelector("h1").textContent = heading;
    panel.querySelector("p").textContent = text;
    var back = panel.querySelector("a");
    back.href = document.body.dataset.today; back.textContent = "Back to Today";
    var main = document.getElementById("main");
    Array.prototype.forEach.call(main.children, function (el) { if (el.id !== "outbox") { el.hidden = true; } });
    main.appendChild(panel);
    panel.focus();
  }

  // `sent`: the page itself already tried to send this form, so its id is kept (a second copy is then
  // impossible). Otherwise a new id: a kept copy of the page carries the same id every time it opens.
  function saveCheckin(form, sent) {
    var flags = O.table();
    var answers = O.redFlagAnswers(form, flags);
    var result = O.judge(answers, flags, O.reading(form));
    var valid = O.validate(form);
    if (!valid) {
      // A danger sign is shown at once, even before the rest of the form is complete.
      if (SelfcareProtocol.higher(result.level, "contact_pt")) { O.showAlert(result, null); }
      return;
    }
    var idField = form.querySelector("input[name=entry_id]");
    var body = { id: sent && idField && idField.value ? idField.value : O.newId(), recorded_at: new Date().toISOString(),
      red_flags: answers, reading: O.reading(form), sensations: [], worse_with: [] };
    form.querySelectorAll("input[name=sensations]:checked").forEach(function (i) { body.sensations.push(i.value); });
    form.querySelectorAll("input[name=worse_with]:checked").forEach(function (i) { body.worse_with.push(i.value); });
    var walk = form.querySelector("input[name=walk_minutes]"), onset = form.querySelector("input[name=walk_onset_minutes]");
    if (walk && walk.value.trim() !== "") {
      body.walk = { minutes: +walk.value, onset_minutes: onset && onset.value.trim() !== "" ? +onset.value : null };
    }
    O.save("/checkins", body, "Your check-in from " + O.clock(new Date())).then(function () {
      savedPanel("Check-in saved on this phone", "You have no signal, so it will be sent when you are back online.");
      if (result.level !== "none") { O.showAlert(result, body.id); }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-offline-form='checkin']");
    if (!form || navigator.onLine) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    saveCheckin(form, false);
  }, true);

  // The signal dropped while the check-in was on its way: keep it on the phone (its id makes a second copy impossible).
  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    var form = elt && elt.closest && elt.closest("form[data-offline-form='checkin']");
    if (form) { saveCheckin(form, true); }
  });

  return { save: saveCheckin };
})();
