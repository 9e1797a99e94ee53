"""A linked patient's record as their therapist reads it: onboarding answers, one timeline, and alerts.

Each table is read once (newest CAP + 1 rows) and the rows are merged in Python, so the number of
queries stays the same however much the patient recorded. Times are shown on the patient's clock,
because when a thing happened in their day matters (night pain, a walk after waking). No request
objects here: the therapist and `now` come in as arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property, partial
from typing import Any

from markupsafe import Markup
from peewee import JOIN

from selfcare.charts import html_text
from selfcare.clinical import Content, Level, Region, Response, Side, StopReason, Zone
from selfcare.content import current_content, region_of
from selfcare.models import (
    Alert, CheckIn, ExerciseSet, PlanChange, Profile, SelfCheck, SessionEvent, TherapistNote, User, Walk, utcnow,
)
from selfcare.prepared import prepared
from selfcare.services import followups
from selfcare.services.history import OUTCOME_WORDS, RESPONSE_WORDS, day_text, time_text
from selfcare.services.holds import CLEARED_WHY, HELD_WHY, LIFTS
from selfcare.services.profiles import UNREAD, profile_of
from selfcare.services.rows import as_is, json_value, read_prepared
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

    @cached_property
    def item_html(self) -> Markup:
        """The entry's list item as the timeline shows it (not an alert: those have their own template and form).

        Written here, and once per entry (a kept timeline is shown again): a hundred entries through Jinja took
        about a millisecond. The same markup, to the whitespace, as the template wrote it (a test compares).
        """
        head = (f'\n          <li class="tl-item tl-{self.kind.value}">\n            <p class="tl-head"><span class="tl-kind">'
                f'{html_text(self.title)}</span> <span class="tl-when">{html_text(self.when)}</span></p>\n            ')
        details = (f'\n              <dl class="tl-details">\n                {self.details_html}\n              </dl>\n            '
                   if self.details else "")
        flags = ""
        if self.yes_answers:
            level = f" (level: {html_text(self.level_name)})" if self.level else ""
            answers = "".join(f"<li>{html_text(q)}</li>" for q in self.yes_answers)
            flags = (f'\n              <div class="tl-flags">\n                <p><strong>Warning signs answered yes</strong>{level}:</p>'
                     f'\n                <ul>{answers}</ul>\n              </div>\n            ')
        text = ""
        if self.text:
            said = "Message to the patient: " if self.kind == Kind.PLAN_CHANGE else ""
            text = f'<p class="tl-text">{said}{html_text(self.text)}</p>'
        return Markup(f"{head}{details}\n            {flags}\n            {text}\n          </li>\n")

    @property
    def details_html(self) -> Markup:
        """The details as the timeline lists them (written here: a hundred entries' labels and values in a
        Jinja loop took a third of the page's rendering)."""
        return Markup("".join([f"<div><dt>{html_text(label)}</dt><dd>{html_text(value)}</dd></div>" for label, value in self.details]))


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


@dataclass(frozen=True)
class Timeline:
    """The newest entries first, at most `cap`, and whether older ones were left out."""

    entries: Sequence[Entry]
    truncated: bool
    cap: int
    clock: str  # the patient's time zone name
    pieces: dict[str, tuple[object, Any]] = field(default_factory=dict, compare=False, repr=False)  # kept with it

    @cached_property
    def blocks(self) -> list[Entry | Run]:
        """The entries for _timeline.html: each alert alone (it has a form), the rest in runs joined once per kept timeline."""
        blocks: list[Entry | Run] = []
        run: list[str] = []
        for entry in self.entries:
            if entry.alert is None:
                run.append(entry.item_html)
                continue
            blocks += [Run(Markup(BETWEEN_ITEMS.join(run))), entry] if run else [entry]
            run = []
        return blocks + [Run(Markup(BETWEEN_ITEMS.join(run)))] if run else blocks


# What _timeline.html's loop writes after one entry's item and before the next's (a test renders both ways).
BETWEEN_ITEMS = "        \n      \n        "


@dataclass(frozen=True)
class Run:
    """Timeline entries in a row that are not alerts, as one piece of markup."""

    item_html: Markup
    alert: None = None


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
        title=content.red_flags.action(level).render_title(region_of(patient)), source=SOURCE_WORDS.get(row.source, row.source),
        reasons=tuple(content.red_flags.sign_words().get(str(r), str(r).replace("_", " ")) for r in row.reasons),
        when=time_text(to_local(patient, row.created_at)),
        confirmed=None if row.confirmed_at is None else time_text(to_local(patient, row.confirmed_at)),
        acknowledged=ack, followup=followups.therapist_text(patient, row),
    )


