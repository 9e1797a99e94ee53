"""A linked patient's record as their therapist reads it: onboarding answers, one timeline, and alerts.

Each table is read once (newest CAP + 1 rows) and the rows are merged in Python, so the number of
queries stays the same however much the patient recorded. Times are shown on the patient's clock,
because when a thing happened in their day matters (night pain, a walk after waking). No request
objects here: the therapist and `now` come in as arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from peewee import JOIN, Case

from selfcare.clinical import Content, Level, Response, Side, Zone
from selfcare.content import current_content, regions
from selfcare.models import (
    Alert,
    AuditEvent,
    CareLink,
    CheckIn,
    ExerciseSet,
    PlanChange,
    Profile,
    SelfCheck,
    TherapistNote,
    User,
    Walk,
    utcnow,
)
from selfcare.services.care import ACTIONS
from selfcare.services.history import OUTCOME_WORDS, RESPONSE_WORDS, day_text, time_text
from selfcare.timeutil import local_now, to_local

CAP = 100  # timeline entries shown; older ones are in the exports
OPEN_SHOWN = 20  # open alerts listed in the banner (the count covers them all)
LOOKS_SHOWN = 50
NOTE_MAX = 2000
ACK_MAX = 500

SIDE_WORDS = {Side.LEFT: "left leg", Side.RIGHT: "right leg", Side.BOTH: "both legs"}
SENSATION_WORDS = {"pain": "pain", "numbness": "numbness", "tingling": "tingling", "weakness": "weakness"}
WORSE_WORDS = {"sitting": "sitting", "bending": "bending", "standing": "standing", "walking": "walking"}
ABILITY_WORDS = {"normal": "normal", "weak": "weaker than usual", "unable": "could not do it"}
SOURCE_WORDS = {"checkin": "daily check-in", "session": "questions before exercises", "self_check": "nerve self-check"}
# For therapists: the level in words (never colour alone), then what the patient was told.
LEVEL_NAMES = {Level.EMERGENCY: "Emergency", Level.URGENT: "Urgent (same day)", Level.CONTACT_PT: "Contact PT",
               Level.NONE: "No warning signs"}
PLAN_WORDS = {"sets": "sets of press-ups", "repeat_every_minutes": "minutes between sets"}


class Kind(StrEnum):
    """What a timeline entry is."""

    CHECKIN = "checkin"
    WALK = "walk"
    SET = "set"
    SELF_CHECK = "self_check"
    ALERT = "alert"
    NOTE = "note"
    PLAN_CHANGE = "plan_change"


@dataclass(frozen=True)
class Entry:
    """One thing in the timeline: its kind, when (stored UTC for order, words for people) and details."""

    kind: Kind
    at: datetime
    row_id: int
    when: str
    title: str
    details: tuple[tuple[str, str], ...] = ()  # (label, value) pairs
    yes_answers: tuple[str, ...] = ()  # red-flag questions answered yes, in the patient's words
    level: Level | None = None
    text: str | None = None  # a note, or the patient's message with a pause
    alert: AlertEntry | None = None

    @property
    def level_name(self) -> str:
        """The check-in's level in words."""
        return LEVEL_NAMES[self.level] if self.level else ""


@dataclass(frozen=True)
class Acknowledgement:
    """Who acted on an alert, when, and what they wrote."""

    by: str
    when: str
    note: str


@dataclass(frozen=True)
class AlertEntry:
    """An alert with what the patient answered and whether a therapist acknowledged it."""

    id: int
    patient_id: int
    level: Level
    level_name: str
    title: str  # what the patient was told to do
    source: str
    reasons: tuple[str, ...]
    when: str
    confirmed: str | None  # when the patient said they read it
    acknowledged: Acknowledgement | None


@dataclass(frozen=True)
class Timeline:
    """The newest entries first, at most `cap`, and whether older ones were left out."""

    entries: Sequence[Entry]
    truncated: bool
    cap: int
    clock: str  # the patient's time zone name


@dataclass(frozen=True)
class Overview:
    """Who the patient is to their therapist: days in the program and their onboarding answers."""

    name: str
    day_number: int
    since: str
    answers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def _id_column(model: Any) -> Any:
    """A model's primary-key column, for queries (the models declare no `id` the type checker sees)."""
    return model._meta.primary_key


def _rid(row: Any) -> int:
    return int(row.__data__["id"])


