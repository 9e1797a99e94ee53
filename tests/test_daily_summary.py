"""The daily summary rows equal what the entries say: written with each entry, rebuilt by a command, migrated in."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playhouse.migrate import SchemaMigrator

from selfcare import schema
from selfcare.clinical import (
    FLAG_LEVELS, DayCheckIn, DaySet, DayWalk, Event, EventKind, Reading, ScreenKind, summarize_day, week_start,
)
from selfcare.content import current_content
from selfcare.db import db
from selfcare.models import CheckIn, DailySummary, ExerciseSet, PlanChange, User, Walk
from selfcare.services import daily_summary, player, plans, walks
from selfcare.services.checkins import CheckInData, record_checkin
from tests.factories import make_onboarded_patient, make_therapist

NO_FLAGS = {flag: False for flag in FLAG_LEVELS}
ZONES = ["none", "back", "buttock", "thigh", "calf", "foot"]
# Clock changes inside the window: London 29 Mar (23 hours), New York 8 Mar, Lord Howe 5 Apr (half an hour back),
# Santiago 5 Apr (midnight comes twice); Kolkata and UTC have none.
TIME_ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata", "UTC"]
FIRST, LAST = datetime(2026, 3, 6), datetime(2026, 4, 7)


def stored_rows(patient: User) -> dict:
    """The patient's daily summary rows as {day: columns}."""
    return {row.day: (row.week, row.zone, row.leg_pain, row.back_pain, row.walk_minutes, row.onset_minutes,
                      row.sets_started, row.sets_done, row.sets_planned, row.results)
            for row in DailySummary.select().where(DailySummary.patient == patient.id)}


def rows_from_scratch(patient: User) -> dict:
    """The rows the entries say, each entry placed on its local date one by one (no SQL grouping, no day bounds)."""
    tz = ZoneInfo(User.get_by_id(patient.id).timezone)
    day = lambda stored: stored.replace(tzinfo=UTC).astimezone(tz).date()  # noqa: E731
    checkins, walked, sets = defaultdict(list), defaultdict(list), defaultdict(list)
    for c in CheckIn.select().where(CheckIn.patient == patient.id).order_by(CheckIn.recorded_at, CheckIn.id):
        checkins[day(c.recorded_at)].append(DayCheckIn(c.zone, c.leg_pain, c.back_pain))
    for w in Walk.select().where(Walk.patient == patient.id).order_by(Walk.recorded_at, Walk.id):
        walked[day(w.recorded_at)].append(DayWalk(w.minutes, w.onset_minutes))
    for s in ExerciseSet.select().where(ExerciseSet.patient == patient.id).order_by(ExerciseSet.started_at, ExerciseSet.id):
        sets[day(s.started_at)].append(DaySet(s.before_zone, s.after_zone, s.response))
    changes = list(PlanChange.select().where(PlanChange.patient == patient.id).order_by(PlanChange.created_at, PlanChange.id))
    out = {}
    for d in {*checkins, *walked, *sets}:
        in_force = [c for c in changes if day(c.created_at) <= d]
        planned = daily_summary.planned_per_day(current_content().plan, in_force[-1] if in_force else None)
        v = summarize_day(checkins[d], walked[d], sets[d], planned)
        out[d] = (week_start(d), v.zone.value if v.zone else None, v.leg_pain, v.back_pain, v.walk_minutes,
                  v.onset_minutes, v.sets_started, v.sets_done, v.sets_planned, v.results)
    return out


def do_set(patient: User, at: datetime, before: str, after: str | None) -> None:
    """A set through the player from `at` (aware): every step, and the re-check unless `after` is None (then quit)."""
    try:
        view = player.apply(patient, Event(EventKind.START, reading=Reading(before, 6, 3, side=None if before == "none" else "left")), at)
    except player.PausedByTherapist:
        return
    now = at
    for _ in range(30):
        now += timedelta(minutes=2)
        if view.screen.kind == ScreenKind.STEP and after is None:
            player.apply(patient, Event(EventKind.QUIT), now)
            return
        if view.screen.kind == ScreenKind.STEP:
            kind = EventKind.TIMER_ENDED if view.screen.deadline is not None else EventKind.STEP_DONE
            view = player.apply(patient, Event(kind), max(now, view.screen.deadline or now) + timedelta(seconds=1))
        elif view.screen.kind == ScreenKind.RECHECK:
            side = None if after == "none" else "left"
            player.apply(patient, Event(EventKind.RECHECK_DONE, reading=Reading(after, 4, 3, side=side)), now)
            return
        else:
            return


