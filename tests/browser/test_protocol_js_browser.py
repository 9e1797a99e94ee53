"""protocol.js (the rules the phone uses with no signal) agrees with the Python clinical core, case by case:
the same plan, the same events at the same times, the same states and screens; and the same triage."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page

from selfcare.clinical import FLAG_LEVELS, HISTORY_LEVELS, Event, EventKind, Level, Reading, SessionState, advance, triage
from selfcare.clinical import load_content
from selfcare.clinical.redflags import COMBINATIONS
from selfcare.patient.offline import plan_data

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


# (minutes after the start, event kind, reading, red-flag level)
Step = tuple[float, str, Reading | None, str]
AFTER = PLAN.get_ready_seconds + 600  # long enough for any timed step


def whole_set(before: Reading, after: Reading, start: float = 0) -> list[Step]:
    steps: list[Step] = [(start, "start", before, "none")]
    t = start
    for step, _ in PLAN.sequence(False):
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
}


def python_run(start: datetime, steps: list[Step]) -> list[dict[str, Any]]:
    state, out = SessionState(), []
    for minutes, kind, reading, level in steps:
        now = start + timedelta(minutes=minutes)
        outcome = advance(PLAN, state, Event(EventKind(kind), reading=reading, level=Level(level)), now)
        state = outcome.state
        out.append({"state": state.to_dict(), "screen": outcome.screen.kind.value})
    return out


def js_run(page: Page, start: datetime, steps: list[Step]) -> list[dict[str, Any]]:
    events = [{"at": (start + timedelta(minutes=m)).isoformat(), "kind": k, "level": lv,
               "reading": None if rd is None else {"zone": rd.zone.value, "side": rd.side.value if rd.side else None,
                                                   "leg_pain": rd.leg_pain, "back_pain": rd.back_pain}}
              for m, k, rd, lv in steps]
    return page.evaluate("""([plan, events, noise]) => {
        let state = SelfcareProtocol.fresh();
        return events.map(e => {
            const out = SelfcareProtocol.advance(plan, state, {kind: e.kind, reading: e.reading, level: e.level}, new Date(e.at), noise);
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


def test_triage_on_the_phone_matches_the_clinical_core(js: Page) -> None:
    table = {
        "levels": {**{k: v.value for k, v in FLAG_LEVELS.items()}, **{k: v.value for k, v in HISTORY_LEVELS.items()}},
        "order": [*FLAG_LEVELS, *HISTORY_LEVELS],
        "combinations": [{"history": c.history, "sign": c.sign, "level": c.level.value} for c in COMBINATIONS],
    }
    ids = list(table["levels"])
    cases = [{}] + [{i: True} for i in ids] + [{a: True, b: True} for a, b in itertools.combinations(ids, 2)]
    phone = js.evaluate("([table, cases]) => cases.map(c => SelfcareProtocol.triage(table, c))", [table, cases])
    for answers, result in zip(cases, phone, strict=True):
        expected = triage(answers)
        assert result["level"] == expected.level.value, answers
        assert set(result["reasons"]) == set(expected.reasons), answers
