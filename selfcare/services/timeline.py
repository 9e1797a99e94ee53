"""A linked patient's record as their therapist reads it: onboarding answers, one timeline in pages, and alerts.

A page of the timeline reads each table once (its newest PAGE + 1 rows before the page's cursor) and merges
the rows in Python, so a page costs the same queries however much the patient recorded. Times are shown on
the patient's clock, because when a thing happened in their day matters (night pain, a walk after waking).
Plain data only: the templates write the markup. No request objects here: the patient and `now` come in as
arguments.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import partial
from typing import Any

from peewee import JOIN

from selfcare.clinical import Content, Level, Region, Response, Side, StopReason, Zone
from selfcare.content import current_content, region_of
from selfcare.models import (
    Alert, CheckIn, ExerciseSet, PlanChange, Profile, SelfCheck, SessionEvent, TherapistNote, User, Walk, utcnow,
)
from selfcare.services import followups
from selfcare.services.history_sets import OUTCOME_WORDS, RESPONSE_WORDS
from selfcare.services.periods import day_text, time_text
from selfcare.services.holds import CLEARED_WHY, HELD_WHY, LIFTS
from selfcare.services.profiles import UNREAD, profile_of
from selfcare.statements import Statement
from selfcare.timeutil import local_now, to_local

PAGE = 20  # timeline entries on one page; "Older" loads the next ones
OPEN_SHOWN = 20  # open alerts listed at the top of a patient's page (the count covers them all)
LOOKS_SHOWN = 50
NOTE_MAX = 2000
ACK_MAX = 500

SIDE_WORDS = {Side.LEFT: "left leg", Side.RIGHT: "right leg", Side.BOTH: "both legs"}
SENSATION_WORDS = {"pain": "pain", "numbness": "numbness", "tingling": "tingling", "weakness": "weakness"}
WORSE_WORDS = {"sitting": "sitting", "bending": "bending", "standing": "standing", "walking": "walking"}
ABILITY_WORDS = {"normal": "normal", "weak": "weaker than usual", "unable": "could not do it"}
SOURCE_WORDS = {"checkin": "daily check-in", "session": "questions before exercises", "self_check": "nerve self-check",
                "onboarding": "onboarding questions"}
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
    PLAN_HOLD = "plan_hold"  # a hold after a stop, or a wait for clearance, lifted (services/holds.py)


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

    @property
    def cursor(self) -> Cursor:
        """Where the next page starts: the entries after this one, newest first."""
        return Cursor(self.at, self.kind, self.row_id)


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
    followup: str | None = None  # the next day's answer after an emergency ("were you seen?"), in words


KIND_ORDER = {kind: rank for rank, kind in enumerate(Kind)}  # ties on time: the order entries are shown in
CURSOR_SEP = "~"


@dataclass(frozen=True)
class Cursor:
    """A place in the timeline: a page lists the entries before it (newest first), ordered by time, kind, then id."""

    at: datetime
    kind: Kind
    row_id: int

    @property
    def key(self) -> tuple[datetime, int, int]:
        """What pages are ordered by: time, then the kind's rank, then the row's id."""
        return (self.at, KIND_ORDER[self.kind], self.row_id)

    @property
    def token(self) -> str:
        """The cursor as a link writes it, e.g. '2026-12-01T10:00:00.250000~checkin~42'."""
        return CURSOR_SEP.join((self.at.isoformat(), self.kind.value, str(self.row_id)))

    @classmethod
    def parse(cls, token: str) -> Cursor:
        """The cursor a link wrote (ValueError if it is not one)."""
        at, kind, row_id = token.split(CURSOR_SEP)
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is not None or not row_id.isdigit():
            raise ValueError(token)
        return cls(moment, Kind(kind), int(row_id))


@dataclass(frozen=True)
class TimelinePage:
    """One page of the timeline, newest first, and where the next (older) page starts (None: nothing older)."""

    entries: Sequence[Entry]
    older: Cursor | None
    clock: str  # the patient's time zone name
    first: bool  # the newest page (no cursor given)


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
    """A row's id."""
    return int(row.id)