moments = st.datetimes(min_value=FIRST, max_value=LAST).map(lambda t: t.replace(tzinfo=UTC))
checkins = st.tuples(st.just("checkin"), moments, st.sampled_from(ZONES), st.integers(0, 10), st.integers(0, 10),
                     st.none() | st.integers(0, 120))
walk_entries = st.tuples(st.just("walk"), moments, st.integers(0, 120), st.booleans())
set_entries = st.tuples(st.just("set"), moments, st.sampled_from(ZONES[1:]), st.none() | st.sampled_from(ZONES))
plan_entries = st.tuples(st.just("plan"), moments, st.booleans(), st.booleans())
histories = st.lists(st.one_of(checkins, walk_entries, set_entries, plan_entries), max_size=10)


def enter(patient: User, therapist: User, entry: tuple) -> None:
    """Make one entry the way the app makes it (the services the pages, the API and the offline sync call)."""
    kind, at, *rest = entry
    if kind == "checkin":
        zone, leg, back, walk = rest
        reading = Reading(zone, leg, back, side=None if zone == "none" else "left")
        record_checkin(patient, CheckInData(uuid.uuid4(), at, NO_FLAGS, reading, walk_minutes=walk,
                                            walk_onset_minutes=None if walk is None else walk // 2), now=at)
    elif kind == "walk":
        minutes, onset = rest
        walks.record_walk(patient, walks.WalkData(uuid.uuid4(), at, minutes, minutes // 3 if onset else None), now=at)
    elif kind == "set":
        do_set(patient, at, *rest)
    else:
        paused, longer = rest
        plan = current_content().plan
        every = plan.repeat_max_minutes if longer else plan.repeat_min_minutes
        plans.change_plan(therapist, patient, {"repeat_every_minutes": every}, paused, "Call me" if paused else None,
                          now=at.replace(tzinfo=None))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=histories, second=histories, zones=st.lists(st.sampled_from(TIME_ZONES), min_size=3, max_size=3))
def test_rows_equal_what_the_entries_say_through_clock_and_time_zone_changes(app, first, second, zones):
    """Two patients in different zones make entries at random times, in any order (an offline phone sends late);
    then one moves to a third zone (its rows rebuilt) and goes on. Every stored row equals the entries' own day."""
    with app.app_context():
        therapist = make_therapist()
        patients = [make_onboarded_patient(timezone=zones[0]), make_onboarded_patient(timezone=zones[1])]
        for patient, history in zip(patients, (first, second)):
            for entry in history:
                enter(patient, therapist, entry)
        for patient in patients:
            assert stored_rows(patient) == rows_from_scratch(patient)
        moved = patients[0]
        User.update(timezone=zones[2]).where(User.id == moved.id).execute()
        moved = User.get_by_id(moved.id)
        daily_summary.rebuild(moved)  # what a change of time zone does: every day moves to the new clock
        assert stored_rows(moved) == rows_from_scratch(moved)
        for entry in second:
            enter(moved, therapist, entry)
        for patient in (moved, patients[1]):
            assert stored_rows(patient) == rows_from_scratch(patient)
            before = stored_rows(patient)
            daily_summary.rebuild(patient)
            assert stored_rows(patient) == before  # a rebuild changes nothing that was written with the entries


def test_a_set_re_checked_and_a_set_quit_show_on_their_local_day(app):
    """Sets started late in the evening in New York belong to that evening's day, not to the next UTC day."""
    with app.app_context():
        patient = make_onboarded_patient(timezone="America/New_York")
        afternoon = datetime(2026, 3, 7, 16, 0, tzinfo=ZoneInfo("America/New_York"))
        do_set(patient, afternoon, "calf", "thigh")
        do_set(patient, afternoon + timedelta(hours=5, minutes=30), "thigh", None)  # 02:30 UTC on 8 March
        row = DailySummary.get(DailySummary.patient == patient.id)
        plan = current_content().plan
    assert (row.day.isoformat(), row.zone, row.sets_started, row.sets_done, row.sets_planned, row.results) == (
        "2026-03-07", "calf", 2, 1, plan.sets_per_day(), {"centralized": 1})


def test_the_command_rebuilds_the_same_rows_and_can_run_again(app, runner):
    """Rows lost or wrong (rows written in bulk, a content change) come back as the entries say, however often it runs."""
    with app.app_context():
        patient = make_onboarded_patient(timezone="Europe/London")
        for n, zone in enumerate(["calf", "foot", "thigh"]):
            enter(patient, patient, ("checkin", datetime(2026, 3, 28 + n, 23, 30, tzinfo=UTC), zone, 4 + n, 2, 10 * n))
        written = stored_rows(patient)
        DailySummary.update(leg_pain=0).execute()
        DailySummary.delete().where(DailySummary.day == min(written)).execute()
    for _ in range(2):
        result = runner.invoke(args=["rebuild-daily-summary"])
        assert result.exit_code == 0 and "3 days for 1 patients" in result.output
        with app.app_context():
            assert stored_rows(patient) == written == rows_from_scratch(patient)
    # 23:30 UTC is 23:30 on 28 March in London, but 00:30 on 30 and 31 March (summer time from 29 March).
    assert sorted(d.isoformat() for d in written) == ["2026-03-28", "2026-03-30", "2026-03-31"]


def test_version_14_fills_the_table_for_entries_made_before_it(app):
    """A database at version 13 has entries and no rows; the migration makes them."""
    with app.app_context():
        patient = make_onboarded_patient(timezone="Asia/Kolkata")
        enter(patient, patient, ("walk", datetime(2026, 3, 10, 20, 0, tzinfo=UTC), 25, True))
        expected = stored_rows(patient)
        DailySummary.delete().execute()
        with db.atomic():
            schema.MIGRATIONS[14 - 2](None)
        day = datetime(2026, 3, 11).date()
        assert stored_rows(patient) == expected == {
            day: (date(2026, 3, 9), None, None, None, 25, 8, 0, 0, current_content().plan.sets_per_day(), {})}


def test_version_17_gives_every_row_its_week(app):
    """Rows written before version 17 had no week; the migration gives each the Monday of its day, and the index."""
    with app.app_context():
        patient = make_onboarded_patient(timezone="Pacific/Chatham")
        for day in (1, 2, 3, 4, 5, 6, 7, 8, 15, 16):  # every day of the week, and a Sunday, the next and the Monday after
            enter(patient, patient, ("walk", datetime(2026, 3, day, 0, 0, tzinfo=ZoneInfo("Pacific/Chatham")), 10, False))
        expected = stored_rows(patient)
        db.execute_sql('DROP INDEX "daily_summary_patient_id_week"')  # the table as version 16 made it
        db.execute_sql('ALTER TABLE "daily_summary" DROP COLUMN "week"')
        with db.atomic():
            schema.MIGRATIONS[17 - 2](SchemaMigrator.from_database(db.obj))
            schema.MIGRATIONS[17 - 2](SchemaMigrator.from_database(db.obj))  # again: nothing left to do
        assert stored_rows(patient) == expected
        assert sorted((d.isoformat(), columns[0].isoformat()) for d, columns in expected.items()) == [
            ("2026-03-01", "2026-02-23"), *((f"2026-03-0{n}", "2026-03-02") for n in range(2, 9)),
            ("2026-03-15", "2026-03-09"), ("2026-03-16", "2026-03-16")]
        assert ["patient_id", "week"] in [index.columns for index in db.get_indexes("daily_summary")]


def test_a_version_16_database_upgrades_through_create_schema(app):
    """The whole upgrade, as a server start runs it: the model's index on `week` must wait for the column (made first,
    SQLite indexed the name as a string and the table was malformed once the column came)."""
    from selfcare.models import SchemaVersion
    from selfcare.schema import LATEST, create_schema

    with app.app_context():
        patient = make_onboarded_patient(timezone="UTC")
        enter(patient, patient, ("walk", datetime(2026, 3, 11, 12, 0, tzinfo=UTC), 10, False))
        expected = stored_rows(patient)
        db.execute_sql('DROP INDEX "daily_summary_patient_id_week"')
        db.execute_sql('ALTER TABLE "daily_summary" DROP COLUMN "week"')
        SchemaVersion.delete().where(SchemaVersion.version >= 17).execute()
        assert create_schema() == LATEST
        assert stored_rows(patient) == expected
        enter(patient, patient, ("walk", datetime(2026, 3, 12, 12, 0, tzinfo=UTC), 12, False))  # and writes go on
        assert stored_rows(patient) == rows_from_scratch(patient)
