"""Demo data: a therapist and patients with weeks of realistic, varied history (reproducible)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

from selfcare import accounts
from selfcare.clinical import (
    FLAG_LEVELS,
    Level,
    Phase,
    Reading,
    Response,
    ScreenKind,
    SessionState,
    StopReason,
    Zone,
    classify_response,
    triage,
)
from selfcare.db import db
from selfcare.models import Alert, CheckIn, ExerciseSet, PlayerState, Role, User, Walk
from selfcare.services import daily_summary, two_factor
from selfcare.services.profiles import ProfileAnswers, get_profile, save_profile
from selfcare.timeutil import zone_of

DEMO_PASSWORD = "demo-password-1"
ZONES = [Zone.NONE, Zone.BACK, Zone.BUTTOCK, Zone.THIGH, Zone.CALF, Zone.FOOT]
NO_FLAGS = {flag: False for flag in FLAG_LEVELS}
# How a set ends by its result (clinical/session.py): further down holds the plan, leg pain worse stops the day.
OUTCOMES = {Response.PERIPHERALIZED: ScreenKind.PLAN_HELD.value, Response.WORSE: ScreenKind.STOP_CONTACT_PT.value}


@dataclass(frozen=True)
class Course:
    """How a patient's symptoms move over the days: zone (0-5), leg pain and walking minutes by progress 0..1."""

    zone: Callable[[float], float]
    leg_pain: Callable[[float], float]
    walk: Callable[[float], float]
    flags: dict[int, str]  # days before today -> red-flag id answered yes that day


COURSES = {
    # Foot to back over six weeks, walking from 5 to 30 minutes: the protocol suits this patient.
    "centralizing": Course(lambda t: 5 - 4 * t, lambda t: 7.5 - 5.5 * t, lambda t: 5 + 25 * t, {30: "numbness_spreading"}),
    # Settled at first, then spreading down the leg in the last fortnight, with an urgent sign 2 days ago; yesterday a
    # set moved symptoms further down, so the plan is held for the therapist (CLINICAL.md §4).
    "peripheralizing": Course(lambda t: 3 if t < 0.6 else 3 + 2.5 * (t - 0.6) / 0.4, lambda t: 4 + 4 * max(0.0, t - 0.5), lambda t: 20 - 12 * t, {2: "night_pain"}),
    "stable": Course(lambda t: 3, lambda t: 4.5, lambda t: 15, {}),
}


@dataclass(frozen=True)
class DemoPatient:
    """One demo patient: who they are and how their last weeks went."""

    email: str
    name: str
    region: str
    timezone: str
    course: str
    days: int


THERAPIST = {"email": "sam.therapist@example.com", "name": "Sam Rivera", "region": "UK", "timezone": "Europe/London"}
PATIENTS = [
    DemoPatient("alex@example.com", "Alex", "UK", "Europe/London", "centralizing", 42),
    DemoPatient("jordan@example.com", "Jordan", "US", "America/New_York", "peripheralizing", 42),
    DemoPatient("priya@example.com", "Priya", "AU", "Australia/Sydney", "stable", 2),
]


def _user(email: str, name: str, role: Role, region: str, tz: str) -> User:
    """The demo user with this email, created the first time."""
    existing = User.get_or_none(User.email == email)
    if existing is not None:
        return existing
    return accounts.create_user(email, DEMO_PASSWORD, name, role, region, tz)


def _at(day: date, hour: float, tz: str) -> datetime:
    """A local time on `day` as stored (UTC, naive)."""
    local = datetime.combine(day, time(int(hour), int((hour % 1) * 60)), tzinfo=zone_of(User(timezone=tz)))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _reading(course: Course, progress: float, rng: random.Random) -> Reading:
    """A plausible reading for this point of the course, with day-to-day noise."""
    zone = ZONES[max(1, min(5, round(course.zone(progress) + rng.uniform(-0.45, 0.45))))]
    leg = max(0, min(10, round(course.leg_pain(progress) + rng.uniform(-1, 1))))
    return Reading(zone, leg, max(0, min(10, round(3 + rng.uniform(-1.5, 1.5)))), "left")