def _words(values: Sequence[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(v, v.replace("_", " ")) for v in values) or "none"


def question_words(content: Content) -> dict[str, str]:
    """Red-flag and history ids to the question as the patient read it."""
    flags = content.red_flags
    return {q.id: q.question for q in (*flags.questions, *flags.history)}


def overview(patient: User, now: datetime | None = None) -> Overview:
    """Day N in selfcare (from onboarding, on the patient's clock) and the onboarding answers (one query)."""
    profile = Profile.get_or_none(Profile.patient == patient.id)
    start = to_local(patient, profile.created_at if profile else patient.created_at).date()
    today = local_now(patient, now).date()
    answers: list[tuple[str, str]] = []
    if profile is None:
        answers.append(("Onboarding", "Not done yet"))
    else:
        started: date = profile.symptoms_started
        weeks = max((today - started).days, 0) // 7
        wording = question_words(current_content())
        region = regions().get(patient.region or "")
        answers += [
            ("Leg with symptoms", SIDE_WORDS.get(Side(profile.legs), profile.legs).capitalize()),
            ("Symptoms started", f"{day_text(started)} (about {weeks} week{'s' if weeks != 1 else ''} ago)"),
            ("Walking at the start", f"{profile.baseline_walk_minutes} minutes in one go"),
            (wording["cancer_history"], "Yes" if profile.cancer_history else "No"),
            (wording["immune_risk"], "Yes" if profile.immune_risk else "No"),
            ("Lives in", region.name if region else "Not given"),
        ]
    return Overview(patient.name, (today - start).days + 1, day_text(start), tuple(answers))


# ---- Timeline ------------------------------------------------------------------------------------


def _alerts_query() -> Any:
    """Alerts with the name of the therapist who acknowledged them (one query however many)."""
    by = User.alias("ack_user")
    return (
        Alert.select(Alert, by.name.alias("ack_name"))
        .join(by, JOIN.LEFT_OUTER, on=(Alert.acknowledged_by == by.id))
        .objects()
    )


def _alert_entry(patient: User, row: Alert, content: Content, wording: dict[str, str]) -> AlertEntry:
    level = Level(row.level)
    ack = None
    if row.acknowledged_at is not None:
        by = getattr(row, "ack_name", None) or "A therapist who has left selfcare"
        ack = Acknowledgement(by, time_text(to_local(patient, row.acknowledged_at)), row.acknowledgement or "")
    return AlertEntry(
        id=_rid(row), patient_id=int(row.__data__["patient"]), level=level, level_name=LEVEL_NAMES[level],
        title=content.red_flags.action(level).title, source=SOURCE_WORDS.get(row.source, row.source),
        reasons=tuple(wording.get(str(r), str(r).replace("_", " ")) for r in row.reasons),
        when=time_text(to_local(patient, row.created_at)),
        confirmed=None if row.confirmed_at is None else time_text(to_local(patient, row.confirmed_at)),
        acknowledged=ack,
    )


def _checkin(patient: User, row: CheckIn, walk: Walk | None, names: dict[Zone, str], wording: dict[str, str]) -> Entry:
    zone = Zone(row.zone)
    where = names[zone] if zone == Zone.NONE or not row.side else f"{names[zone]}, {SIDE_WORDS.get(Side(row.side), row.side)}"
    details = [
        ("Furthest point", where),
        ("Leg pain", f"{row.leg_pain} of 10"),
        ("Back pain", f"{row.back_pain} of 10"),
        ("Feels", _words(row.sensations, SENSATION_WORDS)),
        ("Worse with", _words(row.worse_with, WORSE_WORDS)),
    ]
    if walk is not None:
        onset = "no leg symptoms" if walk.onset_minutes is None else f"leg symptoms after {walk.onset_minutes} min"
        details.append(("Walked", f"{walk.minutes} min, {onset}"))
    yes = tuple(wording.get(k, k.replace("_", " ")) for k, v in sorted(row.red_flags.items()) if v)
    return Entry(Kind.CHECKIN, row.recorded_at, _rid(row), time_text(to_local(patient, row.recorded_at)), "Check-in",
                 tuple(details), yes, Level(row.level))


def _walk(patient: User, row: Walk) -> Entry:
    onset = "No leg symptoms" if row.onset_minutes is None else f"After {row.onset_minutes} min"
    details = (("Walked", f"{row.minutes} min"), ("Leg symptoms", onset))
    return Entry(Kind.WALK, row.recorded_at, _rid(row), time_text(to_local(patient, row.recorded_at)), "Walk", details)


def _set(patient: User, row: ExerciseSet, names: dict[Zone, str]) -> Entry:
    before = f"{names[Zone(row.before_zone)]}, leg {row.before_leg_pain}, back {row.before_back_pain}"
    details = [("Before", before)]
    if row.after_zone:
        details.append(("After", f"{names[Zone(row.after_zone)]}, leg {row.after_leg_pain}, back {row.after_back_pain}"))
    details.append(("Result", RESPONSE_WORDS[Response(row.response)] if row.response else "Not re-checked"))
    ended = "Not finished" if row.outcome is None else OUTCOME_WORDS.get(row.outcome, row.outcome.replace("_", " ").capitalize())
    details.append(("Ended", ended))
    return Entry(Kind.SET, row.started_at, _rid(row), time_text(to_local(patient, row.started_at)), "Exercise set", tuple(details))


def _self_check(patient: User, row: SelfCheck, content: Content) -> Entry:
    areas = {a.area.value: a.name for a in content.areas}
    details = tuple(
        (info.name, ABILITY_WORDS.get(getattr(row, info.test.value), getattr(row, info.test.value))) for info in content.tests
    ) + (("Numb areas", _words(row.numb_areas, areas)),)
    return Entry(Kind.SELF_CHECK, row.recorded_at, _rid(row), time_text(to_local(patient, row.recorded_at)), "Nerve self-check", details)


def plan_change_words(changes: dict[str, Any], content: Content) -> str:
    """A plan change in words, e.g. 'sets of press-ups 2; Press-ups: reps 8' ('standard plan' if none)."""
    steps = {s.id: s.title for s in content.plan.steps}
    parts = []
    for key, value in sorted(changes.items()):
        shown = ("on" if value else "off") if isinstance(value, bool) else str(value)
        if "." in key:
            step, setting = key.split(".", 1)
            label = f"{steps.get(step, step)}: {setting.replace('_', ' ')}"
        else:
            label = PLAN_WORDS.get(key, key.replace("_", " "))
        parts.append(f"{label} {shown}")
    return "; ".join(parts) or "the standard plan"


def _latest(query: Any, stamp: Any) -> list[Any]:
    """The newest CAP + 1 rows of a query (the extra one tells whether there are more)."""
    return list(query.order_by(stamp.desc(), _id_column(query.model).desc()).limit(CAP + 1))


def build_timeline(patient: User, cap: int = CAP) -> Timeline:
    """Everything the patient and their therapists recorded, newest first (eight queries, whatever the size)."""
    content = current_content()
    names = {info.zone: info.name for info in content.zones}
    wording = question_words(content)
    pid = patient.id
    checkins = _latest(CheckIn.select().where(CheckIn.patient == pid), CheckIn.recorded_at)
    walks_with = {
        int(w.__data__["checkin"]): w
        for w in Walk.select().where(Walk.checkin.in_([_rid(c) for c in checkins])).order_by(Walk.minutes)
    } if checkins else {}
    entries = [_checkin(patient, c, walks_with.get(_rid(c)), names, wording) for c in checkins]
    entries += [_walk(patient, w) for w in _latest(Walk.select().where((Walk.patient == pid) & Walk.checkin.is_null()), Walk.recorded_at)]
    entries += [_set(patient, s, names) for s in _latest(ExerciseSet.select().where(ExerciseSet.patient == pid), ExerciseSet.started_at)]
    entries += [_self_check(patient, s, content) for s in _latest(SelfCheck.select().where(SelfCheck.patient == pid), SelfCheck.recorded_at)]
    for a in _latest(_alerts_query().where(Alert.patient == pid), Alert.created_at):
        alert = _alert_entry(patient, a, content, wording)
        entries.append(Entry(Kind.ALERT, a.created_at, alert.id, alert.when, "Alert", level=alert.level, alert=alert))
    notes = TherapistNote.select(TherapistNote, User.name.alias("by")).join(User, on=(TherapistNote.therapist == User.id))
    for n in _latest(notes.where(TherapistNote.patient == pid).objects(), TherapistNote.created_at):
        entries.append(Entry(Kind.NOTE, n.created_at, _rid(n), time_text(to_local(patient, n.created_at)), f"Note by {n.by}", text=n.text))
    changes = PlanChange.select(PlanChange, User.name.alias("by")).join(User, JOIN.LEFT_OUTER, on=(PlanChange.therapist == User.id))
    for p in _latest(changes.where(PlanChange.patient == pid).objects(), PlanChange.created_at):
        details = [("Plan", plan_change_words(p.changes, content)), ("Exercises", "Paused" if p.paused else "On")]
        entries.append(Entry(Kind.PLAN_CHANGE, p.created_at, _rid(p), time_text(to_local(patient, p.created_at)),
                             f"Plan changed by {getattr(p, 'by', None) or 'a therapist who has left'}", tuple(details),
                             text=p.pause_message))
    entries.sort(key=lambda e: (e.at, e.row_id), reverse=True)
    return Timeline(entries[:cap], len(entries) > cap, cap, patient.timezone or "UTC")


def add_note(therapist: User, patient: User, text: str, now: datetime | None = None) -> TherapistNote:
    """Keep a therapist's note on the patient's record."""
    return TherapistNote.create(patient=patient, therapist=therapist, text=text.strip(), created_at=now or utcnow())


# ---- Alerts for therapists -----------------------------------------------------------------------


def _linked(therapist: User) -> Any:
    """Join condition: the alert's patient is currently linked to this therapist."""
    return (CareLink.therapist == therapist.id) & CareLink.ended_at.is_null()


def linked_alert(therapist: User, alert_id: int) -> Alert | None:
    """The alert with this id only if its patient is currently linked to this therapist (one query)."""
    return (
        Alert.select()
        .join(CareLink, on=(CareLink.patient == Alert.patient))
        .where((_id_column(Alert) == alert_id) & _linked(therapist))
        .first()
    )


def acknowledge(therapist: User, alert: Alert, note: str, now: datetime | None = None) -> bool:
    """Record that `therapist` acted on the alert, once: False (nothing stored) if someone already had."""
    updated = (
        Alert.update(acknowledged_at=now or utcnow(), acknowledged_by=therapist.id, acknowledgement=note.strip())
        .where((_id_column(Alert) == _rid(alert)) & Alert.acknowledged_at.is_null())
        .execute()
    )
    return bool(updated)


def alert_entry(patient: User, alert_id: int) -> AlertEntry:
    """One alert of this patient as the timeline shows it (one query)."""
    content = current_content()
    row = _alerts_query().where((_id_column(Alert) == alert_id) & (Alert.patient == patient.id)).get()
    return _alert_entry(patient, row, content, question_words(content))


@dataclass(frozen=True)
class OpenAlert:
    """An alert no therapist has acknowledged yet, for the banner."""

    id: int
    patient_id: int
    patient_name: str
    level: Level
    level_name: str
    age: str  # how long ago, so no time zone is needed


@dataclass(frozen=True)
class OpenAlerts:
    """How many alerts wait across the caseload, and the most serious, newest ones."""

    count: int
    alerts: Sequence[OpenAlert]


def age_text(then: datetime, now: datetime) -> str:
    """How long ago, in rough words: 'just now', '5 minutes ago', '3 hours ago', '2 days ago'."""
    minutes = max(int((now - then).total_seconds() // 60), 0)
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size:
            n = minutes // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def open_alerts(therapist: User, now: datetime | None = None, limit: int = OPEN_SHOWN) -> OpenAlerts:
    """Unacknowledged alerts of the therapist's linked patients: most serious first (two queries)."""
    moment = now or utcnow()
    severity = Case(Alert.level, [(lv.value, rank) for rank, lv in enumerate(Level)], 0)
    query = (
        Alert.select(Alert, User.name.alias("patient_name"))
        .join(User, on=(Alert.patient == User.id))
        .join(CareLink, on=(CareLink.patient == User.id))
        .where(_linked(therapist) & Alert.acknowledged_at.is_null())
    )
    rows = query.order_by(severity.desc(), Alert.created_at.desc(), _id_column(Alert).desc()).limit(limit).objects()
    alerts = [
        OpenAlert(
            _rid(a), int(a.__data__["patient"]), a.patient_name,  # type: ignore[attr-defined]  # the selected alias
            Level(a.level), LEVEL_NAMES[Level(a.level)], age_text(a.created_at, moment),
        )
        for a in rows
    ]
    return OpenAlerts(query.count(), alerts)


# ---- What the patient sees: who looked at their record -------------------------------------------


@dataclass(frozen=True)
class Look:
    """A therapist looked at or exported the patient's record."""

    who: str
    what: str
    when: str  # on the patient's clock


def record_looks(patient: User, limit: int = LOOKS_SHOWN) -> list[Look]:
    """The latest looks at the patient's record, newest first (one query)."""
    events = (
        AuditEvent.select()
        .where(AuditEvent.patient == patient.id)
        .order_by(AuditEvent.created_at.desc(), _id_column(AuditEvent).desc())
        .limit(limit)
    )
    return [
        Look(e.actor_name, ACTIONS.get(e.action, e.action.replace("_", " ")), time_text(to_local(patient, e.created_at)))
        for e in events
    ]
