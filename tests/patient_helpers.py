"""Helpers for patient-app tests: fill the real forms as a patient would."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from selfcare.models import PlayerState, User
from tests.conftest import csrf_from

ENTRY_RE = re.compile(r'name="entry_id" type="hidden" value="([^"]+)"')
ASKED_RE = re.compile(r'name="asked" value="([a-z_]+)"')
RED_FLAG_RE = re.compile(r'name="(rf_[a-z_]+)"')


def form_page(client: FlaskClient, path: str) -> tuple[str, dict[str, str]]:
    """GET a form page; return its HTML and the hidden fields a browser would send."""
    html = client.get(path).get_data(as_text=True)
    hidden = {"csrf_token": csrf_from(html)}
    entry = ENTRY_RE.search(html)
    if entry:
        hidden["entry_id"] = entry.group(1)
    asked = ASKED_RE.search(html)  # the start screen: the whole red-flag list, or the one question since the last
    if asked:
        hidden["asked"] = asked.group(1)
    return html, hidden


def no_red_flags(html: str) -> dict[str, str]:
    """'No' to every red-flag question on the page (or to the one question before a later set of the day)."""
    answers = {name: "no" for name in set(RED_FLAG_RE.findall(html))}
    if 'name="anything_new"' in html:
        answers["anything_new"] = "no"
    return answers


def checkin_data(html: str, hidden: dict[str, str], **changes: Any) -> dict[str, Any]:
    """A complete, valid check-in with `changes` applied (None removes a field)."""
    data: dict[str, Any] = {
        **hidden, **no_red_flags(html), "zone": "calf", "side": "left", "leg_pain": "6", "back_pain": "3",
        "sensations": ["pain", "tingling"], "worse_with": ["sitting"], "walk_minutes": "12", "walk_onset_minutes": "5",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def check_in(client: FlaskClient, **changes: Any) -> Any:
    """Send a check-in through the form."""
    html, hidden = form_page(client, "/checkin")
    return client.post("/checkin", data=checkin_data(html, hidden, **changes))


def start_set(client: FlaskClient, **changes: Any) -> Any:
    """Answer the red flags and the before-reading, and start a set."""
    html, hidden = form_page(client, "/exercises")
    data = {**hidden, **no_red_flags(html), "zone": "calf", "side": "left", "leg_pain": "6", "back_pain": "3", **changes}
    return client.post("/exercises/start", data={k: v for k, v in data.items() if v is not None})


def press(client: FlaskClient, event: str) -> Any:
    """Tap a step button on the current player screen."""
    html = client.get("/exercises").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', html)
    return client.post("/exercises/event", data={"csrf_token": csrf_from(html), "event": event, "token": token.group(1) if token else ""})


def let_timer_run_out(patient: User) -> None:
    """Time passes: move the stored deadline of the current step into the past."""
    from datetime import datetime

    row = PlayerState.get(PlayerState.patient == patient.id)
    state = dict(row.state)
    if state.get("deadline"):
        state["deadline"] = (datetime.fromisoformat(state["deadline"]) - timedelta(minutes=10)).isoformat()
        PlayerState.update(state=state).where(PlayerState.id == row.id).execute()


def recheck(client: FlaskClient, **reading: str) -> Any:
    """Send the after-reading."""
    html, hidden = form_page(client, "/exercises")
    data = {**hidden, "zone": "thigh", "side": "left", "leg_pain": "4", "back_pain": "3", **reading}
    return client.post("/exercises/recheck", data={k: v for k, v in data.items() if v is not None})


def run_whole_set(client: FlaskClient, patient: User) -> None:
    """Through every step to the re-check screen, letting each timer run out."""
    for _ in range(10):
        html = client.get("/exercises").get_data(as_text=True)
        if "How do you feel now?" in html:
            return
        if 'value="step_done"' in html:
            press(client, "step_done")
        else:
            let_timer_run_out(patient)
            press(client, "timer_ended")
    raise AssertionError("never reached the re-check")


def onboard(client: FlaskClient, answers: dict[str, str], **changes: Any) -> Any:
    """Send the onboarding form: `answers` with `changes` applied (None leaves a field out)."""
    token = csrf_from(client.get("/onboarding").get_data(as_text=True))
    data = {**answers, "csrf_token": token, **changes}
    return client.post("/onboarding", data={k: v for k, v in data.items() if v is not None})
