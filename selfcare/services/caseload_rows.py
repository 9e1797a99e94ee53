"""One caseload row computed from a patient's rows: the part that does not depend on alerts, and its words.

Every table is read once for many patients (`patient IN (linked ids)`, through the care link, in a recent
window) and grouped in Python, so the number of queries does not grow with the number of patients or their
rows. Alerts are not read here: the page reads them fresh on every load (services/caseload.py) and puts
their concerns in front of the ones computed here (services/caseload_cache.py keeps these).
"""

from __future__ import annotations

import enum
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, NamedTuple

from peewee import JOIN, Field, Select

from selfcare.clinical import Level, Phase, Progress, Prompt, ScreenKind, SessionState, StopReason, Trend, Zone, adjust_plan
from selfcare.content import current_content
from selfcare.models import Alert, CareLink, CheckIn, ExerciseSet, PlanSetting, PlayerState, Profile, SelfCheck, User, Walk
from selfcare.progress_words import ProgressWords
from selfcare.services.followups import THERAPIST_WORDS as FOLLOWUP_WORDS
from selfcare.services.history import Period, Rows, period_for, progress_of, time_text, trend_of
from selfcare.services.reevaluation import LOOK_BACK_DAYS, history_from_rows, prompts_for
from selfcare.services.rows import read
from selfcare.timeutil import to_local, zone_of

TREND_DAYS = 14  # same window as reevaluation.toml `peripheralizing_despite_care`
SETS_DAYS = 7
WALK_DAYS = 3
SILENT_DAYS = 3


class Group(enum.IntEnum):
    """Where a patient sits in the list, most urgent first (see services/caseload.py)."""

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
# Why the plan is held for the therapist (CLINICAL.md §4 "A stop holds the plan"), before "on <when>".
HELD_WORDS = {
    StopReason.PERIPHERALIZED: "symptoms moved further down the leg on {when}",
    StopReason.NO_BENEFIT: "sets did not help twice, the second time on {when}",
}


class Concern(NamedTuple):
    """One thing that places a patient in a group: the group, its words and when it happened (a tuple: 200 are read per page)."""

    group: Group
    words: str
    short: str
    when: datetime | None = None


class Computed(NamedTuple):
    """Everything a row shows except its name and its alerts: what the caseload cache keeps per patient."""

    worsening: Concern | None  # group 3 (plan on hold, getting worse, a bad set): before the contact_pt alert
    later: tuple[Concern, ...]  # re-evaluation due, no recent check-in (those found, in that order)
    quiet: Concern  # the row's reason when nothing is flagged (from the trend)
    days_in_program: int
    zone: Zone | None
    trend: Trend
    progress: Progress  # clinical.judge_progress over the TREND_DAYS days: what the row's group and words follow
    trend_first: date  # the first of the TREND_DAYS days of the sparkline
    trend_zones: tuple[Zone | None, ...]
    walk_best: int | None
    walk_baseline: int | None
    sets_done: int
    sets_planned: int
    paused: bool


@dataclass
class Data:
    """Rows of every table but alerts, grouped by patient id."""

    profiles: dict[int, Profile] = field(default_factory=dict)
    settings: dict[int, PlanSetting] = field(default_factory=dict)
    checkins: dict[int, list[CheckIn]] = field(default_factory=lambda: defaultdict(list))
    walks: dict[int, list[Walk]] = field(default_factory=lambda: defaultdict(list))
    sets: dict[int, list[ExerciseSet]] = field(default_factory=lambda: defaultdict(list))
    checks: dict[int, list[SelfCheck]] = field(default_factory=lambda: defaultdict(list))
    states: dict[int, tuple[Any, datetime | None]] = field(default_factory=dict)  # player state JSON, when it changed


def pid(row: object) -> int:
    """A row's patient id, from its data (reading row.patient would query)."""
    return int(row.__data__["patient"])  # type: ignore[attr-defined]


def linked_ids(therapist: User) -> Select:
    """A subquery of the ids of this therapist's current patients (ended links excluded)."""
    return CareLink.select(CareLink.patient).where((CareLink.therapist == therapist.id) & CareLink.ended_at.is_null())


