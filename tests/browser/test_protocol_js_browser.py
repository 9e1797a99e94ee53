"""protocol.js (the rules the phone uses with no signal) agrees with the Python clinical core, case by case:
the same plan, the same events at the same times, the same states and screens; the same triage for every single
answer, every pair and every combination row (alone and with today's answers over the onboarding history); the
same response for every pair of readings; the same signs implied by a reading's side."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page

from selfcare.clinical import (
    FLAG_LEVELS,
    HISTORY_LEVELS,
    Event,
    EventKind,
    Level,
    Reading,
    SessionState,
    Zone,
    advance,
    classify_response,
    load_content,
    needs_clearance,
    side_answers,
    triage,
    triage_today,
)
from selfcare.patient.offline import plan_data, triage_table

ZONE = ZoneInfo("Europe/London")
SCRIPT = Path(__file__).resolve().parents[2] / "selfcare" / "static" / "js" / "protocol.js"
CONTENT = load_content()
PLAN = CONTENT.plan


@pytest.fixture
def js(browser: Browser) -> Iterator[Page]:
    """A blank page on the phone's clock in London, with protocol.js loaded."""
    context = browser.new_context(timezone_id="Europe/London")
    page = context.new_page()
    page.add_script_tag(content=SCRIPT.read_text())
    yield page
    context.close()


def r(zone: str, leg: int, back: int = 2) -> Reading:
    return Reading(zone, leg, back, None if zone == "none" else "left")


# (minutes after the start, event kind, reading, red-flag level); a level ending in "+" is fever or trauma
# (the block waits to be cleared: Event.until_cleared).
Step = tuple[float, str, Reading | None, str]
AFTER = PLAN.get_ready_seconds + 600  # long enough for any timed step


def whole_set(before: Reading, after: Reading, start: float = 0, progressed: bool = False) -> list[Step]:
    steps: list[Step] = [(start, "start", before, "none")]
    t = start
    for step, _ in PLAN.sequence(progressed):
        t += AFTER / 60
        steps.append((t, "step_done" if step.kind.value == "reps" else "timer_ended", None, "none"))
    steps.append((t + 1, "recheck_done", after, "none"))
    return steps


