// Offline support for patients: entries made with no signal are kept on this phone (IndexedDB, each with
// its own id and the time it was made) and sent through the API's idempotent writes when the signal is
// back. A retry never duplicates (same id, same body); an entry the server refuses is shown, not dropped.
// Red flags are judged on the phone from the table content/ puts in the page, so an emergency answer
// shows its screen at once, with no network.
var SelfcareOffline = (function () {
  "use strict";

  // ---- this phone's store (IndexedDB): the outbox, and what the pages remember, under the account's id ----
  // Nothing personal goes to localStorage. The service worker deletes the whole database at a logout and when
  // another account signs in; a page holding it open lets go at once.
  var dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open("selfcare", 2);
        request.onupgradeneeded = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains("outbox")) { db.createObjectStore("outbox", { keyPath: "id" }); }
          db.createObjectStore("state");
        };
        request.onsuccess = function () {
          request.result.onversionchange = function () { request.result.close(); dbPromise = null; };
          resolve(request.result);
        };
        request.onerror = function () { dbPromise = null; reject(request.error); };
      });
    }
    return dbPromise;
  }
  function store(mode, work, name) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name || "outbox", mode);
        var result = work(tx.objectStore(name || "outbox"));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function put(entry) { return store("readwrite", function (s) { s.put(entry); }); }
  function remove(id) { return store("readwrite", function (s) { s.delete(id); }); }
  function all() { return store("readonly", function (s) { return s.getAll(); }); }
  function mine(user) {
    return all().then(function (rows) {
      return rows.filter(function (row) { return row.user === user; }).sort(function (a, b) { return a.made - b.made; });
    });
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function clock(date) { return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }); }
  function userId() { var el = document.querySelector("[data-user-id]"); return el ? +el.dataset.userId : null; }
  // What a page remembers for the signed-in patient (the player, an unread alert); null forgets it.
  function recall(name) { return store("readonly", function (s) { return s.get(userId() + ":" + name); }, "state"); }
  function remember(name, value) {
    return store("readwrite", function (s) { if (value === null) { s.delete(userId() + ":" + name); } else { s.put(value, userId() + ":" + name); } }, "state");
  }

  // Keep one entry: kind names the API list it goes to (checkins, player/events, self-checks, walks).
  function save(path, body, label) {
    var entry = { id: body.id, user: userId(), path: path, body: body, label: label, made: Date.now(), state: "waiting" };
    return put(entry).then(function () { showOutbox(); sync(); return entry; });
  }

  // ---- sending -----------------------------------------------------------------------------------
  // One run at a time, one tab at a time (Web Locks). A call during a run queues one more run after it,
  // so an entry saved while a sync is under way is never left behind.
  var last = Promise.resolve(), queued = null;
  function sync() {
    if (queued) { return queued; }
    queued = last.then(function () {
      queued = null;
      var go = function () { return send(); };
      return navigator.locks ? navigator.locks.request("selfcare-sync", go) : go();
    }).catch(function () {}).then(showOutbox);
    last = queued;
    return queued;
  }

  function problemText(problem) {
    var parts = [problem.detail || problem.title || "The server could not accept this."];
    (problem.errors || []).forEach(function (e) { parts.push(e.field + ": " + e.detail); });
    return parts.join(" ");
  }

  function post(url, info, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": info.csrf_token },
      body: JSON.stringify(body),
    });
  }

  function send() {
    var me = userId();
    if (me === null) { return Promise.resolve(); }
    return Promise.all([mine(me), recall("kept")]).then(function (found) {
      var waiting = found[0].filter(function (e) { return e.state === "waiting"; });
      var due = !!worker() && Date.now() - (found[1] || 0) >= KEEP_EVERY;
      // Nothing to send and the kept pages are fresh: no request at all (this runs on every page view).
      if (!waiting.length && !due) { return; }
      return fetch(syncUrl(), { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok || response.redirected) { return null; }  // logged out: keep everything for later
          return response.json();
        })
        .then(function (info) {
          if (!info || info.user_id !== me) { return; }
          keepPages(info, due || waiting.length > 0);
          return waiting.reduce(function (chain, entry) {
            return chain.then(function (go) { return go ? sendOne(info, entry) : false; });
          }, Promise.resolve(true));
        });
    });
  }

  // One entry; resolves to true to go on with the next, false to stop (no signal, logged out).
  function sendOne(info, entry) {
    return post(info.api + info.patient + entry.path, info, entry.body).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return response.json().then(function (stored) {
          var confirm = entry.confirm && stored.alert_id ? post(info.api + "/alerts/" + stored.alert_id + "/confirm", info, {}) : null;
          return Promise.resolve(confirm).then(function () { return remove(entry.id); }).then(function () { return true; });
        });
      }
      // Not this entry's fault (logged out, too many writes for now, the server): keep it, and stop until next time.
      if (response.status === 401 || response.status === 403 || response.status === 429 || response.status >= 500) { return false; }
      return response.json().catch(function () { return {}; }).then(function (problem) {
        var fields = (problem.errors || []).map(function (e) { return e.field; });
        if (response.status === 409 && fields.length && fields.every(function (f) { return f === "recorded_at"; })) {
          return remove(entry.id).then(function () { return true; });  // it arrived before, from the page itself
        }
        entry.state = "rejected";
        entry.problem = problemText(problem);
        return put(entry).then(function () { return true; });
      });
    }, function () { return false; });
  }

  // ---- the pages kept for no signal (the service worker fetches them) ------------------------------
  var KEEP_EVERY = 10 * 60 * 1000;
  function worker() { return navigator.serviceWorker && navigator.serviceWorker.controller; }
  // Only a page the worker controls can ask it to keep pages; then every ten minutes at most.
  function keepPages(info, go) {
    if (!worker() || !go) { return; }
    remember("kept", Date.now());
    worker().postMessage({ type: "keep", pages: info.pages });
  }
  function syncUrl() { return document.body.dataset.syncUrl; }

  // ---- what is waiting, shown on every page -------------------------------------------------------
  function showOutbox() {
    var box = document.getElementById("outbox");
    var me = userId();
    if (!box || me === null) { return Promise.resolve(); }
    return mine(me).then(function (entries) {
      var waiting = entries.filter(function (e) { return e.state === "waiting"; });
      var rejected = entries.filter(function (e) { return e.state === "rejected"; });
      box.textContent = "";
      if (waiting.length) {
        var p = document.createElement("p");
        p.className = "outbox-waiting";
        p.textContent = (waiting.length === 1 ? "1 entry is" : waiting.length + " entries are") +
          " saved on this phone and will be sent when you are online.";
        box.appendChild(p);
      }
      rejected.forEach(function (entry) {
        var item = document.createElement("div");
        item.className = "outbox-rejected";
        var text = document.createElement("p");
        text.textContent = entry.label + " could not be sent: " + entry.problem;
        var drop = document.createElement("button");
        drop.type = "button"; drop.className = "button button-quiet"; drop.textContent = "Remove it from this phone";
        drop.addEventListener("click", function () { remove(entry.id).then(showOutbox); });
        item.appendChild(text); item.appendChild(drop);
        box.appendChild(item);
      });
      box.hidden = !waiting.length && !rejected.length;
    });
  }

  // ---- forms with no signal ----------------------------------------------------------------------
  function checked(form, suffix) {
    var input = form.querySelector("input[name$='" + suffix + "']:checked");
    return input ? input.value : null;
  }
  function reading(form) {
    var zone = checked(form, "zone");
    return { zone: zone, side: zone === "none" ? null : checked(form, "side"),
      leg_pain: +checked(form, "leg_pain"), back_pain: +checked(form, "back_pain") };
  }
  function table() { return JSON.parse(document.getElementById("red-flag-table").textContent); }
  function redFlagAnswers(form, flags) {
    var answers = {};
    Object.keys(flags.field).forEach(function (id) {
      var input = form.querySelector("input[name='" + flags.field[id] + "']:checked");
      answers[id] = !!input && input.value === "yes";
    });
    return answers;
  }
  // Today's answers (and what the reading's side implies) with the onboarding history, as the server judges them.
  function judge(answers, flags, read) {
    var all = {};
    Object.keys(answers).forEach(function (k) { all[k] = answers[k]; });
    var implied = SelfcareProtocol.sideAnswers(flags.legs, read ? read.side : null);
    Object.keys(implied).forEach(function (k) { all[k] = all[k] || implied[k]; });
    return SelfcareProtocol.triageToday(flags, all, flags.history);
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-offline-error]").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".field-invalid").forEach(function (el) { el.classList.remove("field-invalid"); });
  }
  // The same checks the server makes on these forms, with its messages, shown beside each field.
  function validate(form) {
    clearErrors(form);
    var errors = [];
    var zone = checked(form, "zone");
    form.querySelectorAll("fieldset[data-missing]").forEach(function (set) {
      if (/side$/.test(set.id) && zone === "none") { return; }
      if (!set.querySelector("input:checked")) { errors.push({ box: set, id: set.id, message: set.dataset.missing }); }
    });
    var walk = form.querySelector("input[name=walk_minutes]");
    var onset = form.querySelector("input[name=walk_onset_minutes]");
    [walk, onset].forEach(function (input) {
      if (!input || input.value.trim() === "") { return; }
      if (!/^\d+$/.test(input.value.trim())) { errors.push({ box: input.closest(".field"), id: input.id, message: "Enter a whole number of minutes, like 10." }); }
      else if (+input.value > +(input.max || 300)) { errors.push({ box: input.closest(".field"), id: input.id, message: "Enter " + (input.max || 300) + " minutes or fewer." }); }
    });
    if (walk && onset && onset.value.trim() !== "" && !errors.length) {
      if (walk.value.trim() === "") { errors.push({ box: onset.closest(".field"), id: onset.id, message: "Enter how long you walked first." }); }
      else if (+onset.value > +walk.value) { errors.push({ box: onset.closest(".field"), id: onset.id, message: "This cannot be longer than the walk itself." }); }
    }
    errors.forEach(function (error) {
      var p = document.createElement("p");
      p.className = "error"; p.dataset.offlineError = ""; p.id = error.id + "-error"; p.textContent = error.message;
      error.box.classList.add("field-invalid");
      var legend = error.box.querySelector("legend");
      if (legend) { legend.insertAdjacentElement("afterend", p); } else { error.box.appendChild(p); }
    });
    if (errors.length) {
      var summary = document.createElement("div");
      summary.className = "error-summary"; summary.setAttribute("role", "alert"); summary.tabIndex = -1; summary.dataset.offlineError = "";
      var h = document.createElement("h2"); h.textContent = errors.length === 1 ? "Please check this:" : "Please check these:";
      var ul = document.createElement("ul");
      errors.forEach(function (error) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = "#" + error.id; a.textContent = error.message; li.appendChild(a); ul.appendChild(li);
      });
      summary.appendChild(h); summary.appendChild(ul);
      form.insertBefore(summary, form.firstChild);
      summary.focus();
    }
    return errors.length === 0;
  }

  // ---- the alert screen with no signal -----------------------------------------------------------
  // What the reasons add to a level's screen, as patient/_alert_screen.html writes it online (patient/alerts.py
  // alert_screen): the statements to tell the ambulance, the signs answered yes, and the lines that depend on them.
  function fillAlert(section, reasons, flags) {
    function any(ids) { return reasons.some(function (id) { return ids.indexOf(id) >= 0; }); }
    function item(text) { var li = document.createElement("li"); li.textContent = text; return li; }
    var tell = section.querySelector("[data-tell]");
    if (tell) {
      var cauda = tell.querySelector("[data-if-cauda]");
      reasons.forEach(function (id) { if (flags.tell[id]) { tell.insertBefore(item(flags.tell[id]), cauda); } });
      if (cauda) { cauda.hidden = !any(flags.cauda_equina); }
    }
    var signs = section.querySelector("[data-signs]");
    if (signs) { reasons.forEach(function (id) { signs.appendChild(item(flags.sign[id] || id.replace(/_/g, " "))); }); }
    var cancer = section.querySelector("[data-if-cancer]");
    if (cancer) { cancer.hidden = reasons.indexOf("cancer_history") < 0; }
    var cleared = section.querySelector("[data-if-until-cleared]");
    if (cleared) { cleared.hidden = !any(flags.until_cleared); }
  }
  function showAlert(result, entryId) {
    var template = document.getElementById("offline-alert");
    var main = document.getElementById("main");
    if (!template || !main) { return; }
    remember("alert", { level: result.level, reasons: result.reasons, entry: entryId });
    var section = template.content.querySelector("[data-level='" + result.level + "']").cloneNode(true);
    fillAlert(section, result.reasons, table());
    var hidden = Array.prototype.filter.call(main.children, function (el) { return !el.hidden; });
    hidden.forEach(function (el) { el.hidden = true; });
    main.appendChild(section);
    section.querySelector("[data-alert-read]").addEventListener("click", function () {
      remember("alert", null);
      markRead(entryId);
      section.remove();
      hidden.forEach(function (el) { el.hidden = false; });
      document.dispatchEvent(new CustomEvent("selfcare:alert-read", { detail: result }));
    });
    section.focus();
  }
  function markRead(entryId) {
    if (!entryId) { return; }
    store("readwrite", function (s) {
      var get = s.get(entryId);
      get.onsuccess = function () { if (get.result) { get.result.confirm = true; s.put(get.result); } };
    });
  }
  // An alert not yet read stays on top of every page that can show it (as the server does online).
  function reopenAlert() {
    if (userId() === null || !document.getElementById("offline-alert")) { return; }
    recall("alert").then(function (alert) { if (alert) { showAlert(alert, alert.entry); } }, function () {});
  }

  // Logging out clears this phone (the server says so): send what waits first, or ask before losing it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.action || !/\/logout$/.test(form.action) || form.dataset.confirmed) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    sync().then(function () { return mine(userId()); }).then(function (entries) {
      var left = entries.filter(function (e) { return e.state === "waiting"; }).length;
      if (!left || window.confirm(left + " saved entries have not been sent yet. If you log out now they are deleted from this phone. Log out anyway?")) {
        form.dataset.confirmed = "1";
        form.requestSubmit();
      }
    });
  }, true);

  // The signal dropped while a request was on its way: a page is opened again so the worker can show its
  // kept copy. (A check-in sent at that moment is kept on the phone by checkin.js.)
  document.addEventListener("htmx:sendError", function (event) {
    var config = event.detail.requestConfig;
    if (config && config.verb === "get") { window.location.assign(config.path); }
    else if (config && /^\/exercises/.test(config.path)) { window.location.assign(document.body.dataset.exercises); }
  });

  function init() {
    showOutbox();
    reopenAlert();
    if (navigator.onLine) { sync(); }
  }
  window.addEventListener("online", function () { sync(); });
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", function (event) { if (event.detail.target === document.body) { init(); } });

  return { save: save, sync: sync, newId: newId, table: table, judge: judge, redFlagAnswers: redFlagAnswers,
    validate: validate, reading: reading, showAlert: showAlert, clock: clock, recall: recall, remember: remember };
})();
