// The protocol player's comfort layer: countdowns from server deadlines, rep pacing, end-of-timer cues.
// Without it every step still works with its buttons; timers are deadlines, so a reload or a locked
// screen loses nothing. The offline player (offline_player.js) uses the same timers and rep pacing.
var SelfcarePlayer = window.SelfcarePlayer || (function () {  // a second boosted visit runs this file again
  "use strict";

  var Sound = window.AudioContext || window.webkitAudioContext, audio = null;
  function cue() {
    if (navigator.vibrate) { navigator.vibrate([250, 120, 250]); }
    try {
      audio = audio || new Sound();
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.15;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.35);
    } catch (e) { /* no sound where the browser does not allow it */ }
  }
  // Sound needs a tap first; any tap on the page unlocks it for the timers that follow.
  document.addEventListener("click", function () {
    if (!audio && Sound) {
      try { audio = new Sound(); } catch (e) { audio = null; }
    }
  }, { once: true });

  function pad(n) { return n < 10 ? "0" + n : "" + n; }

  function startTimer(box) {
    if (box.dataset.running) { return; }
    box.dataset.running = "1";
    var deadline = Date.parse(box.dataset.deadline);
    var seconds = parseInt(box.dataset.seconds, 10);
    var offset = Date.parse(box.dataset.serverNow) - Date.now();  // the phone's clock may be off
    var clock = box.querySelector("[data-clock]");
    var phase = box.querySelector("[data-phase]");
    var next = box.parentNode.querySelector("button.timer-next");
    var holdLabel = phase.textContent;
    var finished = false;
    if (next) { next.hidden = true; }  // the timer moves on by itself; the button is the no-script way

    function tick() {
      if (!document.body.contains(box)) { clearInterval(timer); return; }
      var left = Math.ceil((deadline - (Date.now() + offset)) / 1000);
      if (left > seconds) {
        phase.textContent = "Get into position";
        clock.textContent = "" + (left - seconds);
      } else if (left > 0) {
        phase.textContent = holdLabel;
        clock.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
      } else if (!finished) {
        finished = true;
        clearInterval(timer);
        phase.textContent = "Time is up";
        clock.textContent = "0:00";
        cue();
        if (next) { next.hidden = false; }
        // Move on by itself a moment later; the server checks the deadline has really passed.
        if (next) { setTimeout(function () { next.click(); }, 1500); }  // a click, so htmx sends the button value
      }
    }
    var timer = setInterval(tick, 250);
    tick();
  }

  function startReps(box) {
    if (box.dataset.running) { return; }
    box.dataset.running = "1";
    var reps = parseInt(box.dataset.reps, 10);
    var pause = parseInt(box.dataset.pause, 10) * 1000;
    var count = 0;
    var counter = box.querySelector("[data-count]");
    var cueText = box.querySelector("[data-cue]");
    var button = box.querySelector("[data-rep]");
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      cueText.textContent = "Hold at the top…";
      setTimeout(function () {
        count += 1;
        counter.textContent = "" + count;
        if (navigator.vibrate) { navigator.vibrate(60); }
        if (count >= reps) {
          cueText.textContent = "All done. Lower yourself slowly, then tap the button below.";
          cue();
          button.hidden = true;
        } else {
          cueText.textContent = "Now lower yourself slowly. Push up again and tap at the top.";
          button.disabled = false;
        }
      }, pause);
    });
  }

  // The online player shows the server's state: keep a copy (offline.js's store), so the offline player goes on from here.
  function remember(root) {
    var snapshot = root.querySelector ? root.querySelector("#player-snapshot") : null;
    if (!snapshot || !window.SelfcareOffline) { return; }
    var data = JSON.parse(snapshot.textContent);
    SelfcareOffline.remember("player", { state: data.state, at: data.at });
  }

  function init(root) {
    root.querySelectorAll(".timer[data-deadline]").forEach(startTimer);
    root.querySelectorAll(".reps[data-reps]").forEach(startReps);
    remember(root);
  }
  init(document);  // deferred, or added by a boosted visit: the page is there either way
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  return { startTimer: startTimer, startReps: startReps };
})();
