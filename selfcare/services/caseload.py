"""The therapist's triaged caseload: every currently linked patient, most in need of attention first.

Every table is read once for all of the therapist's patients (`patient IN (linked ids)`, through the
care link, in a recent window) and grouped in Python, so the number of queries does not grow with
the number of patients or their rows: linked patients, profiles, check-ins, walks, sets,
self-checks, open alerts, plan settings and unread notices — nine in all.

The order (ORDER below, first match wins; CLINICAL.md §2 and §5):
1. an unacknowledged emergency alert; 2. an unacknowledged urgent alert;
3. getting worse: the most distal zone is peripheralizing over the last 14 days, or a set in the
   last 7 days peripheralized or was stopped;
4. an unacknowledged contact_pt alert: the patient was told to contact their PT within a few days,
   a named request with a time frame, so it comes before the re-evaluation rules;
5. a re-evaluation prompt due (content/reevaluation.toml); 6. no check-in for 3 days or more;
7. everything else; 8. improving (centralizing) last.
Within groups 1-4 the newest event comes first; within 5-8 patients are in name order.
Unacknowledged alerts are read whatever their age: an open emergency must never drop off the list.
"""

from __future__ import annotations

import enum
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from peewee import DateTimeField, Field, Select

from selfcare.clinical import Level, Prompt, StopReason, Trend, Zone, adjust_plan
from selfcare.content import current_content
from selfcare.db import db
from selfcare.models import Alert, CareLink, CheckIn, ExerciseSet, Notice, PlanSetting, Profile, SelfCheck, User, Walk, utcnow
from selfcare.services.history import Period, Rows, period_for, time_text, trend_of
from selfcare.services.reevaluation import LOOK_BACK_DAYS, history_from_rows, prompts_for
from selfcare.timeutil import to_local, to_utc, zone_of

TREND_DAYS = 14  # same window as reevaluation.toml `peripheralizing_despite_care`
SETS_DAYS = 7
WALK_DAYS = 3
SILENT_DAYS = 3
QUERY_MAX = 80  # a name is at most 80 characters (User.name)


class Group(enum.IntEnum):
    """Where a patient sits in the list, most urgent first (see the module docstring)."""

    EMERGENCY = 1
    URGENT = 2
    WORSENING = 3
    CONTACT = 4
    REEVALUATE = 5
    SILENT = 6
    REST = 7
    IMPROVING = 8


GROUP_LABELS = {
    Group.EMERGENCY: "Emergency alert",
    Group.URGENT: "Urgent alert",
    Group.WORSENING: "Getting worse",
    Group.CONTACT: "Asked to contact you",
    Group.REEVALUATE: "Re-evaluation due",
    Group.SILENT: "No recent check-in",
    Group.REST: "Nothing flagged",
    Group.IMPROVING: "Improving",
}
ATTENTION = frozenset(g for g in Group if g <= Group.SILENT)


class Filter(str, enum.Enum):
    """Which patients the list shows."""

    ALL = "all"
    ATTENTION = "attention"
    ALERTS = "alerts"
    SILENT = "silent"


FILTER_LABELS = {
    Filter.ALL: "All patients",
    Filter.ATTENTION: "Needs attention",
    Filter.ALERTS: "Alerts not yet acknowledged",
    Filter.SILENT: f"No check-in for {SILENT_DAYS} days or more",
}
TREND_LABELS = {
    Trend.CENTRALIZING: "Centralizing",
    Trend.PERIPHERALIZING: "Peripheralizing",
    Trend.STABLE: "Stable",
    Trend.INSUFFICIENT_DATA: "Not enough data",
}
FLAG_WORDS = {
    "saddle_numbness": "saddle numbness", "bladder_change": "bladder change", "bowel_change": "bowel change",
    "sexual_change": "sexual function change", "both_legs": "symptoms in both legs",
    "weakness_worsening": "weakness getting worse quickly", "falls": "repeated falls", "fever": "fever or feeling very unwell",
    "weight_loss": "weight loss without trying", "night_pain": "severe night or rest pain", "trauma": "after a fall or accident",
    "weakness_new": "new weakness", "numbness_spreading": "numbness spreading",
}
ALERT_WORDS = {
    Level.EMERGENCY: "Emergency alert not acknowledged",
    Level.URGENT: "Urgent alert not acknowledged",
    Level.CONTACT_PT: "Asked to contact you (alert not acknowledged)",
}
STOP_WORDS = {
    StopReason.PERIPHERALIZED: "moved symptoms further down the leg",
    StopReason.WORSE: "was stopped because leg pain got worse",
    StopReason.NO_BENEFIT: "was stopped after several sets with no benefit",
    StopReason.URGENT: "was stopped for an urgent red-flag answer",
    StopReason.EMERGENCY: "was stopped for an emergency red-flag answer",
}