def _words(values: Sequence[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(v, v.replace("_", " ")) for v in values) or "none"


def question_words(content: Content) -> dict[str, str]:
    """Red-flag and history ids to the question as the patient read it."""
    flags = content.red_flags
    return {q.id: q.question for q in (*flags.questions, *flags.history)}


def _lives_in(region: Region) -> str:
    """Where the patient lives as their therapist reads it, with the emergency number they typed for "Other"."""
    if not region.code:
        return "Not given"
    if region.typed_number:
        number = f"emergency number {region.emergency}" if region.emergency else "no emergency number given"
        return f"Somewhere else ({number})"
    return region.name


def overview(patient: User, now: datetime | None = None, profile: Profile | None = UNREAD) -> Overview:
    """Day N in selfcare (from onboarding, on the patient's clock) and the onboarding answers (one query if not given)."""
    profile = profile_of(patient, profile)
    start = to_local(patient, profile.created_at if profile else patient.created_at).date()
    today = local_now(patient, now).date()
    answers: list[tuple[str, str]] = []
    if profile is None:
        answers.append(("Onboarding", "Not done yet"))
    else:
        started: date = profile.symptoms_started
        weeks = max((today - started).days, 0) // 7
        wording = question_words(current_content())
        region = region_of(patient)  # the "Other" region with the number the patient typed
        answers += [
            ("Leg with symptoms", SIDE_WORDS.get(Side(profile.legs), profile.legs).capitalize()),
            ("Symptoms started", f"{day_text(started)} (about {weeks} week{'s' if weeks != 1 else ''} ago)"),
            ("Walking at the start", f"{profile.baseline_walk_minutes} minutes in one go"),
            (wording["cancer_history"], "Yes" if profile.cancer_history else "No"),
            (wording["immune_risk"], "Yes" if profile.immune_risk else "No"),
            ("Lives in", _lives_in(region)),
        ]
    return Overview(patient.name, (today - start).days + 1, day_text(start), tuple(answers))


# ---- Timeline ------------------------------------------------------------------------------------


ACK_BY = User.alias("ack_user")
ALERT_COLUMNS = (*Alert._meta.sorted_fields, ACK_BY.name.alias("ack_name"))


def _alerts_query() -> Any:
    """Alerts with the name of the therapist who acknowledged them (one query however many): ALERT_COLUMNS."""
    return Alert.select(*ALERT_COLUMNS).join(ACK_BY, JOIN.LEFT_OUTER, on=(Alert.acknowledged_by == ACK_BY.id))


Row = Any  # one row of the timeline's reads, its values read by attribute (a row_type's named tuple, or a model)


def row_type(name: str, columns: Sequence[Any]) -> Any:
    """A named tuple of the columns' names (a field's, or the name it is selected as), to read a statement's rows by
    attribute: nothing is filled in that was not read (a model would fill in its defaults: new uuids, the time now)."""
    return namedtuple(name, [column.name for column in columns])


def _alert_entry(patient: User, row: Row, content: Content, wording: dict[str, str]) -> AlertEntry:
    level = Level(row.level)
    ack = None
    if row.acknowledged_at is not None:
        by = getattr(row, "ack_name", None) or "A therapist who has left selfcare"
        ack = Acknowledgement(by, time_text(to_local(patient, row.acknowledged_at)), row.acknowledgement or "")
    return AlertEntry(
        id=_rid(row), patient_id=int(patient.id), level=level, level_name=LEVEL_NAMES[level],
        title=content.red_flags.action(level).render_title(region_of(patient)), source=SOURCE_WORDS.get(row.source, row.source),
        reasons=tuple(content.red_flags.sign_words().get(str(r), str(r).replace("_", " ")) for r in row.reasons),
        when=time_text(to_local(patient, row.created_at)),
        confirmed=None if row.confirmed_at is None else time_text(to_local(patient, row.confirmed_at)),
        acknowledged=ack, followup=followups.therapist_text(patient, row),
    )


def _checkin(patient: User, row: Row, names: dict[Zone, str], wording: dict[str, str]) -> Entry:
    zone = Zone(row.zone)
    where = names[zone] if zone == Zone.NONE or not row.side else f"{names[zone]}, {SIDE_WORDS.get(Side(row.side), row.side)}"
    details = [
        ("Furthest point", where),
        ("Leg pain", f"{row.leg_pain} of 10"),
        ("Back pain", f"{row.back_pain} of 10"),
        ("Feels", _words(row.sensations, SENSATION_WORDS)),
        ("Worse with", _words(row.worse_with, WORSE_WORDS)),
    ]
    walked, onset_minutes = getattr(row, "walk_minutes", None), getattr(row, "walk_onset", None)  # the longest walk logged with it
    if walked is not None:
        onset = "no leg symptoms" if onset_minutes is None else f"leg symptoms after {onset_minutes} min"
        details.append(("Walked", f"{walked} min, {onset}"))
    yes = tuple(wording.get(k, k.replace("_", " ")) for k, v in sorted(row.red_flags.items()) if v)
    return Entry(Kind.CHECKIN, row.recorded_at, _rid(row), time_text(to_local(patient, row.recorded_at)), "Check-in",
                 tuple(details), yes, Level(row.level))


def _walk(patient: User, row: Row) -> Entry:
    onset = "No leg symptoms" if row.onset_minutes is None else f"After {row.onset_minutes} min"
    details = (("Walked", f"{row.minutes} min"), ("Leg symptoms", onset))
    return Entry(Kind.WALK, row.recorded_at, _rid(row), time_text(to_local(patient, row.recorded_at)), "Walk", details)


def _set(patient: User, row: Row, names: dict[Zone, str]) -> Entry:
    before = f"{names[Zone(row.before_zone)]}, leg {row.before_leg_pain}, back {row.before_back_pain}"
    details = [("Before", before)]
    if row.after_zone:
        details.append(("After", f"{names[Zone(row.after_zone)]}, leg {row.after_leg_pain}, back {row.after_back_pain}"))
    details.append(("Result", RESPONSE_WORDS[Response(row.response)] if row.response else "Not re-checked"))
    ended = "Not finished" if row.outcome is None else OUTCOME_WORDS.get(row.outcome, row.outcome.replace("_", " ").capitalize())
    details.append(("Ended", ended))
    return Entry(Kind.SET, row.started_at, _rid(row), time_text(to_local(patient, row.started_at)), "Exercise set", tuple(details))


def _self_check(patient: User, row: Row, content: Content) -> Entry:
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


LATEST = datetime.max  # later than anything recorded: the newest page is the page before it
BEYOND_IDS = 2**31 - 1  # above every id: all rows of the moment come after the cursor


def _below(kind: Kind, cursor: Cursor | None) -> int:
    """Rows of `kind` at the cursor's very moment come after it in the timeline when their id is below this: every one
    for a kind shown before the cursor's kind, none for a kind shown after it, and for its own kind the lower ids."""
    if cursor is None:
        return 0  # nothing is at LATEST
    rank, cursor_rank = KIND_ORDER[kind], KIND_ORDER[cursor.kind]
    if rank == cursor_rank:
        return cursor.row_id
    return BEYOND_IDS if rank < cursor_rank else 0


def _page_of(query: Any, stamp: Any, at: Any, below: Any, rows: Any) -> Any:
    """The newest `rows` rows of a query after a place in the timeline (newest first): older than `at`, or as old
    with an id below `below` (see _below)."""
    id_column = _id_column(query.model)
    return (query.where((stamp <= at) & ((stamp < at) | (id_column < below)))
            .order_by(stamp.desc(), id_column.desc()).limit(rows))


CHECKIN_COLUMNS = (_id_column(CheckIn), CheckIn.recorded_at, CheckIn.zone, CheckIn.side, CheckIn.leg_pain, CheckIn.back_pain,
                   CheckIn.sensations, CheckIn.worse_with, CheckIn.red_flags, CheckIn.level)
LONGEST_WALK = Walk.alias("walk")
CHECKIN_WALK_COLUMNS = (*CHECKIN_COLUMNS, LONGEST_WALK.minutes.alias("walk_minutes"),
                        LONGEST_WALK.onset_minutes.alias("walk_onset"))
WALK_COLUMNS = (_id_column(Walk), Walk.checkin, Walk.recorded_at, Walk.minutes, Walk.onset_minutes)
SET_COLUMNS = (_id_column(ExerciseSet), ExerciseSet.started_at, ExerciseSet.before_zone, ExerciseSet.before_leg_pain,
               ExerciseSet.before_back_pain, ExerciseSet.after_zone, ExerciseSet.after_leg_pain, ExerciseSet.after_back_pain,
               ExerciseSet.response, ExerciseSet.outcome)
SELF_CHECK_COLUMNS = (_id_column(SelfCheck), SelfCheck.recorded_at, SelfCheck.heel_walk, SelfCheck.toe_walk, SelfCheck.big_toe_lift,
                      SelfCheck.numb_areas)
NOTE_COLUMNS = (*TherapistNote._meta.sorted_fields, User.name.alias("by"))
PLAN_CHANGE_COLUMNS = (*PlanChange._meta.sorted_fields, User.name.alias("by"))
HOLD_LIFT_COLUMNS = (_id_column(SessionEvent), SessionEvent.kind, SessionEvent.body, SessionEvent.occurred_at)


def _checkins(patient: int, at: datetime, below: int, rows: int) -> Any:
    """A page of check-ins, each with the longest walk logged with it (its minutes and when leg symptoms came on)."""
    other = Walk.alias("other")
    longest = (other.select(other.id).where(other.checkin == _id_column(CheckIn))
               .order_by(other.minutes.desc(), other.id.desc()).limit(1))
    query = (CheckIn.select(*CHECKIN_WALK_COLUMNS).join(LONGEST_WALK, JOIN.LEFT_OUTER, on=(LONGEST_WALK.id == longest))
             .where(CheckIn.patient == patient))
    return _page_of(query, CheckIn.recorded_at, at, below, rows)


def _walks(patient: int, at: datetime, below: int, rows: int) -> Any:
    """A page of walks logged on their own (a walk logged with a check-in is shown with it)."""
    query = Walk.select(*WALK_COLUMNS).where((Walk.patient == patient) & Walk.checkin.is_null())
    return _page_of(query, Walk.recorded_at, at, below, rows)


def _sets(patient: int, at: datetime, below: int, rows: int) -> Any:
    """A page of exercise sets."""
    return _page_of(ExerciseSet.select(*SET_COLUMNS).where(ExerciseSet.patient == patient), ExerciseSet.started_at, at, below, rows)


def _self_checks(patient: int, at: datetime, below: int, rows: int) -> Any:
    """A page of nerve self-checks."""
    return _page_of(SelfCheck.select(*SELF_CHECK_COLUMNS).where(SelfCheck.patient == patient), SelfCheck.recorded_at, at, below, rows)


def _alerts(patient: int, at: datetime, below: int, rows: int) -> Any:
    """A page of alerts, with the name of the therapist who acknowledged each."""
    return _page_of(_alerts_query().where(Alert.patient == patient), Alert.created_at, at, below, rows)


def _notes(patient: int, at: datetime, below: int, rows: int) -> Any:
    """A page of notes, with the name of the therapist who wrote each."""
    query = (TherapistNote.select(*NOTE_COLUMNS).join(User, on=(TherapistNote.therapist == User.id))
             .where(TherapistNote.patient == patient))
    return _page_of(query, TherapistNote.created_at, at, below, rows)


def _plan_changes(patient: int, at: datetime, below: int, rows: int) -> Any:
    """A page of plan changes, with the name of the therapist who made each (None if they have left)."""
    query = (PlanChange.select(*PLAN_CHANGE_COLUMNS).join(User, JOIN.LEFT_OUTER, on=(PlanChange.therapist == User.id))
             .where(PlanChange.patient == patient))
    return _page_of(query, PlanChange.created_at, at, below, rows)


def _hold_lifts(patient: int, at: datetime, below: int, rows: int) -> Any:
    """A page of holds lifted: the plan turned back on, or the patient's word that a doctor cleared them."""
    query = SessionEvent.select(*HOLD_LIFT_COLUMNS).where((SessionEvent.patient == patient) & SessionEvent.kind.in_(LIFTS))
    return _page_of(query, SessionEvent.occurred_at, at, below, rows)


CHECKINS, WALKS, SETS, SELF_CHECKS = Statement(_checkins), Statement(_walks), Statement(_sets), Statement(_self_checks)
ALERTS, NOTES, PLAN_CHANGES, HOLD_LIFTS = Statement(_alerts), Statement(_notes), Statement(_plan_changes), Statement(_hold_lifts)


ALERT_ROW = row_type("AlertRow", ALERT_COLUMNS)


@dataclass(frozen=True)
class Source:
    """Where the timeline reads one kind of entry: a page of rows newest first, each read as a `row`."""

    kind: Kind
    statement: Statement
    row: Any  # a row_type of the statement's columns
    stamp: str  # the column it is ordered by


SOURCES = (
    Source(Kind.CHECKIN, CHECKINS, row_type("CheckInRow", CHECKIN_WALK_COLUMNS), "recorded_at"),
    Source(Kind.WALK, WALKS, row_type("WalkRow", WALK_COLUMNS), "recorded_at"),
    Source(Kind.SET, SETS, row_type("SetRow", SET_COLUMNS), "started_at"),
    Source(Kind.SELF_CHECK, SELF_CHECKS, row_type("SelfCheckRow", SELF_CHECK_COLUMNS), "recorded_at"),
    Source(Kind.ALERT, ALERTS, ALERT_ROW, "created_at"),
    Source(Kind.NOTE, NOTES, row_type("NoteRow", NOTE_COLUMNS), "created_at"),
    Source(Kind.PLAN_CHANGE, PLAN_CHANGES, row_type("PlanChangeRow", PLAN_CHANGE_COLUMNS), "created_at"),
    Source(Kind.PLAN_HOLD, HOLD_LIFTS, row_type("HoldLiftRow", HOLD_LIFT_COLUMNS), "occurred_at"),
)

Found = tuple[tuple[datetime, int, int], Kind, Any]  # (order key, kind, row)


def timeline_page(patient: User, before: Cursor | None = None, size: int = PAGE) -> TimelinePage:
    """The `size` newest entries before `before` (the newest ones without it), and where the next page starts.

    Eight statements of at most `size` + 1 rows, one per kind (the check-ins with the walk logged with each): the same
    for a week's record as for years of it. Only the entries shown are written in words.
    """
    content = current_content()
    at = LATEST if before is None else before.at
    found: list[Found] = []
    for source in SOURCES:
        for values in source.statement.rows(patient=patient.id, at=at, below=_below(source.kind, before), rows=size + 1):
            row = source.row(*values)
            found.append(((getattr(row, source.stamp), KIND_ORDER[source.kind], _rid(row)), source.kind, row))
    found.sort(key=lambda f: f[0], reverse=True)
    shown, more = found[:size], len(found) > size
    entries = _entries(patient, content, shown)
    return TimelinePage(entries, entries[-1].cursor if more else None, patient.timezone or "UTC", before is None)


def _entries(patient: User, content: Content, shown: list[Found]) -> list[Entry]:
    """The rows shown, as entries in words."""
    names = {info.zone: info.name for info in content.zones}
    wording = question_words(content)
    makers: dict[Kind, Callable[[Any], Entry]] = {
        Kind.CHECKIN: lambda row: _checkin(patient, row, names, wording),
        Kind.WALK: partial(_walk, patient),
        Kind.SET: lambda row: _set(patient, row, names),
        Kind.SELF_CHECK: lambda row: _self_check(patient, row, content),
        Kind.ALERT: lambda row: _alert(patient, row, content, wording),
        Kind.NOTE: partial(_note, patient),
        Kind.PLAN_CHANGE: lambda row: _plan_change(patient, row, content),
        Kind.PLAN_HOLD: partial(_hold_lift, patient),
    }
    return [makers[kind](row) for _, kind, row in shown]


def _alert(patient: User, row: Row, content: Content, wording: dict[str, str]) -> Entry:
    alert = _alert_entry(patient, row, content, wording)
    return Entry(Kind.ALERT, row.created_at, alert.id, alert.when, "Alert", level=alert.level, alert=alert)


def _note(patient: User, row: Row) -> Entry:
    return Entry(Kind.NOTE, row.created_at, _rid(row), time_text(to_local(patient, row.created_at)), f"Note by {row.by}",
                 text=row.text)


def _plan_change(patient: User, row: Row, content: Content) -> Entry:
    details = [("Plan", plan_change_words(row.changes, content)), ("Exercises", "Paused" if row.paused else "On")]
    return Entry(Kind.PLAN_CHANGE, row.created_at, _rid(row), time_text(to_local(patient, row.created_at)),
                 f"Plan changed by {getattr(row, 'by', None) or 'a therapist who has left'}", tuple(details), text=row.pause_message)



def _hold_lift(patient: User, row: Row) -> Entry:
    """The plan turned back on by a therapist, or the patient's word that a doctor said exercise is fine."""
    body = row.body
    when = time_text(to_local(patient, row.occurred_at))
    if row.kind == "cleared":
        said = (("Said", str(body.get("statement", ""))), ("Lifts", f"the pause after {CLEARED_WHY} (not on that day)"))
        return Entry(Kind.PLAN_HOLD, row.occurred_at, _rid(row), when, "Patient: a doctor said exercise is fine", said)
    lifted = []
    if body.get("held"):
        lifted.append("on hold: " + HELD_WHY.get(StopReason(body["held"]), str(body["held"])))
    if body.get("until_cleared"):
        lifted.append(f"paused after {CLEARED_WHY}")
    details = [("Was", "; ".join(lifted) or "on hold")]
    if body.get("changed_plan"):
        details.append(("How", "by saving a change to the plan"))
    return Entry(Kind.PLAN_HOLD, row.occurred_at, _rid(row), when, f"Plan turned back on by {body.get('by_name') or 'a therapist'}",
                 tuple(details))


def add_note(therapist: User, patient: User, text: str, now: datetime | None = None) -> TherapistNote:
    """Keep a therapist's note on the patient's record."""
    return TherapistNote.create(patient=patient, therapist=therapist, text=text.strip(), created_at=now or utcnow())
