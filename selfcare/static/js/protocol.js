// The clinical rules the phone needs with no signal, ported line for line from selfcare/clinical/
// (session.py advance/screen_for, response.py classify_response, redflags.py triage). The server stays
// the authority: every event is sent later and applied there again at the time it happened. A browser
// test runs this file and the Python core over the same table of cases, so the two cannot drift apart.
// The plan, the red-flag table and the noise threshold come from content/ through the page.
var SelfcareProtocol = (function () {
  "use strict";

  var ZONES = ["none", "back", "buttock", "thigh", "calf", "foot"];
  var LEVELS = ["none", "contact_pt", "urgent", "emergency"];

  function zoneRank(zone) { return ZONES.indexOf(zone); }
  function maxLevel(a, b) { return LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b; }
  function higher(a, b) { return LEVELS.indexOf(a) > LEVELS.indexOf(b); }

  // redflags.py triage / triage_today: the highest level any yes reaches (combinations raise it), and the ids that
  // set it. table: {levels, history_levels, order, combinations: [{ids, level}]}. With historyAlone false (today's
  // answers with the onboarding history), history items count only in combinations.
  function reach(table, yes, historyAlone) {
    var reached = {};
    Object.keys(yes).forEach(function (id) {
      var history = id in table.history_levels;
      reached[id] = history ? (historyAlone ? table.history_levels[id] : "none") : table.levels[id];
    });
    table.combinations.forEach(function (combo) {
      if (combo.ids.every(function (id) { return id in reached; })) {
        combo.ids.forEach(function (id) { reached[id] = maxLevel(reached[id], combo.level); });
      }
    });
    var level = "none";
    Object.keys(reached).forEach(function (id) { level = maxLevel(level, reached[id]); });
    var reasons = level === "none" ? [] : table.order.filter(function (id) { return reached[id] === level; });
    return { level: level, reasons: reasons };
  }
  function yesOf(table, answers) {
    var yes = {};
    Object.keys(answers).forEach(function (id) {
      if (!(id in table.levels) && !(id in table.history_levels)) { throw new Error("unknown red-flag id " + id); }
      if (answers[id]) { yes[id] = true; }
    });
    return yes;
  }
  function triage(table, answers) { return reach(table, yesOf(table, answers), true); }
  function triageToday(table, answers, history) {
    var yes = yesOf(table, answers);
    Object.keys(history || {}).forEach(function (id) {
      if (!(id in table.history_levels)) { throw new Error("not a history item " + id); }
      if (history[id]) { yes[id] = true; }
    });
    return reach(table, yes, false);
  }
  // screening.py side_answers: a reading on both legs after onboarding said one leg is both_legs = yes.
  function sideAnswers(legs, side) {
    return side === "both" && legs && legs !== "both" ? { both_legs: true } : {};
  }
  // redflags.py needs_clearance: fever or trauma with an urgent or emergency result blocks until cleared.
  function needsClearance(table, answers, result) {
    return LEVELS.indexOf(result.level) >= LEVELS.indexOf("urgent") &&
      table.until_cleared.some(function (id) { return !!answers[id]; });
  }

  // response.py classify_response: further down first, then leg pain clearly worse, never better across sides.
  function classify(before, after, noise) {
    if (zoneRank(after.zone) > zoneRank(before.zone)) { return "peripheralized"; }
    var change = after.leg_pain - before.leg_pain;
    if (change >= noise) { return "worse"; }
    if (before.side && after.side && before.side !== after.side) { return "unchanged"; }
    if (after.zone === "none" && before.zone !== "none") { return "abolished"; }
    if (zoneRank(after.zone) < zoneRank(before.zone)) { return "centralized"; }
    if (change <= -noise) { return "better"; }
    return "unchanged";
  }
  function isStop(response) { return response === "peripheralized" || response === "worse"; }
  function isBetter(response) { return response === "centralized" || response === "abolished" || response === "better"; }

  // Times: Date objects on the phone's clock; "HH:MM" plan times are the phone's local day.
  function at(day, hhmm, plusDays) {
    var parts = hhmm.split(":");
    return new Date(day.getFullYear(), day.getMonth(), day.getDate() + (plusDays || 0), +parts[0], +parts[1], 0, 0);
  }
  function sameDay(a, b) { return a.toDateString() === b.toDateString(); }
  function secondsOfDay(d) { return d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds() + d.getMilliseconds() / 1000; }
  function clockSeconds(hhmm) { var p = hhmm.split(":"); return +p[0] * 3600 + +p[1] * 60; }
  function reached(moment, now) { return moment !== null && moment !== undefined && now.getTime() >= new Date(moment).getTime(); }
  function iso(d) { return d.toISOString(); }

  function tomorrowStart(plan, now) { return at(now, plan.waking_start, 1); }
  function nextSetTime(plan, now) {
    var candidate = new Date(now.getTime() + plan.repeat_every_minutes * 60000);
    if (!sameDay(candidate, now) || secondsOfDay(candidate) > clockSeconds(plan.waking_end)) { return tomorrowStart(plan, now); }
    if (secondsOfDay(candidate) < clockSeconds(plan.waking_start)) { return at(candidate, plan.waking_start, 0); }
    return candidate;
  }

  function setsFor(plan, progressed) {
    return progressed && plan.progression.enabled ? Math.max(plan.sets, plan.progression.sets) : plan.sets;
  }
  function sequence(plan, progressed) {
    var out = [];
    plan.steps.forEach(function (step) {
      var repeats = step.per_set ? setsFor(plan, progressed) : 1;
      for (var n = 1; n <= repeats; n += 1) { out.push({ step: step, number: n }); }
    });
    return out;
  }

  function copy(state, changes) {
    var out = {};
    Object.keys(state).forEach(function (k) { out[k] = state[k]; });
    Object.keys(changes).forEach(function (k) { out[k] = changes[k]; });
    return out;
  }

  var NO_BENEFIT_STOPS_TO_HOLD = 2;  // session.py: a second "no benefit" stop holds the plan

  function fresh() {
    return { phase: "ready", index: 0, deadline: null, next_at: null, before: null, response: null, level: "none",
      reason: null, better_streak: 0, unchanged_streak: 0, progressed: false, acknowledged: false,
      held: null, no_benefit_stops: 0, until_cleared: false };
  }

  // session.py _rest: ready, or the plan still held for the PT once a time-limited block is over.
  function rest(state) {
    if (state.held) {
      return copy(state, { phase: "held", deadline: null, next_at: null, reason: state.held, level: "none", acknowledged: false });
    }
    return copy(state, { phase: "ready", reason: null, level: "none", acknowledged: false });
  }

  function refresh(state, now) {
    var expired = reached(state.next_at, now);
    if ((state.phase === "waiting" || state.phase === "stopped") && expired) { return rest(state); }
    // A pause with no end time was stored by the old rules (lifted by reading the alert): it lapses (session.py).
    if (state.phase === "paused" && (expired || !state.next_at) && !state.until_cleared) { return rest(state); }
    if (state.phase === "blocked" && expired && state.acknowledged) {
      if (state.until_cleared) { return copy(state, { phase: "paused", level: "urgent", reason: "urgent", acknowledged: false }); }
      return rest(state);
    }
    return state;
  }

  function fit(plan, state) {
    if (state.phase === "step" && state.index >= sequence(plan, state.progressed).length) {
      return copy(state, { phase: "recheck", deadline: null });
    }
    return state;
  }

  function stopped(plan, state, reason, now, response) {
    var noBenefit = state.no_benefit_stops + (reason === "no_benefit" ? 1 : 0);
    var hold = reason === "peripheralized" || noBenefit >= NO_BENEFIT_STOPS_TO_HOLD;
    return copy(state, { phase: hold ? "held" : "stopped", deadline: null, next_at: hold ? null : iso(tomorrowStart(plan, now)),
      reason: reason, response: response || state.response, better_streak: 0, unchanged_streak: 0, progressed: false,
      held: hold ? reason : state.held, no_benefit_stops: noBenefit });
  }
  function stopKind(state) { return state.phase === "held" ? "plan_held" : "stop_contact_pt"; }

  function beginStep(plan, state, index, now) {
    var steps = sequence(plan, state.progressed);
    if (index >= steps.length) { return copy(state, { phase: "recheck", index: index, deadline: null }); }
    var step = steps[index].step;
    var timed = step.kind !== "reps" && step.seconds;
    var deadline = timed ? iso(new Date(now.getTime() + (plan.get_ready_seconds + step.seconds) * 1000)) : null;
    return copy(state, { phase: "step", index: index, deadline: deadline });
  }

  function redFlag(plan, state, event, now) {
    var level = event.level || "none", cleared = !!(state.until_cleared || event.until_cleared);
    if (level === "emergency") {
      return copy(state, { phase: "blocked", deadline: null, next_at: iso(tomorrowStart(plan, now)), level: level,
        reason: "emergency", acknowledged: false, until_cleared: cleared });
    }
    if (level === "urgent") {
      if (state.phase === "blocked") { return copy(state, { until_cleared: cleared }); }
      return copy(state, { phase: "paused", deadline: null, next_at: iso(tomorrowStart(plan, now)), level: level,
        reason: "urgent", until_cleared: cleared });
    }
    return copy(state, { level: maxLevel(state.level, level) });
  }

  function finishSet(plan, state, after, noise, now) {
    var before = state.before || after;
    var response = classify(before, after, noise);
    if (isStop(response)) {
      var stop = stopped(plan, state, response === "peripheralized" ? "peripheralized" : "worse", now, response);
      return { state: stop, kind: stopKind(stop) };
    }
    var better = state.better_streak, unchanged = state.unchanged_streak, progressed = state.progressed;
    if (isBetter(response)) { better += 1; unchanged = 0; }
    else if (!(before.zone === "none" && after.zone === "none")) { better = 0; unchanged += 1; }
    if (unchanged >= plan.unchanged_limit) {
      var none = stopped(plan, state, "no_benefit", now, response);
      return { state: none, kind: stopKind(none) };
    }
    var kind = "repeat_later";
    if (plan.progression.enabled && !progressed && better >= plan.progression.after_better_sessions) {
      progressed = true; kind = "progress";
    }
    // seed 003 step 4: repeat later today only after a better re-check.
    var next = isBetter(response) ? nextSetTime(plan, now) : tomorrowStart(plan, now);
    if (kind === "repeat_later" && !sameDay(next, now)) { kind = "done_for_today"; }
    return { state: copy(state, { phase: "waiting", index: 0, deadline: null, next_at: iso(next), response: response,
      better_streak: better, unchanged_streak: unchanged, progressed: progressed, reason: null }), kind: kind };
  }

  function screenFor(plan, state, now) {
    state = fit(plan, refresh(state, now));
    var base = { kind: "start", level: state.level, reason: state.reason, response: state.response, step: null,
      set_number: null, sets: null, deadline: null, next_at: null, exhale: false, until_cleared: false };
    if (state.phase === "blocked") { return copy(base, { kind: "emergency", next_at: state.next_at, until_cleared: state.until_cleared }); }
    if (state.phase === "paused") { return copy(base, { kind: "urgent", next_at: state.next_at, until_cleared: state.until_cleared }); }
    if (state.phase === "held") { return copy(base, { kind: "plan_held" }); }
    if (state.phase === "stopped") { return copy(base, { kind: "stop_contact_pt", next_at: state.next_at }); }
    if (state.phase === "waiting" && state.next_at) {
      return copy(base, { kind: sameDay(new Date(state.next_at), now) ? "repeat_later" : "done_for_today", next_at: state.next_at });
    }
    if (state.phase === "recheck") { return copy(base, { kind: "recheck" }); }
    if (state.phase === "step") {
      var entry = sequence(plan, state.progressed)[state.index];
      return copy(base, { kind: "step", step: entry.step, set_number: entry.step.per_set ? entry.number : null,
        sets: entry.step.per_set ? setsFor(plan, state.progressed) : null, deadline: state.deadline,
        exhale: state.progressed && plan.progression.enabled && plan.progression.exhale && entry.step.per_set });
    }
    return base;
  }

  // session.py advance: event = {kind, reading?, level?, until_cleared?}; returns {state, screen}.
  function advance(plan, state, event, now, noise) {
    state = fit(plan, refresh(state, now));
    var kind = null;
    if (event.kind === "red_flag" || (event.kind === "start" && state.phase === "ready")) {
      state = redFlag(plan, state, event, now);
      if (state.phase === "blocked" || state.phase === "paused") { return { state: state, screen: screenFor(plan, state, now) }; }
    }
    if (event.kind === "symptoms_peripheralized" || event.kind === "leg_pain_worse") {
      if (["ready", "step", "recheck", "waiting"].indexOf(state.phase) !== -1) {
        state = stopped(plan, state, event.kind === "symptoms_peripheralized" ? "peripheralized" : "worse", now);
      }
    } else if (event.kind === "start" && state.phase === "ready") {
      state = beginStep(plan, copy(state, { before: event.reading, response: null }), 0, now);
    } else if (event.kind === "step_done" && state.phase === "step") {
      state = beginStep(plan, state, state.index + 1, now);
    } else if (event.kind === "timer_ended" && state.phase === "step" && reached(state.deadline, now)) {
      state = beginStep(plan, state, state.index + 1, now);
    } else if (event.kind === "recheck_done" && state.phase === "recheck") {
      var done = finishSet(plan, state, event.reading, noise, now);
      state = done.state; kind = done.kind;
    } else if (event.kind === "confirm" && state.phase === "blocked") {
      state = copy(state, { acknowledged: true });
    } else if (event.kind === "cleared") {
      state = refresh(copy(state, { until_cleared: false }), now);
    } else if (event.kind === "release") {
      state = copy(state, { held: null, no_benefit_stops: 0, until_cleared: false });
      state = state.phase === "held" ? rest(state) : refresh(state, now);
    } else if (event.kind === "quit" && (state.phase === "step" || state.phase === "recheck")) {
      state = copy(state, { phase: "ready", index: 0, deadline: null });
    }
    var screen = screenFor(plan, state, now);
    if (kind !== null) { screen = copy(screen, { kind: kind }); }
    return { state: state, screen: screen };
  }

  return { classify: classify, triage: triage, triageToday: triageToday, needsClearance: needsClearance, sideAnswers: sideAnswers, advance: advance, screenFor: screenFor,
    sequence: sequence, fresh: fresh, higher: higher };
})();