def parse_filter(value: str | None) -> Filter:
    """A `?filter=` value, or ALL for anything unknown (never an error)."""
    try:
        return Filter((value or "").strip().lower())
    except ValueError:
        return Filter.ALL


def parse_query(value: str | None) -> str:
    """A `?q=` search: printable characters only, trimmed, at most QUERY_MAX long."""
    cleaned = "".join(ch for ch in (value or "") if ch.isprintable())
    return " ".join(cleaned.split())[:QUERY_MAX]


@dataclass(frozen=True)
class PatientRow:
    """One patient in the caseload, with the reason for their place in words."""

    patient_id: int
    name: str
    group: Group
    reason: str
    also: tuple[str, ...]
    days_in_program: int
    zone: Zone | None
    trend: Trend
    trend_days: tuple[date, ...]
    trend_zones: tuple[Zone | None, ...]
    walk_best: int | None
    walk_baseline: int | None
    sets_done: int
    sets_planned: int
    paused: bool
    open_alert: bool
    silent: bool
    when: datetime | None = field(default=None, compare=False)

    @property
    def group_label(self) -> str:
        """The group in words (shown as a badge: never colour alone)."""
        return GROUP_LABELS[self.group]

    @property
    def trend_label(self) -> str:
        """The 14-day trend in one or two words."""
        return TREND_LABELS[self.trend]

    @property
    def days_text(self) -> str:
        """How long the patient has been on selfcare."""
        if self.days_in_program == 0:
            return "Started today"
        return f"Day {self.days_in_program + 1} in the program"

    @property
    def walking_text(self) -> str:
        """Best walk of the last 3 days against the onboarding baseline."""
        now = "no walks logged" if self.walk_best is None else f"{self.walk_best} min"
        start = "" if self.walk_baseline is None else f" (start {self.walk_baseline} min)"
        return now + start

    @property
    def sets_text(self) -> str:
        """Sets done in the last 7 days against the plan."""
        if self.paused:
            return f"{self.sets_done} (exercises paused)"
        return f"{self.sets_done} of {self.sets_planned}"

    def matches(self, wanted: Filter) -> bool:
        """Whether the row belongs in the list for a filter."""
        if wanted == Filter.ATTENTION:
            return self.group in ATTENTION
        if wanted == Filter.ALERTS:
            return self.open_alert
        if wanted == Filter.SILENT:
            return self.silent
        return True


@dataclass(frozen=True)
class Caseload:
    """What the caseload page shows."""

    rows: list[PatientRow]
    total: int  # currently linked patients
    matched: int  # of those, matching the search
    counts: dict[Filter, int]  # of the matched, in each filter
    query: str
    filter: Filter
    notices: list[Notice]


@dataclass
class _Data:
    """Rows of every table, grouped by patient id."""

    profiles: dict[int, Profile] = field(default_factory=dict)
    settings: dict[int, PlanSetting] = field(default_factory=dict)
    checkins: dict[int, list[CheckIn]] = field(default_factory=lambda: defaultdict(list))
    walks: dict[int, list[Walk]] = field(default_factory=lambda: defaultdict(list))
    sets: dict[int, list[ExerciseSet]] = field(default_factory=lambda: defaultdict(list))
    checks: dict[int, list[SelfCheck]] = field(default_factory=lambda: defaultdict(list))
    alerts: dict[int, list[Alert]] = field(default_factory=lambda: defaultdict(list))


def _pid(row: object) -> int:
    """A row's patient id, from its data (reading row.patient would query)."""
    return int(row.__data__["patient"])  # type: ignore[attr-defined]


def linked_ids(therapist: User) -> Select:
    """A subquery of the ids of this therapist's current patients (ended links excluded)."""
    return CareLink.select(CareLink.patient).where((CareLink.therapist == therapist.id) & CareLink.ended_at.is_null())


def linked_patients(therapist: User) -> list[User]:
    """Current patients with `linked_at` (when this link began), by name (one query)."""
    return list(
        User.select(User, CareLink.created_at.alias("linked_at"))
        .join(CareLink, on=(CareLink.patient == User.id))
        .where((CareLink.therapist == therapist.id) & CareLink.ended_at.is_null())
        .order_by(User.name, User.id)
        .objects()
    )


# Only the columns the rows use: at 200 patients most of the time goes into building row objects.
CHECKIN_COLUMNS = (CheckIn.id, CheckIn.patient, CheckIn.recorded_at, CheckIn.zone, CheckIn.side, CheckIn.leg_pain,
                   CheckIn.back_pain, CheckIn.red_flags)