CASES: dict[str, tuple[str, list[Step]]] = {
    "centralizes": ("09:00", whole_set(r("calf", 6), r("thigh", 4))),
    "abolished": ("09:00", whole_set(r("thigh", 4), r("none", 0, 0))),
    "peripheralizes": ("09:00", whole_set(r("thigh", 4), r("foot", 4))),
    "worse in the same zone": ("09:00", whole_set(r("calf", 4), r("calf", 7))),
    "unchanged twice then three times": ("08:00", whole_set(r("calf", 5), r("calf", 5)) + whole_set(r("calf", 5), r("calf", 5), 200)
                                         + whole_set(r("calf", 5), r("calf", 5), 400)),
    "better three times progresses": ("07:30", whole_set(r("calf", 6), r("thigh", 4)) + whole_set(r("thigh", 4), r("buttock", 3), 150)
                                      + whole_set(r("buttock", 3), r("back", 2), 300) + whole_set(r("back", 3), r("none", 0, 0), 450)),
    "late set is done for today": ("21:00", whole_set(r("calf", 6), r("thigh", 4))),
    "timer too early does nothing": ("09:00", [(0, "start", r("calf", 5), "none"), (0.5, "timer_ended", None, "none"),
                                               (0.6, "step_done", None, "none")]),
    "stop button mid-set": ("09:00", [(0, "start", r("calf", 5), "none"), (1, "symptoms_peripheralized", None, "none"),
                                      (2, "start", r("calf", 5), "none")]),
    "quit then start again": ("09:00", [(0, "start", r("calf", 5), "none"), (1, "quit", None, "none"), (2, "start", r("calf", 5), "none")]),
    "emergency at the start": ("09:00", [(0, "start", r("calf", 5), "emergency"), (1, "confirm", None, "none"),
                                         (2, "start", r("calf", 5), "none"), (60 * 24, "start", r("calf", 5), "none")]),
    "urgent at the start, then read": ("09:00", [(0, "start", r("calf", 5), "urgent"), (1, "start", r("calf", 5), "none"),
                                                 (2, "confirm", None, "none"), (3, "start", r("calf", 5), "none")]),
    "contact_pt does not block": ("09:00", [(0, "start", r("calf", 5), "contact_pt"), (1, "step_done", None, "none")]),
    "over midnight the stop lifts": ("22:30", [(0, "leg_pain_worse", None, "none"), (60 * 10, "start", r("calf", 5), "none")]),
    "over a clock change": ("2026-10-24 21:50", whole_set(r("calf", 6), r("thigh", 4))),
    "a peripheralized set holds the plan until released": ("09:00", whole_set(r("thigh", 4), r("calf", 4))
                                                           + [(60 * 24, "start", r("calf", 5), "none"),
                                                              (60 * 25, "release", None, "none"),
                                                              (60 * 25 + 1, "start", r("calf", 5), "none")]),
    "the stop button holds too": ("09:00", [(0, "start", r("calf", 5), "none"), (1, "symptoms_peripheralized", None, "none"),
                                            (60 * 30, "start", r("calf", 5), "none")]),
    "worse leg pain stops for today only": ("09:00", whole_set(r("calf", 4), r("thigh", 8))
                                            + [(60 * 24, "start", r("calf", 5), "none")]),
    "unchanged waits for tomorrow, a second no-benefit stop holds": (
        "09:00", whole_set(r("calf", 5), r("calf", 5)) + whole_set(r("calf", 5), r("calf", 5), 60 * 24)
        + whole_set(r("calf", 5), r("calf", 5), 60 * 48) + whole_set(r("calf", 5), r("calf", 5), 60 * 72)
        + whole_set(r("calf", 5), r("calf", 5), 60 * 96) + whole_set(r("calf", 5), r("calf", 5), 60 * 120)
        + [(60 * 144, "start", r("calf", 5), "none")]),
    "a stop resets progression": ("07:30", whole_set(r("calf", 6), r("thigh", 4)) + whole_set(r("thigh", 4), r("buttock", 3), 200)
                                  + whole_set(r("buttock", 3), r("back", 2), 400) + whole_set(r("back", 2), r("back", 7), 600, progressed=True)
                                  + whole_set(r("calf", 6), r("thigh", 4), 60 * 25)),
    "urgent blocks the rest of the day, confirming does not lift it": (
        "09:00", [(0, "start", r("calf", 5), "urgent"), (1, "confirm", None, "none"), (2, "start", r("calf", 5), "none"),
                  (60 * 23, "start", r("calf", 5), "none")]),
    "fever waits for a doctor's all-clear": (
        "09:00", [(0, "start", r("calf", 5), "urgent+"), (60 * 24, "start", r("calf", 5), "none"),
                  (60 * 24 + 1, "cleared", None, "none"), (60 * 24 + 2, "start", r("calf", 5), "none")]),
    "trauma waits for the PT's release": (
        "09:00", [(0, "red_flag", None, "urgent+"), (60 * 30, "release", None, "none"), (60 * 30 + 1, "start", r("calf", 5), "none")]),
    "an emergency with a fever, then cleared": (
        "09:00", [(0, "start", r("calf", 5), "emergency+"), (1, "confirm", None, "none"), (60 * 24, "start", r("calf", 5), "none"),
                  (60 * 24 + 1, "cleared", None, "none"), (60 * 24 + 2, "start", r("calf", 5), "none")]),
    "a red flag while held keeps the hold": (
        "09:00", whole_set(r("thigh", 4), r("foot", 4)) + [(60, "red_flag", None, "emergency"), (61, "confirm", None, "none"),
                                                            (60 * 24, "start", r("calf", 5), "none")]),
}


def _event(kind: str, reading: Reading | None, level: str) -> Event:
    return Event(EventKind(kind), reading=reading, level=Level(level.rstrip("+")), until_cleared=level.endswith("+"))


def python_run(start: datetime, steps: list[Step]) -> list[dict[str, Any]]:
    state, out = SessionState(), []
    for minutes, kind, reading, level in steps:
        now = start + timedelta(minutes=minutes)
        outcome = advance(PLAN, state, _event(kind, reading, level), now)
        state = outcome.state
        out.append({"state": state.to_dict(), "screen": outcome.screen.kind.value})
    return out


def js_run(page: Page, start: datetime, steps: list[Step]) -> list[dict[str, Any]]:
    events = [{"at": (start + timedelta(minutes=m)).isoformat(), "kind": k, "level": lv.rstrip("+"), "until_cleared": lv.endswith("+"),
               "reading": None if rd is None else {"zone": rd.zone.value, "side": rd.side.value if rd.side else None,
                                                   "leg_pain": rd.leg_pain, "back_pain": rd.back_pain}}
              for m, k, rd, lv in steps]
    return page.evaluate("""([plan, events, noise]) => {
        let state = SelfcareProtocol.fresh();
        return events.map(e => {
            const event = {kind: e.kind, reading: e.reading, level: e.level, until_cleared: e.until_cleared};
            const out = SelfcareProtocol.advance(plan, state, event, new Date(e.at), noise);
            state = out.state;
            return {state: state, screen: out.screen.kind};
        });
    }""", [plan_data(PLAN), events, CONTENT.noise_points])