# Only the columns the rows use: at 200 patients most of the time goes into building row objects.
CHECKIN_COLUMNS = (CheckIn.id, CheckIn.patient, CheckIn.recorded_at, CheckIn.zone, CheckIn.side, CheckIn.leg_pain,
                   CheckIn.back_pain, CheckIn.red_flags)
WALK_COLUMNS = (Walk.id, Walk.patient, Walk.checkin, Walk.recorded_at, Walk.minutes, Walk.onset_minutes)
SET_COLUMNS = (ExerciseSet.id, ExerciseSet.patient, ExerciseSet.started_at, ExerciseSet.before_zone, ExerciseSet.after_zone,
               ExerciseSet.response, ExerciseSet.outcome, ExerciseSet.stop_reason)


def _red_flags(value: Any) -> Any:
    """Red-flag answers ({question: bool}); text without `true` sets no flag, so it is not parsed (most check-ins)."""
    if isinstance(value, str):
        return json.loads(value) if "true" in value else {}
    return value


def read_rows(query: Select, columns: Sequence[Field]) -> list[Any]:
    """The query's rows as light rows (services/rows.py); red flags parsed only when an answer is yes."""
    return read(query, columns, own={"red_flags": _red_flags})


def load(therapist: User, only: list[int] | None, now: datetime) -> Data:
    """Read each table once for the therapist's linked patients (or `only` those of them): six queries (the player
    states with the profiles)."""

    def scope(column: object) -> object:
        condition = column.in_(linked_ids(therapist))  # type: ignore[attr-defined]
        return condition if only is None else condition & column.in_(only)  # type: ignore[attr-defined]

    since = now - timedelta(days=LOOK_BACK_DAYS)
    data = Data()
    # The player's state (is the plan held?) comes with the profile, in the same query: there is none before onboarding.
    profiles = (Profile.select(Profile, PlayerState.state.alias("player_state"), PlayerState.updated_at.alias("player_updated_at"))
                .join(PlayerState, JOIN.LEFT_OUTER, on=(PlayerState.patient == Profile.patient))
                .where(scope(Profile.patient)).objects())
    for p in profiles:
        data.profiles[pid(p)] = p
        state = getattr(p, "player_state")  # a selected alias, not a field of Profile
        if state is not None:
            data.states[pid(p)] = (state, getattr(p, "player_updated_at"))
    data.settings = {pid(s): s for s in PlanSetting.select().where(scope(PlanSetting.patient))}
    checkins = scope(CheckIn.patient) & (CheckIn.recorded_at >= since)
    for c in read_rows(CheckIn.select(*CHECKIN_COLUMNS).where(checkins).order_by(CheckIn.recorded_at, CheckIn.id), CHECKIN_COLUMNS):
        data.checkins[pid(c)].append(c)
    # Walks of the window, and any walk logged with a check-in of the window (as `due_prompts` reads them).
    walks = scope(Walk.patient) & ((Walk.recorded_at >= since) | Walk.checkin.in_(CheckIn.select(CheckIn.id).where(checkins)))
    for w in read_rows(Walk.select(*WALK_COLUMNS).where(walks).order_by(Walk.recorded_at, Walk.id), WALK_COLUMNS):
        data.walks[pid(w)].append(w)
    sets = scope(ExerciseSet.patient) & (ExerciseSet.started_at >= now - timedelta(days=TREND_DAYS + 1))
    for s in read_rows(ExerciseSet.select(*SET_COLUMNS).where(sets).order_by(ExerciseSet.started_at, ExerciseSet.id), SET_COLUMNS):
        data.sets[pid(s)].append(s)
    for k in SelfCheck.select().where(scope(SelfCheck.patient) & (SelfCheck.recorded_at >= since)).order_by(SelfCheck.recorded_at):
        data.checks[pid(k)].append(k)
    return data


def _flags(reasons: Sequence[str]) -> str:
    return ", ".join(FLAG_WORDS.get(r, r.replace("_", " ")) for r in reasons) or "no reason recorded"