def _checkin(patient: User, row: CheckIn, walk: Walk | None, names: dict[Zone, str], wording: dict[str, str]) -> Entry:
    zone = Zone(row.zone)
    where = names[zone] if zone == Zone.NONE or not row.side else f"{names[zone]}, {SIDE_WORDS.get(Side(row.side), row.side)}"
    details = [
        ("Furthest point", where),
        ("Leg pain", f"{row.leg_pain} of 10"),
        ("Back pain", f"{row.back_pain} of 10"),
        ("Feels", _words(json_value(row.sensations), SENSATION_WORDS)),
        ("Worse with", _words(json_value(row.worse_with), WORSE_WORDS)),
    ]
    if walk is not None:
        onset = "no leg symptoms" if walk.onset_minutes is None else f"leg symptoms after {walk.onset_minutes} min"
        details.append(("Walked", f"{walk.minutes} min, {onset}"))
    yes = tuple(wording.get(k, k.replace("_", " ")) for k, v in sorted(json_value(row.red_flags).items()) if v)
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
    ) + (("Numb areas", _words(json_value(row.numb_areas), areas)),)
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


def _newest(query: Any, stamp: Any) -> Any:
    """The newest CAP + 1 rows of a query (the extra one tells whether there are more)."""
    return query.order_by(stamp.desc(), _id_column(query.model).desc()).limit(CAP + 1)


CHECKIN_COLUMNS = (_id_column(CheckIn), CheckIn.recorded_at, CheckIn.zone, CheckIn.side, CheckIn.leg_pain, CheckIn.back_pain,
                   CheckIn.sensations, CheckIn.worse_with, CheckIn.red_flags, CheckIn.level)
WALK_COLUMNS = (_id_column(Walk), Walk.checkin, Walk.recorded_at, Walk.minutes, Walk.onset_minutes)
SET_COLUMNS = (_id_column(ExerciseSet), ExerciseSet.started_at, ExerciseSet.before_zone, ExerciseSet.before_leg_pain,
               ExerciseSet.before_back_pain, ExerciseSet.after_zone, ExerciseSet.after_leg_pain, ExerciseSet.after_back_pain,
               ExerciseSet.response, ExerciseSet.outcome)
SELF_CHECK_COLUMNS = (_id_column(SelfCheck), SelfCheck.recorded_at, SelfCheck.heel_walk, SelfCheck.toe_walk, SelfCheck.big_toe_lift,
                      SelfCheck.numb_areas)

LATER = {"sensations": as_is, "worse_with": as_is, "red_flags": as_is, "numb_areas": as_is}  # parsed only if shown
# The timeline's queries, written once per database (selfcare/prepared.py): peewee took 0.1-0.2 ms to write each.
_CHECKINS = prepared(lambda patient: _newest(CheckIn.select(*CHECKIN_COLUMNS).where(CheckIn.patient == patient), CheckIn.recorded_at))
_WALKS_WITH = prepared(lambda patient: Walk.select(*WALK_COLUMNS).where(  # the walks logged with those check-ins
    Walk.checkin.in_(_newest(CheckIn.select(_id_column(CheckIn)).where(CheckIn.patient == patient), CheckIn.recorded_at))
).order_by(Walk.minutes))
_WALKS = prepared(lambda patient: _newest(
    Walk.select(*WALK_COLUMNS).where((Walk.patient == patient) & Walk.checkin.is_null()), Walk.recorded_at))
_SETS = prepared(lambda patient: _newest(ExerciseSet.select(*SET_COLUMNS).where(ExerciseSet.patient == patient), ExerciseSet.started_at))
_CHECKS = prepared(lambda patient: _newest(
    SelfCheck.select(*SELF_CHECK_COLUMNS).where(SelfCheck.patient == patient), SelfCheck.recorded_at))
_ALERTS = prepared(lambda patient: _newest(_alerts_query().where(Alert.patient == patient), Alert.created_at))
_NOTES = prepared(lambda patient: _newest(
    TherapistNote.select(TherapistNote, User.name.alias("by")).join(User, on=(TherapistNote.therapist == User.id))
    .where(TherapistNote.patient == patient).objects(), TherapistNote.created_at))
