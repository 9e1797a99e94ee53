"""The daily summary rows (models.DailySummary): one per patient per local day, equal to what the day's entries say.

Written in the same transaction as each entry that changes them (check-ins, walks, sets, plan changes), and rebuilt
from scratch by `flask --app selfcare rebuild-daily-summary`. What a day's values mean is clinical.summarize_day.

A day is the entry's calendar date on the patient's clock (`in_zone(tz, stored).date()`), never a UTC day: a day
around a clock change lasts 23 or 25 hours, and where local midnight repeats (America/Santiago in April) the last
hour of a day comes after the first midnight. So a day's entries are read with a margin and kept by their local date.
The day's target (sets planned) is the plan after the newest plan change made on or before that local day.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from peewee import Select

from selfcare.clinical import DayCheckIn, DaySet, DayValues, DayWalk, Plan, adjust_plan, summarize_day, week_start
from selfcare.content import current_content
from selfcare.db import db
from selfcare.models import CheckIn, DailySummary, ExerciseSet, PlanChange, Role, User, Walk
from selfcare.statements import Statement, as_model
from selfcare.timeutil import in_zone, zone_of

# Every clock on Earth is within 14 hours of UTC: a local day lies inside its UTC date widened by this much.
MARGIN = timedelta(hours=15)

# The rows of the `.tuples()` queries below: peewee's stubs say such a query yields model instances.
CheckInRows = Iterable[tuple[datetime, str, int, int]]  # recorded_at, zone, leg_pain, back_pain
WalkRows = Iterable[tuple[datetime, int, int | None]]  # recorded_at, minutes, onset_minutes
SetRows = Iterable[tuple[datetime, str, str | None, str | None]]  # started_at, before_zone, after_zone, response


def planned_per_day(plan: Plan, change: PlanChange | None) -> int:
    """The day's target of sets after a plan change (None: the plan as in content/); none while paused."""
    if change is None:
        return plan.sets_per_day()
    if change.paused:
        return 0
    return (adjust_plan(plan, change.changes) if change.changes else plan).sets_per_day()


def _window(day: date) -> tuple[datetime, datetime]:
    """Stored (naive UTC) times that surely hold every moment of the local day `day`, whatever the time zone."""
    midnight = datetime.combine(day, time.min)
    return midnight - MARGIN, midnight + timedelta(days=1) + MARGIN


def _window_checkins(patient: int, start: datetime, end: datetime) -> Select:
    """The check-ins from `start` to before `end` (stored times), oldest first: what a day's row reads of them."""
    return (CheckIn.select(CheckIn.recorded_at, CheckIn.zone, CheckIn.leg_pain, CheckIn.back_pain)
            .where((CheckIn.patient == patient) & (CheckIn.recorded_at >= start) & (CheckIn.recorded_at < end))
            .order_by(CheckIn.recorded_at, CheckIn.id))


def _window_walks(patient: int, start: datetime, end: datetime) -> Select:
    """The walks from `start` to before `end`, oldest first."""
    return (Walk.select(Walk.recorded_at, Walk.minutes, Walk.onset_minutes)
            .where((Walk.patient == patient) & (Walk.recorded_at >= start) & (Walk.recorded_at < end))
            .order_by(Walk.recorded_at, Walk.id))


def _window_sets(patient: int, start: datetime, end: datetime) -> Select:
    """The sets started from `start` to before `end`, oldest first."""
    return (ExerciseSet.select(ExerciseSet.started_at, ExerciseSet.before_zone, ExerciseSet.after_zone, ExerciseSet.response)
            .where((ExerciseSet.patient == patient) & (ExerciseSet.started_at >= start) & (ExerciseSet.started_at < end))
            .order_by(ExerciseSet.started_at, ExerciseSet.id))


CHANGE_FIELDS = (PlanChange.created_at, PlanChange.paused, PlanChange.changes)  # what planned_per_day reads


def _changes_before(patient: int, end: datetime) -> Select:
    """The plan changes made before `end`, newest first."""
    return (PlanChange.select(*CHANGE_FIELDS).where((PlanChange.patient == patient) & (PlanChange.created_at < end))
            .order_by(PlanChange.created_at.desc(), PlanChange.id.desc()))


WINDOW_CHECKINS, WINDOW_WALKS, WINDOW_SETS = (Statement(_window_checkins), Statement(_window_walks),
                                              Statement(_window_sets))
CHANGES_BEFORE = Statement(_changes_before)


def _day_values(patient: User, tz: ZoneInfo, day: date, plan: Plan) -> DayValues:
    """The summary of one local day, read from its entries (four statements)."""
    start, end = _window(day)
    window = {"patient": patient.id, "start": start, "end": end}
    checkins = cast(CheckInRows, WINDOW_CHECKINS.rows(**window))
    walks = cast(WalkRows, WINDOW_WALKS.rows(**window))
    sets = cast(SetRows, WINDOW_SETS.rows(**window))
    newest = next((as_model(PlanChange, CHANGE_FIELDS, row) for row in CHANGES_BEFORE.rows(patient=patient.id, end=end)
                   if in_zone(tz, row[0]).date() <= day), None)
    return summarize_day(
        [DayCheckIn(*row[1:]) for row in checkins if in_zone(tz, row[0]).date() == day],
        [DayWalk(*row[1:]) for row in walks if in_zone(tz, row[0]).date() == day],
        [DaySet(*row[1:]) for row in sets if in_zone(tz, row[0]).date() == day],
        planned_per_day(plan, newest),
    )