def generate_history(
    patient: User, course_name: str, days: int, now: datetime, rng: random.Random, therapist: User | None = None
) -> int:
    """Write `days` days of check-ins, walks, sets and alerts for `patient`, ending yesterday; rows written.

    Alerts older than 3 days are confirmed by the patient and, with a `therapist`, acknowledged by them. Sets follow the
    plan's rules: another set the same day only after a better re-check, none after a stop; a set that moves symptoms
    further down the leg (the peripheralizing course, yesterday) leaves the plan held for the therapist.
    """
    course = COURSES[course_name]
    today = now.astimezone(zone_of(patient)).date() if now.tzinfo else now.date()
    checkins, walks, sets, alerts = [], [], [], []
    held_by: dict[str, object] | None = None
    for back in range(days, 0, -1):
        day, progress = today - timedelta(days=back), 1 - back / max(days, 1)
        morning = _reading(course, progress, rng)
        answers = {**NO_FLAGS, **({course.flags[back]: True} if back in course.flags else {})}
        result = triage(answers)
        checkin_id = uuid.uuid4()
        recorded = _at(day, 8 + rng.random(), patient.timezone)
        checkins.append({
            "uuid": checkin_id, "patient": patient.id, "recorded_at": recorded, "received_at": recorded, "red_flags": answers,
            "level": result.level.value, "reasons": list(result.reasons), "zone": morning.zone.value, "side": "left",
            "leg_pain": morning.leg_pain, "back_pain": morning.back_pain,
            "sensations": sorted(rng.sample(["pain", "numbness", "tingling"], rng.randint(1, 3))),
            "worse_with": sorted(rng.sample(["sitting", "bending", "standing", "walking"], rng.randint(1, 2))),
        })
        minutes = max(1, round(course.walk(progress) + rng.uniform(-3, 3)))
        walks.append({"patient": patient.id, "recorded_at": recorded, "received_at": recorded, "minutes": minutes,
                      "onset_minutes": max(1, minutes - rng.randint(0, 4)), "checkin_uuid": checkin_id})
        if result.level != Level.NONE:
            alerts.append({"patient": patient.id, "level": result.level.value, "reasons": list(result.reasons), "source": "checkin",
                           "checkin_uuid": checkin_id, "created_at": recorded,
                           "confirmed_at": recorded + timedelta(minutes=2) if back > 3 else None,
                           "acknowledged_at": recorded + timedelta(hours=3) if back > 3 and therapist else None,
                           "acknowledged_by": therapist.id if back > 3 and therapist else None,
                           "acknowledgement": "Called the patient; plan unchanged." if back > 3 and therapist else None})
        for n in range(rng.randint(2, 4) if result.level < Level.URGENT else 0):
            start = _at(day, 9.5 + n * 2.6, patient.timezone)
            before = _reading(course, progress, rng)
            # peripheralizing course: yesterday's set spreads down the leg; otherwise the set often helps a little.
            shift = 1 if course_name == "peripheralizing" and back == 1 else -1 if rng.random() < 0.7 else 0
            if shift > 0 and before.zone == Zone.FOOT:
                before = Reading(Zone.CALF, before.leg_pain, before.back_pain, before.side)  # room to move further down
            after_zone = ZONES[max(1, min(5, ZONES.index(before.zone) + shift))]
            after = Reading(after_zone, max(0, before.leg_pain - (1 if shift < 0 else -1 if shift > 0 else 0)), before.back_pain)
            response = classify_response(before, after)
            outcome = OUTCOMES.get(response, "repeat_later" if response.is_improvement else "done_for_today")
            row = {
                "uuid": uuid.uuid4(), "patient": patient.id, "started_at": start, "finished_at": start + timedelta(minutes=8),
                "before_zone": before.zone.value, "before_leg_pain": before.leg_pain, "before_back_pain": before.back_pain,
                "after_zone": after.zone.value, "after_leg_pain": after.leg_pain, "after_back_pain": after.back_pain,
                "response": response.value, "outcome": outcome,
                "stop_reason": response.value if response.is_stop_signal else None, "sets": 1, "progressed": False,
            }
            sets.append(row)
            held_by = row if outcome == ScreenKind.PLAN_HELD.value else None
            if outcome != "repeat_later":
                break
    with db.atomic():
        for batch in _batches(checkins):
            CheckIn.insert_many(batch).execute()
        ids = {row.uuid: row.id for row in CheckIn.select(CheckIn.id, CheckIn.uuid).where(CheckIn.patient == patient.id)}
        for batch in _batches([_with_checkin(w, ids) for w in walks]):
            Walk.insert_many(batch).execute()
        for batch in _batches(sets):
            ExerciseSet.insert_many(batch).execute()
        for batch in _batches([_with_checkin(a, ids) for a in alerts]):
            Alert.insert_many(batch).execute()
        if held_by is not None:  # the last set moved symptoms down the leg: the plan waits for the therapist
            state = SessionState(phase=Phase.HELD, held=StopReason.PERIPHERALIZED, reason=StopReason.PERIPHERALIZED,
                                 response=Response.PERIPHERALIZED)
            PlayerState.create(patient=patient.id, state=state.to_dict(), updated_at=held_by["finished_at"])
        daily_summary.rebuild(patient)  # rows written in bulk: the day rows from them, in the same transaction
    return len(checkins) + len(walks) + len(sets) + len(alerts) + (held_by is not None)


def _with_checkin(row: dict[str, object], ids: dict[uuid.UUID, int]) -> dict[str, object]:
    """Swap the check-in's uuid for its row id."""
    out = {k: v for k, v in row.items() if k != "checkin_uuid"}
    out["checkin"] = ids[row["checkin_uuid"]]  # type: ignore[index]
    return out


def _batches(rows: list[dict[str, object]], size: int = 200) -> list[list[dict[str, object]]]:
    """Rows in chunks small enough for SQLite's variable limit."""
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def create_demo(now: datetime | None = None, seed: int = 2026) -> list[str]:
    """Create (or find) the demo therapist and patients with their history; describe the logins."""
    moment = now or datetime.now(timezone.utc)
    rng = random.Random(seed)
    therapist = _user(THERAPIST["email"], THERAPIST["name"], Role.THERAPIST, THERAPIST["region"], THERAPIST["timezone"])
    two_factor.turn_off(therapist)  # the demo login is the password alone, even after someone tried two-step sign-in
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):", f"  therapist  {therapist.email}"]
    for spec in PATIENTS:
        patient = _user(spec.email, spec.name, Role.PATIENT, spec.region, spec.timezone)
        accounts.link(therapist, patient)
        if get_profile(patient) is None:
            started = moment - timedelta(days=spec.days)
            save_profile(patient, ProfileAnswers("left", (started - timedelta(days=10)).date(), 5 if spec.course == "centralizing" else 15,
                                                 False, False, spec.region), now=started.replace(tzinfo=None))
            generate_history(patient, spec.course, spec.days, moment, rng, therapist)
        lines.append(f"  patient    {patient.email:<22} {spec.course} course, {spec.days} days")
    return lines