def same_moment(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return datetime.fromisoformat(a.replace("Z", "+00:00")) == datetime.fromisoformat(b.replace("Z", "+00:00"))


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    state = dict(result["state"])
    before = state.pop("before")
    state["before"] = None if before is None else {k: before[k] for k in ("zone", "side", "leg_pain", "back_pain")}
    return {**state, "deadline": None, "next_at": None, "screen": result["screen"]}


@pytest.mark.parametrize("name", list(CASES))
def test_the_phone_and_the_server_agree_on_every_step(js: Page, name: str) -> None:
    when, steps = CASES[name]
    start = datetime.fromisoformat(when if " " in when else f"2026-11-23 {when}").replace(tzinfo=ZONE)
    python, phone = python_run(start, steps), js_run(js, start, steps)
    for n, (p, j) in enumerate(zip(python, phone, strict=True)):
        assert comparable(j) == comparable(p), f"event {n} ({steps[n][1]})"
        assert same_moment(j["state"]["deadline"], p["state"]["deadline"]), f"deadline after event {n}"
        assert same_moment(j["state"]["next_at"], p["state"]["next_at"]), f"next set time after event {n}"


TABLE = triage_table(CONTENT.red_flags)
IDS = [*FLAG_LEVELS, *HISTORY_LEVELS]
COMBINATION_ROWS = [dict.fromkeys(sorted(c.ids), True) for c in CONTENT.red_flags.combinations]


def test_triage_on_the_phone_matches_the_clinical_core(js: Page) -> None:
    """Every single answer, every pair and every combination row (with and without one more sign) triage alike."""
    cases: list[dict[str, bool]] = [{}] + [{i: True} for i in IDS]
    cases += [{a: True, b: True} for a, b in itertools.combinations(IDS, 2)]
    cases += COMBINATION_ROWS + [{**row, extra: True} for row in COMBINATION_ROWS for extra in FLAG_LEVELS if extra not in row]
    phone = js.evaluate("([table, cases]) => cases.map(c => SelfcareProtocol.triage(table, c))", [TABLE, cases])
    for answers, result in zip(cases, phone, strict=True):
        expected = triage(answers)
        assert result["level"] == expected.level.value, answers
        assert set(result["reasons"]) == set(expected.reasons), answers


def test_todays_answers_with_the_history_match(js: Page) -> None:
    """Today's answers over each onboarding history: history items count only in combinations, on both sides."""
    histories = [{"cancer_history": c, "immune_risk": i} for c in (False, True) for i in (False, True)]
    todays = [{}] + [{i: True} for i in FLAG_LEVELS] + [{a: True, b: True} for a, b in itertools.combinations(FLAG_LEVELS, 2)]
    cases = [(today, history) for history in histories for today in todays]
    phone = js.evaluate("""([table, cases]) => cases.map(([today, history]) => {
        const result = SelfcareProtocol.triageToday(table, today, history);
        return {...result, clearance: SelfcareProtocol.needsClearance(table, today, result)};
    })""", [TABLE, cases])
    for (today, history), result in zip(cases, phone, strict=True):
        expected = triage_today(today, history)
        assert result["level"] == expected.level.value, (today, history)
        assert set(result["reasons"]) == set(expected.reasons), (today, history)
        assert result["clearance"] == needs_clearance(today, expected), (today, history)


def test_responses_match(js: Page) -> None:
    """Every pair of zones, with leg pain falling, steady and rising, on the same side and across sides."""
    readings = [Reading(z, leg, 3, None if z == Zone.NONE else side) for z in Zone for leg in (2, 5, 8)
                for side in ("left", "right", "both")]
    readings = list(dict.fromkeys(readings))
    pairs = [(b, a) for b in readings for a in readings]
    plain = [[{"zone": x.zone.value, "side": x.side.value if x.side else None, "leg_pain": x.leg_pain, "back_pain": x.back_pain}
              for x in pair] for pair in pairs]
    phone = js.evaluate("([pairs, noise]) => pairs.map(([b, a]) => SelfcareProtocol.classify(b, a, noise))", [plain, CONTENT.noise_points])
    for (before, after), result in zip(pairs, phone, strict=True):
        assert result == classify_response(before, after).value, (before, after)


def test_signs_implied_by_the_side_match(js: Page) -> None:
    """A reading on both legs after a one-leg onboarding is both_legs, on the phone as on the server."""
    cases = [(legs, side) for legs in (None, "left", "right", "both") for side in (None, "left", "right", "both")]
    phone = js.evaluate("(cases) => cases.map(([legs, side]) => SelfcareProtocol.sideAnswers(legs, side))", cases)
    for (legs, side), result in zip(cases, phone, strict=True):
        assert result == side_answers(legs, side), (legs, side)
