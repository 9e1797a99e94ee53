// The protocol player with no signal. protocol.js decides each next screen exactly as the server
// would; each event is kept on the phone with its own id and time (offline.js) and sent in order
// when the signal returns, where the server applies it again at the time it happened.
(function () {
  "use strict";

  var O = SelfcareOffline;  // its store keeps the player's state for this patient (IndexedDB, never localStorage)

  function start() {
    var root = document.getElementById("offline-player");
    if (!root || root.dataset.started) { return; }
    root.dataset.started = "1";
    O.recall("player").then(null, function () { return null; }).then(function (saved) { run(root, saved); });
  }

  function run(root, saved) {
    var plan = JSON.parse(document.getElementById("offline-plan").textContent);
    var noise = +root.dataset.noise;
    var state = latest(JSON.parse(document.getElementById("offline-state").textContent), root.dataset.at, saved);

    // Kept on the phone (IndexedDB) before the new screen shows: a hold or stop the patient has seen survives a
    // reload or a closed tab at once. A phone that cannot keep it (no storage) still shows the screen.
    function keep() {
      return O.remember("player", { state: state, at: new Date().toISOString() }).then(null, function () {});
    }

    function section(name) { return root.querySelector("[data-screen='" + name + "']"); }
    function fill(box, selector, text) { box.querySelectorAll(selector).forEach(function (el) { el.textContent = text; }); }

    function describe(response, from, to) {
      var names = plan.zone_names;
      if (response === "abolished") { return "Your symptoms went away after the last set. That is a very good sign."; }
      if (response === "centralized") { return "Your leg symptoms moved up from " + names[from] + " to " + names[to] + " after the last set. That is a good sign."; }
      if (response === "peripheralized") { return "Your symptoms spread further down, from " + names[from] + " to " + names[to] + ", after the last set."; }
      if (response === "better") { return "Your leg pain eased after the last set. That is a good sign."; }
      if (response === "worse") { return "Your leg pain got worse after the last set."; }
      return "Your leg symptoms stayed about the same after the last set.";
    }

    var IMPROVED = ["centralized", "abolished", "better"];  // response.py is_improvement
    function sameDay(a, b) { return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate(); }
    function show(box, selector, visible) { box.querySelectorAll(selector).forEach(function (el) { el.hidden = !visible; }); }

    // Every screen the server's player has, the same words (patient/player.html); `extra.base`: the stop ended a
    // set above the plan's first level (any stop resets progression, CLINICAL.md §4).
    function render(screen, result, extra) {
      var kind = screen.kind;
      var now = new Date();
      var name = root.dataset.paused && kind !== "urgent" && kind !== "emergency" ? "paused"
        : (kind === "repeat_later" || kind === "progress" || kind === "done_for_today") ? "result" : kind;
      root.querySelectorAll("[data-screen]").forEach(function (s) { s.hidden = s.dataset.screen !== name; });
      var box = section(name);
      if (!box) { return; }
      var when = screen.next_at ? O.clock(new Date(screen.next_at)) : "";
      if (name === "step") { renderStep(box, screen); }
      if (name === "result") {
        fill(box, "[data-result]", result || "");
        var next = sameDay(new Date(screen.next_at), now) ? "Repeat the set later today: do your next set at " + when + "."
          : IMPROVED.indexOf(screen.response) !== -1 ? "That is enough sets for today. Your next set is tomorrow from " + when + "."
          : "That is all for today. A set is only repeated on the same day when it has helped your leg, so your next set is tomorrow from " + when + ".";
        fill(box, "[data-next]", next);
        box.querySelector("[data-progression]").hidden = kind !== "progress";
        box.dataset.nextSet = screen.next_at;
      }
      if (name === "stop_contact_pt" || name === "plan_held") {
        fill(box, "[data-result]", result || "");
        box.querySelectorAll("[data-reason]").forEach(function (el) {
          var reason = el.dataset.reason;
          el.hidden = reason === "worse" ? !(screen.reason === "worse" && !result)
            : reason === "peripheralized" ? screen.reason === "no_benefit" : screen.reason !== reason;
        });
        fill(box, "[data-next]", when ? "You can try again tomorrow from " + when + "." : "");
        show(box, "[data-back-to-base]", !!(extra && extra.base));
      }
      if (name === "urgent") {
        show(box, "[data-variant='today']", !screen.until_cleared);
        show(box, "[data-variant='until_cleared']", !!screen.until_cleared);
        show(box, "[data-block-today]", !!screen.next_at && new Date(screen.next_at) > now);
        fill(box, "[data-variant='today'] [data-next]", when ? "You can start again tomorrow from " + when + "." : "");
      }
      var heading = Array.prototype.filter.call(box.querySelectorAll("h1"), function (h) { return !h.closest("[hidden]"); })[0];
      if (heading && result !== undefined) { heading.tabIndex = -1; heading.focus(); }
    }

    function renderStep(box, screen) {
      var step = screen.step;
      var total = SelfcareProtocol.sequence(plan, state.progressed).length;
      fill(box, "[data-progress]", "Step " + (state.index + 1) + " of " + total + (screen.set_number ? " · set " + screen.set_number + " of " + screen.sets : ""));
      fill(box, "[data-title]", step.title);
      fill(box, "[data-instructions]", step.instructions);
      fill(box, "[data-stop-rule]", step.stop_rule);
      box.querySelector("[data-exhale]").hidden = !screen.exhale;
      var reps = box.querySelector("[data-reps-box]"), repsDone = box.querySelector("[data-reps-done]");
      var timer = box.querySelector("[data-timer-box]"), timerNext = box.querySelector("[data-timer-next]");
      var isReps = step.kind === "reps";
      reps.hidden = repsDone.hidden = !isReps;
      timer.hidden = timerNext.hidden = isReps;
      if (isReps) {
        var fresh = reps.cloneNode(true);  // a new box: its own count, its own listener
        delete fresh.dataset.running;
        reps.parentNode.replaceChild(fresh, reps);
        fresh.dataset.reps = step.reps; fresh.dataset.pause = step.pause_seconds || 0;
        fill(fresh, "[data-count]", "0"); fill(fresh, "[data-reps-total]", "" + step.reps);
        repsDone.textContent = "I have done " + step.reps + " press-ups";
        SelfcarePlayer.startReps(fresh);
      } else {
        var clock = timer.cloneNode(true);  // a new box: its own countdown
        delete clock.dataset.running;
        timer.parentNode.replaceChild(clock, timer);
        var label = (step.kind === "walk" ? "Walk" : "Hold") + " for " +
          (step.seconds >= 60 ? Math.floor(step.seconds / 60) + " min " : "") + (step.seconds % 60 ? step.seconds % 60 + " s" : "");
        fill(clock, "[data-phase]", label.trim());
        clock.dataset.deadline = screen.deadline; clock.dataset.seconds = step.seconds;
        clock.dataset.serverNow = new Date().toISOString();  // the phone's own clock decides here
        timerNext.classList.add("timer-next");
        SelfcarePlayer.startTimer(clock);
      }
    }

    function apply(kind, extra) {
      extra = extra || {};
      var now = new Date();
      var previous = state;
      var out = SelfcareProtocol.advance(plan, state, { kind: kind, reading: extra.reading, level: extra.level,
        until_cleared: !!extra.until_cleared }, now, noise);
      state = out.state;
      var kept = keep();
      // An event that changes nothing here (a second tap, a timer already moved on) is not kept.
      if (kind !== "confirm" && JSON.stringify(state) !== JSON.stringify(previous)) {
        var body = { id: O.newId(), kind: kind, occurred_at: now.toISOString() };
        if (extra.reading) { body.reading = extra.reading; }
        if (extra.red_flags) { body.red_flags = extra.red_flags; }
        O.save("/player/events", body, "An exercise step from " + O.clock(now));
        extra.entryId = body.id;
      }
      var result;
      if (kind === "recheck_done" && previous.before) { result = describe(state.response, previous.before.zone, extra.reading.zone); }
      else if (kind === "symptoms_peripheralized" || kind === "leg_pain_worse") { result = ""; }
      var base = previous.progressed && !state.progressed && (state.phase === "stopped" || state.phase === "held");
      kept.then(function () { render(out.screen, result, { base: base }); });
      return extra.entryId;
    }

    root.addEventListener("click", function (event) {
      var button = event.target.closest("[data-event]");
      if (button) { apply(button.dataset.event); return; }
      if (event.target.closest("[data-show-alert]")) { showSavedAlert(); }
    });

    function showSavedAlert() {
      var level = state.phase === "blocked" ? "emergency" : "urgent";
      O.recall("player-alert").then(null, function () { return null; }).then(function (saved) {
        O.showAlert({ level: level, reasons: saved && saved.level === level ? saved.reasons : [] }, null);
      });
    }

    // The start form always holds the whole red-flag list: with no server the phone cannot know whether the list
    // was answered earlier today, so it never sends anything_new, only every answer (the safe default, CLINICAL.md §2).
    root.querySelector("[data-offline-form='start']").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      // A held, paused or stopped plan starts nothing, as on the server (POST /exercises/start redirects there).
      var shown = SelfcareProtocol.screenFor(plan, state, new Date());
      if (shown.kind !== "start" || root.dataset.paused) { render(shown); return; }
      var flags = O.table();
      var answers = O.redFlagAnswers(form, flags);
      var result = O.judge(answers, flags, O.reading(form));
      if (!O.validate(form)) {
        if (SelfcareProtocol.higher(result.level, "contact_pt")) { O.showAlert(result, null); }
        return;
      }
      var reading = O.reading(form);
      var id = apply("start", { reading: reading, level: result.level, red_flags: answers,
        until_cleared: SelfcareProtocol.needsClearance(flags, answers, result) });
      form.reset();
      if (result.level !== "none") {
        O.remember("player-alert", result);
        O.showAlert(result, id);
      }
    });

    root.querySelector("[data-offline-form='recheck']").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      if (!O.validate(form)) { return; }
      apply("recheck_done", { reading: O.reading(form) });
      form.reset();
    });

    // An emergency read on this phone is marked as read (still no exercise today); reading an urgent alert lifts
    // nothing: the day stays paused, and after fever or trauma until cleared (CLINICAL.md §2).
    document.addEventListener("selfcare:alert-read", function () {
      if (state.phase === "blocked" && !state.acknowledged) { apply("confirm"); }
    });
    render(SelfcareProtocol.screenFor(plan, state, new Date()));
  }

  // The newer of the server's state in this page (embeddedAt: when the server's state last changed) and the one the
  // phone last kept: an event the phone has not sent yet, or that a reload cut off, keeps the phone's.
  function latest(embedded, embeddedAt, saved) {
    if (saved && saved.state && (!embeddedAt || new Date(saved.at) >= new Date(embeddedAt))) { return saved.state; }
    return embedded;
  }

  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:load", start);
})();