WALK_COLUMNS = (Walk.id, Walk.patient, Walk.checkin, Walk.recorded_at, Walk.minutes, Walk.onset_minutes)
SET_COLUMNS = (ExerciseSet.id, ExerciseSet.patient, ExerciseSet.started_at, ExerciseSet.before_zone, ExerciseSet.after_zone,
               ExerciseSet.response, ExerciseSet.outcome, ExerciseSet.stop_reason)


class _Loaded:
    """A row read without building a peewee model: its columns as attributes and in `__data__`, as a model has them."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__ = data

    @property
    def __data__(self) -> dict[str, Any]:
        """The columns by field name (the raw foreign keys, as on a model)."""
        return self.__dict__


def _stored_time(value: Any) -> Any:
    """A stored time: SQLite returns text (fromisoformat is many times faster than peewee's strptime), PostgreSQL a datetime."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _red_flags(value: Any) -> Any:
    """Red-flag answers ({question: bool}); text without `true` sets no flag, so it is not parsed (most check-ins)."""
    if isinstance(value, str):
        return json.loads(value) if "true" in value else {}
    return value


def _read(query: Select, columns: Sequence[Field]) -> list[Any]:
    """The query's rows as `_Loaded` objects: at 200 patients building peewee models took most of the page's time.

    Both drivers return these integer and text columns as int and str already; only times (text on SQLite) and
    the red flags (JSON text) are converted.
    """
    names = [c.name for c in columns]
    convert = [(c.name, _stored_time) for c in columns if isinstance(c, DateTimeField)]
    convert += [(c.name, _red_flags) for c in columns if c is CheckIn.red_flags]
    loaded = []
    for row in db.execute(query):
        data = dict(zip(names, row))
        for name, fn in convert:
            if data[name] is not None:
                data[name] = fn(data[name])
        loaded.append(_Loaded(data))
    return loaded


def _load(therapist: User, only: list[int] | None, now: datetime) -> _Data:
    """Read each table once for the therapist's linked patients (or `only` those of them)."""

    def scope(column: object) -> object:
        condition = column.in_(linked_ids(therapist))  # type: ignore[attr-defined]
        return condition if only is None else condition & column.in_(only)  # type: ignore[attr-defined]

    since = now - timedelta(days=LOOK_BACK_DAYS)
    data = _Data()
    data.profiles = {_pid(p): p for p in Profile.select().where(scope(Profile.patient))}
    data.settings = {_pid(s): s for s in PlanSetting.select().where(scope(PlanSetting.patient))}
    checkins = scope(CheckIn.patient) & (CheckIn.recorded_at >= since)
    for c in _read(CheckIn.select(*CHECKIN_COLUMNS).where(checkins).order_by(CheckIn.recorded_at, CheckIn.id), CHECKIN_COLUMNS):
        data.checkins[_pid(c)].append(c)
    # Walks of the window, and any walk logged with a check-in of the window (as `due_prompts` reads them).
    walks = scope(Walk.patient) & ((Walk.recorded_at >= since) | Walk.checkin.in_(CheckIn.select(CheckIn.id).where(checkins)))
    for w in _read(Walk.select(*WALK_COLUMNS).where(walks).order_by(Walk.recorded_at, Walk.id), WALK_COLUMNS):
        data.walks[_pid(w)].append(w)
    sets = scope(ExerciseSet.patient) & (ExerciseSet.started_at >= now - timedelta(days=TREND_DAYS + 1))
    for s in _read(ExerciseSet.select(*SET_COLUMNS).where(sets).order_by(ExerciseSet.started_at, ExerciseSet.id), SET_COLUMNS):
        data.sets[_pid(s)].append(s)
    for k in SelfCheck.select().where(scope(SelfCheck.patient) & (SelfCheck.recorded_at >= since)).order_by(SelfCheck.recorded_at):
        data.checks[_pid(k)].append(k)
    for a in Alert.select().where(scope(Alert.patient) & Alert.acknowledged_at.is_null()).order_by(Alert.created_at.desc(), Alert.id.desc()):
        data.alerts[_pid(a)].append(a)
    return data


def unread_notices(therapist: User) -> list[Notice]:
    """The therapist's own notices not yet dismissed, newest first (one query)."""
    return list(
        Notice.select().where((Notice.therapist == therapist.id) & Notice.read_at.is_null()).order_by(Notice.created_at.desc(), Notice.id.desc())
    )


def mark_notice_read(therapist: User, notice_id: int, now: datetime | None = None) -> bool:
    """Mark one of the therapist's own notices read (once); False if it is not theirs or not there."""
    own = (Notice.id == notice_id) & (Notice.therapist == therapist.id)
    if Notice.update(read_at=now or utcnow()).where(own & Notice.read_at.is_null()).execute():
        return True
    return bool(Notice.select().where(own).exists())  # already dismissed (a second tap) is fine


def _flags(reasons: Sequence[str]) -> str:
    return ", ".join(FLAG_WORDS.get(r, r.replace("_", " ")) for r in reasons) or "no reason recorded"


@dataclass(frozen=True)
class _Concern:
    """One thing that places a patient in a group: the group, its words and when it happened."""

    group: Group
    words: str
    short: str
    when: datetime | None = None


def _alert_concern(group: Group, level: Level, alerts: list[Alert], therapist: User) -> _Concern | None:
    """The newest open alert of a level, in words (alerts come newest first)."""
    found = [a for a in alerts if a.level == level.value]
    if not found:
        return None
    newest = found[0]
    more = f" ({len(found)} open)" if len(found) > 1 else ""
    words = (f"{ALERT_WORDS[level]}{more}: {_flags(newest.reasons)}. "
             f"Raised {time_text(to_local(therapist, newest.created_at))}.")
    return _Concern(group, words, GROUP_LABELS[group].lower(), newest.created_at)


def _worsening(trend: Trend, checkins: list[CheckIn], sets: list[ExerciseSet], now: datetime, therapist: User) -> _Concern | None:
    """Peripheralizing over 14 days, or a set in the last 7 days that peripheralized or was stopped."""
    since = now - timedelta(days=SETS_DAYS)
    bad = [s for s in sets if s.started_at >= since and (s.response == "peripheralized" or s.stop_reason)]
    parts, when = [], None
    if trend == Trend.PERIPHERALIZING:
        parts.append(f"Symptoms reaching further down the leg over the last {TREND_DAYS} days (peripheralizing)")
        when = checkins[-1].recorded_at if checkins else None
    if bad:
        latest = bad[-1]
        reason = StopReason(latest.stop_reason) if latest.stop_reason else StopReason.PERIPHERALIZED
        parts.append(f"A set on {time_text(to_local(therapist, latest.started_at))} {STOP_WORDS[reason]}")
        when = max(when or latest.started_at, latest.started_at)
    if not parts:
        return None
    return _Concern(Group.WORSENING, ". ".join(parts) + ".", "getting worse", when)


def _silence(last: CheckIn | None, started: datetime, now: datetime, therapist: User) -> _Concern | None:
    """No check-in for SILENT_DAYS days or more (counted from the start if there was none)."""
    if last is not None:
        days = (now - last.recorded_at).days
        if days < SILENT_DAYS:
            return None
        words = f"No check-in for {days} days (last {time_text(to_local(therapist, last.recorded_at))})."
        return _Concern(Group.SILENT, words, f"no check-in for {days} days")
    days = (now - started).days
    if days < SILENT_DAYS:
        return None
    if days > LOOK_BACK_DAYS:
        return _Concern(Group.SILENT, f"No check-in in the last {LOOK_BACK_DAYS} days.", f"no check-in for {LOOK_BACK_DAYS}+ days")
    return _Concern(Group.SILENT, f"No check-in yet, {days} days after starting.", "no check-in yet")


def _prompts(prompts: tuple[Prompt, ...]) -> _Concern | None:
    if not prompts:
        return None
    more = f" (and {len(prompts) - 1} more)" if len(prompts) > 1 else ""
    return _Concern(Group.REEVALUATE, f"Re-evaluation due: {prompts[0].pt_text}{more}", "re-evaluation due")


ZONES = tuple(Zone)  # in declaration order, nearest the back first: a higher index is more distal


def _zone_series(patient: User, period: Period, checkins: list[CheckIn], sets: list[ExerciseSet]) -> list[Zone | None]:
    """The most distal zone of each day of the period, from check-ins and sets (as `daily_series` has it; only the zones)."""
    tz, rank = zone_of(patient), {z.value: n for n, z in enumerate(ZONES)}
    worst: dict[date, int] = {}
    recorded = [(c.recorded_at, c.zone) for c in checkins if c.recorded_at >= period.start]
    recorded += [(s.started_at, z) for s in sets for z in (s.before_zone, s.after_zone) if z]
    for moment, zone in recorded:
        day = moment.replace(tzinfo=timezone.utc).astimezone(tz).date()
        worst[day] = max(worst.get(day, -1), rank[zone])
    return [ZONES[worst[day]] if day in worst else None for day in period.dates()]


def _row(patient: User, data: _Data, therapist: User, now: datetime, per_day: int) -> PatientRow:
    """Everything one row shows, from the patient's already loaded rows (no queries)."""
    pid = int(patient.id)
    profile, setting = data.profiles.get(pid), data.settings.get(pid)
    checkins, walks, sets, alerts = data.checkins[pid], data.walks[pid], data.sets[pid], data.alerts[pid]
    content = current_content()
    recent = [c for c in checkins if c.recorded_at >= now - timedelta(days=TREND_DAYS)]
    trend = trend_of(patient, Rows(recent, walks, []), content.trend_rule).direction
    period = period_for(patient, TREND_DAYS, now)
    series = _zone_series(patient, period, checkins, sets)
    started = profile.created_at if profile is not None else patient.linked_at
    history = history_from_rows(profile, checkins, walks, data.checks[pid])
    concerns = [
        _alert_concern(Group.EMERGENCY, Level.EMERGENCY, alerts, therapist),
        _alert_concern(Group.URGENT, Level.URGENT, alerts, therapist),
        _worsening(trend, recent, sets, now, therapist),
        _alert_concern(Group.CONTACT, Level.CONTACT_PT, alerts, therapist),
        _prompts(prompts_for(history, now)),
        _silence(checkins[-1] if checkins else None, started, now, therapist),
    ]
    found = [c for c in concerns if c is not None]
    if found:
        first = found[0]
    elif trend == Trend.CENTRALIZING:
        first = _Concern(Group.IMPROVING, f"Improving: symptoms moving towards the back over the last {TREND_DAYS} days (centralizing).", "")
    elif trend == Trend.STABLE:
        first = _Concern(Group.REST, f"Nothing flagged: symptoms reaching about the same place over the last {TREND_DAYS} days.", "")
    else:
        first = _Concern(Group.REST, "Nothing flagged: not enough check-ins yet to see a trend.", "")
    walked = [int(w.minutes) for w in walks if w.recorded_at >= now - timedelta(days=WALK_DAYS)]
    done = sum(1 for s in sets if s.started_at >= now - timedelta(days=SETS_DAYS) and s.response is not None)
    return PatientRow(
        patient_id=pid,
        name=patient.name,
        group=first.group,
        reason=first.words,
        also=tuple(c.short for c in found[1:]),
        days_in_program=max((now - started).days, 0),
        zone=Zone(checkins[-1].zone) if checkins else None,
        trend=trend,
        trend_days=tuple(period.dates()),
        trend_zones=tuple(series),
        walk_best=max(walked) if walked else None,
        walk_baseline=int(profile.baseline_walk_minutes) if profile is not None else None,
        sets_done=done,
        sets_planned=_planned(setting, per_day),
        paused=bool(setting and setting.paused),
        open_alert=bool(alerts),
        silent=any(c.group == Group.SILENT for c in found),
        when=first.when,
    )


def _planned(setting: PlanSetting | None, per_day: int) -> int:
    """Sets planned over the last 7 days: the plan's sets a day (with the therapist's changes) times 7."""
    if setting is None or not setting.changes:
        return per_day * SETS_DAYS
    try:
        return adjust_plan(current_content().plan, setting.changes).sets_per_day() * SETS_DAYS
    except ValueError:  # changes stored under older plan limits: one bad row must not hide the whole list
        return per_day * SETS_DAYS


def sort_key(row: PatientRow) -> tuple[int, float, str, int]:
    """Group first; then newest event first in the alert and worsening groups; then by name."""
    newest_first = -row.when.timestamp() if row.when is not None and row.group <= Group.CONTACT else 0.0
    return (int(row.group), newest_first, row.name.casefold(), row.patient_id)


def build_caseload(therapist: User, now: datetime | None = None, query: str = "", filter: str = "all") -> Caseload:
    """The therapist's current patients in triage order, searched by name and filtered (nine queries)."""
    moment = to_utc(now) if now is not None else utcnow()
    wanted, needle = parse_filter(filter), parse_query(query).casefold()
    patients = linked_patients(therapist)
    matched = [p for p in patients if needle in p.name.casefold()]
    only = None if not needle else [int(p.id) for p in matched]
    data = _load(therapist, only, moment)
    per_day = current_content().plan.sets_per_day()
    rows = sorted((_row(p, data, therapist, moment, per_day) for p in matched), key=sort_key)
    counts = {f: sum(1 for r in rows if r.matches(f)) for f in Filter}
    return Caseload(
        rows=[r for r in rows if r.matches(wanted)],
        total=len(patients),
        matched=len(matched),
        counts=counts,
        query=parse_query(query),
        filter=wanted,
        notices=unread_notices(therapist),
    )