def _fields(values: DayValues) -> dict[str, object]:
    """A row's columns from its values."""
    return {
        "zone": values.zone.value if values.zone else None, "leg_pain": values.leg_pain, "back_pain": values.back_pain,
        "walk_minutes": values.walk_minutes, "onset_minutes": values.onset_minutes, "sets_started": values.sets_started,
        "sets_done": values.sets_done, "sets_planned": values.sets_planned, "results": values.results,
    }


def refresh_days(patient: User, moments: Iterable[datetime]) -> None:
    """Write again the rows of the local days of these stored times; call it inside the entry's transaction."""
    tz = zone_of(patient)
    plan = current_content().plan
    for day in sorted({in_zone(tz, moment).date() for moment in moments}):
        values = _day_values(patient, tz, day, plan)
        if values.empty:
            DailySummary.delete().where((DailySummary.patient == patient.id) & (DailySummary.day == day)).execute()
            continue
        fields = _fields(values)
        (DailySummary.insert(patient=patient.id, day=day, week=week_start(day), **fields)
         .on_conflict(conflict_target=[DailySummary.patient, DailySummary.day],
                      update={getattr(DailySummary, name): value for name, value in fields.items()})
         .execute())


def plan_changed(patient: User, change: PlanChange) -> None:
    """A plan change sets the target of its own local day and of later days already kept (entries from the future
    of a device's clock), up to the next change; call it inside the change's transaction."""
    tz = zone_of(patient)
    plan = current_content().plan
    changes = list(PlanChange.select().where(PlanChange.patient == patient.id).order_by(PlanChange.created_at, PlanChange.id))
    change_days = [in_zone(tz, c.created_at).date() for c in changes]
    later = DailySummary.select(DailySummary.id, DailySummary.day, DailySummary.sets_planned).where(
        (DailySummary.patient == patient.id) & (DailySummary.day >= in_zone(tz, change.created_at).date()))
    for row in later:
        index = bisect_right(change_days, row.day)  # the changes made on or before the row's day
        planned = planned_per_day(plan, changes[index - 1] if index else None)
        if planned != row.sets_planned:
            DailySummary.update(sets_planned=planned).where(DailySummary.id == row.id).execute()


def from_entries(patient: User, plan: Plan) -> dict[date, DayValues]:
    """Every day's summary computed from all of the patient's entries (four queries)."""
    tz = zone_of(patient)
    checkins: defaultdict[date, list[DayCheckIn]] = defaultdict(list)
    walks: defaultdict[date, list[DayWalk]] = defaultdict(list)
    sets: defaultdict[date, list[DaySet]] = defaultdict(list)
    for c in cast(CheckInRows, CheckIn.select(CheckIn.recorded_at, CheckIn.zone, CheckIn.leg_pain, CheckIn.back_pain)
                   .where(CheckIn.patient == patient.id).order_by(CheckIn.recorded_at, CheckIn.id).tuples()):
        checkins[in_zone(tz, c[0]).date()].append(DayCheckIn(*c[1:]))
    for w in cast(WalkRows, Walk.select(Walk.recorded_at, Walk.minutes, Walk.onset_minutes)
                   .where(Walk.patient == patient.id).order_by(Walk.recorded_at, Walk.id).tuples()):
        walks[in_zone(tz, w[0]).date()].append(DayWalk(*w[1:]))
    for s in cast(SetRows, ExerciseSet.select(ExerciseSet.started_at, ExerciseSet.before_zone, ExerciseSet.after_zone,
                                      ExerciseSet.response)
                   .where(ExerciseSet.patient == patient.id).order_by(ExerciseSet.started_at, ExerciseSet.id).tuples()):
        sets[in_zone(tz, s[0]).date()].append(DaySet(*s[1:]))
    changes = list(PlanChange.select().where(PlanChange.patient == patient.id).order_by(PlanChange.created_at, PlanChange.id))
    change_days = [in_zone(tz, c.created_at).date() for c in changes]
    out = {}
    for day in sorted({*checkins, *walks, *sets}):
        index = bisect_right(change_days, day)  # the changes made on or before this day
        planned = planned_per_day(plan, changes[index - 1] if index else None)
        out[day] = summarize_day(checkins[day], walks[day], sets[day], planned)
    return out


def rebuild(patient: User) -> int:
    """Replace the patient's rows with rows computed from their entries; the number of rows. Safe to run again."""
    with db.atomic():
        DailySummary.delete().where(DailySummary.patient == patient.id).execute()
        rows = [{"patient": patient.id, "day": day, "week": week_start(day), **_fields(values)}
                for day, values in from_entries(patient, current_content().plan).items()]
        for n in range(0, len(rows), 200):
            DailySummary.insert_many(rows[n:n + 200]).execute()
    return len(rows)


def rebuild_all() -> tuple[int, int]:
    """Rebuild every patient's rows: (patients, rows)."""
    patients = rows = 0
    for patient in User.select(User.id, User.timezone).where(User.role == Role.PATIENT.value).order_by(User.id):
        patients += 1
        rows += rebuild(patient)
    return patients, rows