_PLAN_CHANGES = prepared(lambda patient: _newest(
    PlanChange.select(PlanChange, User.name.alias("by")).join(User, JOIN.LEFT_OUTER, on=(PlanChange.therapist == User.id))
    .where(PlanChange.patient == patient).objects(), PlanChange.created_at))



def _hold_lifts(patient: int) -> Any:
    """The patient's newest CAP + 1 lifted holds: the therapist re-enabled the plan, or a doctor's all-clear."""
    return _newest(SessionEvent.select(_id_column(SessionEvent), SessionEvent.kind, SessionEvent.body, SessionEvent.occurred_at)
                   .where((SessionEvent.patient == patient) & SessionEvent.kind.in_(LIFTS)), SessionEvent.occurred_at)


def build_timeline(patient: User, cap: int = CAP) -> Timeline:
    """Everything the patient and their therapists recorded, newest first (eight queries, whatever the size).

    Each table gives its newest CAP + 1 rows (light rows where there are many); they are ordered together
    first, and only the `cap` shown become entries (building an entry writes times and words: most of the
    page's time when all were built).
    """
    content = current_content()
    names = {info.zone: info.name for info in content.zones}
    wording = question_words(content)
    pid = patient.id
    found: list[tuple[datetime, int, Callable[[], Entry]]] = []  # (when, row id, how to make its entry)
    checkins = read_prepared(_CHECKINS, CHECKIN_COLUMNS, LATER, patient=pid)
    # the longest walk logged with each of those check-ins (ordered by minutes: the last one wins)
    walks_with = {int(w.checkin): w for w in read_prepared(_WALKS_WITH, WALK_COLUMNS, patient=pid)} if checkins else {}
    found += [(c.recorded_at, _rid(c), partial(_checkin, patient, c, walks_with.get(_rid(c)), names, wording)) for c in checkins]
    found += [(w.recorded_at, _rid(w), partial(_walk, patient, w)) for w in read_prepared(_WALKS, WALK_COLUMNS, patient=pid)]
    found += [(s.started_at, _rid(s), partial(_set, patient, s, names)) for s in read_prepared(_SETS, SET_COLUMNS, patient=pid)]
    found += [(k.recorded_at, _rid(k), partial(_self_check, patient, k, content))
              for k in read_prepared(_CHECKS, SELF_CHECK_COLUMNS, LATER, patient=pid)]
    found += [(a.created_at, _rid(a), partial(_alert, patient, a, content, wording)) for a in _ALERTS.all(patient=pid)]
    found += [(n.created_at, _rid(n), partial(_note, patient, n)) for n in _NOTES.all(patient=pid)]
    found += [(p.created_at, _rid(p), partial(_plan_change, patient, p, content)) for p in _PLAN_CHANGES.all(patient=pid)]
    found += [(e.occurred_at, _rid(e), partial(_hold_lift, patient, e)) for e in _hold_lifts(pid)]
    found.sort(key=lambda f: (f[0], f[1]), reverse=True)
    return Timeline([make() for _, _, make in found[:cap]], len(found) > cap, cap, patient.timezone or "UTC")


def _alert(patient: User, row: Alert, content: Content, wording: dict[str, str]) -> Entry:
    alert = _alert_entry(patient, row, content, wording)
    return Entry(Kind.ALERT, row.created_at, alert.id, alert.when, "Alert", level=alert.level, alert=alert)


def _note(patient: User, row: TherapistNote) -> Entry:
    return Entry(Kind.NOTE, row.created_at, _rid(row), time_text(to_local(patient, row.created_at)), f"Note by {row.by}",  # type: ignore[attr-defined]
                 text=row.text)


def _plan_change(patient: User, row: PlanChange, content: Content) -> Entry:
    details = [("Plan", plan_change_words(row.changes, content)), ("Exercises", "Paused" if row.paused else "On")]
    return Entry(Kind.PLAN_CHANGE, row.created_at, _rid(row), time_text(to_local(patient, row.created_at)),
                 f"Plan changed by {getattr(row, 'by', None) or 'a therapist who has left'}", tuple(details), text=row.pause_message)



def _hold_lift(patient: User, row: SessionEvent) -> Entry:
    """The plan turned back on by a therapist, or the patient's word that a doctor said exercise is fine."""
    body = json_value(row.body)
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