def alert_concern(group: Group, level: Level, alerts: list[Alert], therapist: User) -> Concern | None:
    """The newest open alert of a level, in words (alerts come newest first)."""
    found = [a for a in alerts if a.level == level.value]
    if not found:
        return None
    newest = found[0]
    more = f" ({len(found)} open)" if len(found) > 1 else ""
    words = (f"{ALERT_WORDS[level]}{more}: {_flags(newest.reasons)}. "
             f"Raised {time_text(to_local(therapist, newest.created_at))}.")
    answer = getattr(newest, "followup_answer", None)
    if answer in FOLLOWUP_WORDS:  # the next day's "were you seen?" after an emergency
        words += f" Next day: {FOLLOWUP_WORDS[answer]}."
    return Concern(group, words, GROUP_LABELS[group].lower(), newest.created_at)


def _held(raw: Any, updated_at: datetime | None, sets: list[ExerciseSet], therapist: User) -> Concern | None:
    """The plan held until the therapist re-enables or changes it (PlayerState phase `held`, kept under a red-flag
    block too), with why and when: the set that held it if it is among the loaded sets, else when the state changed."""
    try:
        state = SessionState.from_dict(json.loads(raw) if isinstance(raw, str) else raw) if raw is not None else None
    except (ValueError, AttributeError):  # a malformed stored state must not hide the whole list
        state = None
    if state is None or (state.held is None and state.phase != Phase.HELD):
        return None
    reason = state.held or state.reason
    stops = [s for s in sets if s.outcome == ScreenKind.PLAN_HELD.value or (reason is not None and s.stop_reason == reason.value)]
    when = stops[-1].started_at if stops else updated_at
    said = "" if when is None else time_text(to_local(therapist, when))
    why = HELD_WORDS.get(reason) if reason is not None and when is not None else None
    words = f"Plan on hold: {why.format(when=said)}" if why else f"Plan on hold{' since ' + said if said else ''}"
    return Concern(Group.WORSENING, f"{words}. Re-enable or change the plan.", "plan on hold", when)


def _worsening(progress: ProgressWords, checkins: list[CheckIn], sets: list[ExerciseSet], now: datetime, therapist: User,
               held: Concern | None) -> Concern | None:
    """The plan held for the therapist; getting worse over 14 days (zone, leg pain or walking clearly worse:
    clinical.judge_progress); or a set in the last 7 days that peripheralized or was stopped."""
    since = now - timedelta(days=SETS_DAYS)
    bad = [s for s in sets if s.started_at >= since and (s.response == "peripheralized" or s.stop_reason)]
    parts, when = [], None
    if held is not None:
        parts.append(held.words.removesuffix("."))
        when = held.when
    if progress.progress == Progress.WORSE:
        parts.append(f"{progress.label}: {progress.clinical}")
        last_checkin = checkins[-1].recorded_at if checkins else None
        when = max(when or last_checkin, last_checkin) if last_checkin else when
    if bad and not (held is not None and bad[-1].started_at == held.when):  # the set that held the plan is said once
        latest = bad[-1]
        reason = StopReason(latest.stop_reason) if latest.stop_reason else StopReason.PERIPHERALIZED
        parts.append(f"A set on {time_text(to_local(therapist, latest.started_at))} {STOP_WORDS[reason]}")
        when = max(when or latest.started_at, latest.started_at)
    if not parts:
        return None
    return Concern(Group.WORSENING, ". ".join(parts) + ".", "plan on hold" if held is not None else "getting worse", when)


def _silence(last: CheckIn | None, started: datetime, now: datetime, therapist: User) -> Concern | None:
    """No check-in for SILENT_DAYS days or more (counted from the start if there was none)."""
    if last is not None:
        days = (now - last.recorded_at).days
        if days < SILENT_DAYS:
            return None
        words = f"No check-in for {days} days (last {time_text(to_local(therapist, last.recorded_at))})."
        return Concern(Group.SILENT, words, f"no check-in for {days} days")
    days = (now - started).days
    if days < SILENT_DAYS:
        return None
    if days > LOOK_BACK_DAYS:
        return Concern(Group.SILENT, f"No check-in in the last {LOOK_BACK_DAYS} days.", f"no check-in for {LOOK_BACK_DAYS}+ days")
    return Concern(Group.SILENT, f"No check-in yet, {days} days after starting.", "no check-in yet")


def _prompts(prompts: tuple[Prompt, ...]) -> Concern | None:
    if not prompts:
        return None
    more = f" (and {len(prompts) - 1} more)" if len(prompts) > 1 else ""
    return Concern(Group.REEVALUATE, f"Re-evaluation due: {prompts[0].pt_text}{more}", "re-evaluation due")


def _quiet(progress: ProgressWords) -> Concern:
    """The reason shown when nothing is flagged: improving or about the same, with the numbers (never worse: that is
    a concern of its own)."""
    if progress.progress == Progress.IMPROVING:
        return Concern(Group.IMPROVING, f"{progress.label}: {progress.clinical}.", "")
    if progress.progress == Progress.SAME:
        return Concern(Group.REST, f"Nothing flagged: about the same ({progress.clinical}).", "")
    return Concern(Group.REST, f"Nothing flagged: not enough check-ins yet to see a trend ({progress.clinical}).", "")


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


def compute(patient: User, data: Data, therapist: User, now: datetime, per_day: int) -> Computed:
    """Everything one row shows but its name and alerts, from the patient's already loaded rows (no queries).

    `patient` needs `id`, `timezone` and `linked_at` (when the care link began).
    """
    pid_ = int(patient.id)
    profile, setting = data.profiles.get(pid_), data.settings.get(pid_)
    checkins, walks, sets = data.checkins[pid_], data.walks[pid_], data.sets[pid_]
    content = current_content()
    period = period_for(patient, TREND_DAYS, now)
    # The check-ins of the sparkline's 14 days on the patient's clock: the same ones Today and History's 14 days judge.
    recent = [c for c in checkins if c.recorded_at >= period.start]
    summary = trend_of(patient, Rows(recent, walks, []), content.trend_rule)
    progress = progress_of(patient, summary, TREND_DAYS, content.trend_rule, therapist="physical therapist")  # PT words only
    state, state_at = data.states.get(pid_, (None, None))
    held = _held(state, state_at, sets, therapist)
    series = _zone_series(patient, period, checkins, sets)
    started = profile.created_at if profile is not None else patient.linked_at
    history = history_from_rows(profile, checkins, walks, data.checks[pid_])
    later = [_prompts(prompts_for(history, now)), _silence(checkins[-1] if checkins else None, started, now, therapist)]
    walked = [int(w.minutes) for w in walks if w.recorded_at >= now - timedelta(days=WALK_DAYS)]
    return Computed(
        worsening=_worsening(progress, recent, sets, now, therapist, held),
        later=tuple(c for c in later if c is not None),
        quiet=_quiet(progress),
        days_in_program=max((now - started).days, 0),
        zone=Zone(checkins[-1].zone) if checkins else None,
        trend=summary.direction,
        progress=progress.progress,
        trend_first=period.first,
        trend_zones=tuple(series),
        walk_best=max(walked) if walked else None,
        walk_baseline=int(profile.baseline_walk_minutes) if profile is not None else None,
        sets_done=sum(1 for s in sets if s.started_at >= now - timedelta(days=SETS_DAYS) and s.response is not None),
        sets_planned=_planned(setting, per_day),
        paused=bool(setting and setting.paused),
    )


def _planned(setting: PlanSetting | None, per_day: int) -> int:
    """Sets planned over the last 7 days: the plan's sets a day (with the therapist's changes) times 7."""
    if setting is None or not setting.changes:
        return per_day * SETS_DAYS
    try:
        return adjust_plan(current_content().plan, setting.changes).sets_per_day() * SETS_DAYS
    except ValueError:  # changes stored under older plan limits: one bad row must not hide the whole list
        return per_day * SETS_DAYS
