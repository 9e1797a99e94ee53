"""A patient's history by day on their own clock: zone, pain, walking, sets, the trend and sessions.

History reads the daily summary rows (models.DailySummary: at most one per day, written with each entry) for the
series by day (by week for a year: services/history_series.py), the period's check-ins for the trend (the rule weighs each reading), and only the newest sets it
lists; so the number of queries stays the same for 1 day or 365 days of data. Choices per day (shown to patients as
"each day") are clinical.summarize_day's:
- zone: the most distal zone of the day, from check-ins and from sets (before and after). The worst
  of the day, on purpose: symptoms moving down the leg is the change that must not be missed.
- leg and back pain: the HIGHEST score in that day's check-ins, for the same reason (one good
  evening does not hide a bad morning), and so pain and zone tell the same "worst of the day" story.
- walking: the longest walk of the day, and when leg symptoms started on that walk.
- sets: sets finished with a re-check (ExerciseSet rows with a response), as the player counts them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from peewee import JOIN, Case, fn

from selfcare.clinical import (
    Reading,
    Side,
    TrendRule,
    TrendStats,
    TrendSummary,
    WindowStats,
    Zone,
    decide_trend,
    enough_data,
    summarize_trend,
    window_edges,
)
from selfcare.clinical.timeutil import as_utc
from selfcare.content import current_content
from selfcare.models import CheckIn, ExerciseSet, User, Walk
from selfcare.progress_words import ProgressWords, progress_words, therapist_word
from selfcare.services.history_series import RANK_OF_VALUE, ZONES_BY_RANK, DayPoint, summary_series
from selfcare.services.history_sets import NO_SETS, SetsPage, sets_page
from selfcare.services.periods import Period, period_for
from selfcare.statements import Statement
from selfcare.timeutil import day_starts, in_zone, zone_of

@dataclass(frozen=True)
class Rows:
    """The patient's entries in a period, oldest first: one query per table."""

    checkins: list[CheckIn]
    walks: list[Walk]
    sets: list[ExerciseSet]

    @property
    def empty(self) -> bool:
        """Nothing at all was recorded in the period."""
        return not (self.checkins or self.walks or self.sets)


# Only the columns the visit summary and the trend read.
CHECKIN_COLUMNS = (CheckIn.id, CheckIn.patient, CheckIn.recorded_at, CheckIn.zone, CheckIn.side, CheckIn.leg_pain,
                   CheckIn.back_pain, CheckIn.worse_with)
WALK_COLUMNS = (Walk.id, Walk.patient, Walk.checkin, Walk.recorded_at, Walk.minutes, Walk.onset_minutes)
SET_COLUMNS = (ExerciseSet.id, ExerciseSet.patient, ExerciseSet.started_at, ExerciseSet.before_zone, ExerciseSet.after_zone,
               ExerciseSet.response, ExerciseSet.outcome)


def fetch(patient: User, period: Period) -> Rows:
    """Check-ins, walks and sets in the period, oldest first (three queries, whatever the range; the columns used)."""
    checkins = (CheckIn.select(*CHECKIN_COLUMNS)
                .where((CheckIn.patient == patient.id) & (CheckIn.recorded_at >= period.start) & (CheckIn.recorded_at < period.end))
                .order_by(CheckIn.recorded_at))
    walks = (Walk.select(*WALK_COLUMNS)
             .where((Walk.patient == patient.id) & (Walk.recorded_at >= period.start) & (Walk.recorded_at < period.end))
             .order_by(Walk.recorded_at))
    sets = (ExerciseSet.select(*SET_COLUMNS)
            .where((ExerciseSet.patient == patient.id) & (ExerciseSet.started_at >= period.start)
                   & (ExerciseSet.started_at < period.end))
            .order_by(ExerciseSet.started_at))
    return Rows(list(checkins), list(walks), list(sets))


def set_zones(row: ExerciseSet) -> list[Zone]:
    """The zones recorded in one set: before, and after if it was re-checked."""
    return [Zone(z) for z in (row.before_zone, row.after_zone) if z]


def day_indexes(tz: ZoneInfo, period: Period, stored: Sequence[datetime]) -> list[int]:
    """For each stored (naive UTC) time in the period, the index of its calendar day on the clock of `tz`.

    Each time is placed between the UTC starts of the period's days (a bisect; the starts are cached per
    zone and period), not converted to local time one by one.
    """
    starts = day_starts(tz, period.first, period.days)
    return [bisect_right(starts, t) - 1 for t in stored]


def daily_series(patient: User, period: Period, rows: Rows) -> list[DayPoint]:
    """One point per calendar day of the period from the entries themselves, oldest first (the visit summary's; History
    reads the daily summary rows instead: `summary_series`). The choices per day are clinical.summarize_day's."""
    n = period.days
    worst = [-1] * n  # the most distal zone of each day, as its rank
    legs: list[int | None] = [None] * n
    backs: list[int | None] = [None] * n
    walked: list[int] = [-1] * n  # the longest walk's minutes
    onsets: list[int | None] = [None] * n  # and when leg symptoms started on it
    sets_done = [0] * n
    tz = zone_of(patient)
    rank = RANK_OF_VALUE
    for i, c in zip(day_indexes(tz, period, [c.recorded_at for c in rows.checkins]), rows.checkins):
        if c.zone and rank[c.zone] > worst[i]:
            worst[i] = rank[c.zone]
        leg, back = legs[i], backs[i]
        legs[i] = int(c.leg_pain) if leg is None else max(leg, int(c.leg_pain))
        backs[i] = int(c.back_pain) if back is None else max(back, int(c.back_pain))
    for i, w in zip(day_indexes(tz, period, [w.recorded_at for w in rows.walks]), rows.walks):
        if w.minutes > walked[i]:  # the first of equally long walks
            walked[i], onsets[i] = int(w.minutes), None if w.onset_minutes is None else int(w.onset_minutes)
    for i, s in zip(day_indexes(tz, period, [s.started_at for s in rows.sets]), rows.sets):
        for zone in (s.before_zone, s.after_zone):
            if zone and rank[zone] > worst[i]:
                worst[i] = rank[zone]
        if s.response is not None:
            sets_done[i] += 1
    return [
        DayPoint(day, None if worst[i] < 0 else ZONES_BY_RANK[worst[i]], legs[i], backs[i],
                 None if walked[i] < 0 else walked[i], onsets[i], sets_done[i])
        for i, day in enumerate(period.dates())
    ]


ReadingRow = tuple[datetime, str, int, int, str | None, int | None]  # recorded_at, zone, leg, back, side, longest walk


def trend_readings(patient: User, rows: Rows) -> list[tuple[datetime, Reading]]:
    """Each check-in as a (local time, Reading), with the minutes of the walk logged with it."""
    walked: dict[int, int] = {}
    for w in rows.walks:
        checkin_id = w.checkin_id
        if checkin_id is not None:
            walked[int(checkin_id)] = max(int(w.minutes), walked.get(int(checkin_id), 0))
    tz = zone_of(patient)
    return [
        (in_zone(tz, c.recorded_at), _reading(c.zone, int(c.leg_pain), int(c.back_pain), c.side, walked.get(int(c.id))))
        for c in rows.checkins
    ]


def period_readings(patient: User, period: Period) -> list[tuple[datetime, Reading]]:
    """The period's check-ins as (local time, Reading), each with the longest walk logged with it: one query.

    The trend rule (content/trend.toml) weighs each check-in, not each day, so these are read one by one.
    """
    walked = fn.MAX(Walk.minutes)
    query = cast(Iterable[ReadingRow], CheckIn.select(CheckIn.recorded_at, CheckIn.zone, CheckIn.leg_pain, CheckIn.back_pain, CheckIn.side, walked)
             .join(Walk, JOIN.LEFT_OUTER, on=(Walk.checkin == CheckIn.id) & (Walk.recorded_at >= period.start)
                   & (Walk.recorded_at < period.end))
             .where((CheckIn.patient == patient.id) & (CheckIn.recorded_at >= period.start) & (CheckIn.recorded_at < period.end))
             .group_by(CheckIn.id, CheckIn.recorded_at, CheckIn.zone, CheckIn.leg_pain, CheckIn.back_pain, CheckIn.side)
             .order_by(CheckIn.recorded_at, CheckIn.id)
             .tuples())
    tz = zone_of(patient)
    return [(in_zone(tz, at), _reading(zone, int(leg), int(back), side, None if minutes is None else int(minutes)))
            for at, zone, leg, back, side, minutes in query]


WindowRow = tuple[int, int, str, str | None, int, int, int, int | None, Any]  # see period_trend (the last: as stored)


def _in_period(patient: int, start: datetime, end: datetime) -> Any:
    """The patient's check-ins recorded from `start` to before `end` (stored UTC times)."""
    return (CheckIn.patient == patient) & (CheckIn.recorded_at >= start) & (CheckIn.recorded_at < end)


def _trend_bounds(patient: int, start: datetime, end: datetime) -> Any:
    """How many check-ins the period holds, and when the first and the last were recorded."""
    return (CheckIn.select(fn.COUNT(CheckIn.id), fn.MIN(CheckIn.recorded_at), fn.MAX(CheckIn.recorded_at))
            .where(_in_period(patient, start, end)))


def _trend_windows(patient: int, start: datetime, end: datetime, earlier_end: datetime, recent_start: datetime) -> Any:
    """Per window (earlier: up to `earlier_end`; recent: from `recent_start`), zone and side: whether the row is of
    the earlier and of the recent window, the zone and side, readings, leg pain summed, walks and their minutes summed
    (the longest walk logged with each check-in) and the first moment (as the database gives it: `period_trend`).

    Two steps: each check-in of the windows with its longest walk (the walks joined by their check-in, indexed), then
    those grouped. The same plan serves any range: a join to the walks grouped first was kept by PostgreSQL, planned
    for one row, as a loop that grouped the walks again for every check-in (11 ms for a year)."""
    each = (CheckIn.select(Case(None, [(CheckIn.recorded_at <= earlier_end, 1)], 0).alias("earlier"),
                           Case(None, [(CheckIn.recorded_at >= recent_start, 1)], 0).alias("recent"),
                           CheckIn.zone, CheckIn.side, CheckIn.leg_pain, CheckIn.recorded_at,
                           fn.MAX(Walk.minutes).alias("longest"))
            .join(Walk, JOIN.LEFT_OUTER, on=(Walk.checkin == CheckIn.id) & (Walk.recorded_at >= start)
                  & (Walk.recorded_at < end))
            .where(_in_period(patient, start, end)
                   & ((CheckIn.recorded_at <= earlier_end) | (CheckIn.recorded_at >= recent_start)))
            .group_by(CheckIn.id)
            .alias("each_checkin"))
    c = each.c
    return (each.select_from(c.earlier, c.recent, c.zone, c.side, fn.COUNT(c.zone), fn.SUM(c.leg_pain),
                             fn.COUNT(c.longest), fn.SUM(c.longest), fn.MIN(c.recorded_at))
            .group_by(c.earlier, c.recent, c.zone, c.side))


TREND_BOUNDS = Statement(_trend_bounds)
TREND_WINDOWS = Statement(_trend_windows)


def period_trend(patient: User, period: Period, days: int, rule: TrendRule) -> TrendSummary:
    """The trend over the period's check-ins (content/trend.toml) from SQL aggregates, not the check-ins one by one:
    the same TrendSummary as summarize_trend(period_readings(...)) (tests/test_history_trend_sql.py checks).

    `days`: the period's days with a check-in (the daily summary rows say so, on the patient's clock as the rule's days).
    Two statements, whatever the range: how many check-ins and when the first and last were (so the windows' edges are
    computed here as the rule computes them), then per window, zone and side: readings, leg pain, walks (the longest
    walk logged with each check-in) and the first moment, for the usual side. None when there is too little data; a
    third, rare query when equally frequent sides first showed up at the very same moment (see `_first_seen`).
    """
    bounds = TREND_BOUNDS.first(patient=patient.id, start=period.start, end=period.end)
    count, first, last = cast(tuple[int, datetime | None, datetime | None], bounds)
    span = as_utc(last) - as_utc(first) if first and last else timedelta(0)
    if not (first and last and enough_data(count, days, span, rule)):
        return decide_trend(TrendStats(count, days, span), rule)
    earlier_end, recent_start = (edge.replace(tzinfo=None) for edge in window_edges(as_utc(first), as_utc(last), rule))
    rows = cast(list[WindowRow], TREND_WINDOWS.rows(patient=patient.id, start=period.start, end=period.end,
                                                    earlier_end=earlier_end, recent_start=recent_start))
    # The first moment comes from the check-ins as a step of the statement gives them: read it as a check-in's time.
    rows = [(*row[:8], CheckIn.recorded_at.python_value(row[8])) for row in rows]
    earlier_rows = [row[2:] for row in rows if row[0]]
    recent_rows = [row[2:] for row in rows if row[1]]
    return decide_trend(TrendStats(count, days, span, _window(patient, earlier_rows, first_seen=True),
                                   _window(patient, recent_rows, first_seen=False)), rule)


def _window(patient: User, rows: Sequence[tuple[str, str | None, int, int, int, int | None, datetime]],
            first_seen: bool) -> WindowStats:
    """One window's statistics from its rows of (zone, side, readings, leg pain, walks, walk minutes, first moment);
    the sides in the order first seen if `first_seen` (the rule weighs that order in the earlier window only)."""
    zones = [0] * len(ZONES_BY_RANK)
    sides: dict[str, tuple[int, datetime]] = {}
    for zone, side, n, _pain, _walks, _minutes, at in rows:
        zones[RANK_OF_VALUE[zone]] += n
        if side is not None:
            seen = sides.get(side)
            sides[side] = (n, at) if seen is None else (seen[0] + n, min(seen[1], at))
    order = _first_seen(patient, {side: at for side, (_, at) in sides.items()}) if first_seen else list(sides)
    return WindowStats(
        sum(row[2] for row in rows), tuple(zones), sum(int(row[3]) for row in rows), sum(row[4] for row in rows),
        sum(int(row[5] or 0) for row in rows), tuple((Side(side), sides[side][0]) for side in order),
    )


def _first_seen(patient: User, firsts: dict[str, datetime]) -> list[str]:
    """The sides in the order they were first seen (the rule reads check-ins by time, then as stored: by id). Sides first
    seen at the very same moment are put in order by one more query (it does not happen in practice: to the microsecond)."""
    order = sorted(firsts, key=lambda side: firsts[side])
    moments = [firsts[side] for side in order]
    if len(set(moments)) == len(moments):
        return order
    tied = {moment for moment in moments if moments.count(moment) > 1}
    seen = cast(Iterable[tuple[str, datetime]], CheckIn.select(CheckIn.side, CheckIn.recorded_at)
                .where((CheckIn.patient == patient.id) & CheckIn.recorded_at.in_(list(tied)) & CheckIn.side.is_null(False))
                .order_by(CheckIn.recorded_at, CheckIn.id)
                .tuples())
    position: dict[str, int] = {}
    for n, (side, _) in enumerate(seen):
        position.setdefault(side, n)
    return sorted(order, key=lambda side: (firsts[side], position.get(side, 0)))


def _reading(zone: str, leg_pain: int, back_pain: int, side: str | None, walk_minutes: int | None) -> Reading:
    """A stored reading as the clinical core's Reading (checked as it is made)."""
    return Reading(zone, leg_pain, back_pain, side=side, walk_minutes=walk_minutes)


def trend_of(patient: User, rows: Rows, rule: TrendRule) -> TrendSummary:
    """The trend over the period's check-ins, by the rule in content/trend.toml."""
    return summarize_trend(trend_readings(patient, rows), rule)


def progress_of(patient: User, summary: TrendSummary, days: int, rule: TrendRule, therapist: str | None = None) -> ProgressWords:
    """The verdict on a trend over the last `days` days in words (selfcare/progress_words.py): the one place that says
    "getting better", "about the same" or "getting worse" (`therapist`: the region's word, the patient's by default)."""
    return progress_words(summary, days, therapist_word(patient) if therapist is None else therapist, rule)


@dataclass(frozen=True)
class History:
    """Everything the history page shows."""

    period: Period
    series: Sequence[DayPoint]
    trend: TrendSummary
    progress: ProgressWords  # the verdict on `trend` in words, for the patient and their therapist
    sets: SetsPage  # the newest page of the sets the page lists (empty for a page that lists none)
    sets_total: int  # sets started in the period
    empty: bool

    @property
    def trend_sentences(self) -> tuple[str, ...]:
        """How things are changing, in plain words with the window and the numbers."""
        return self.progress.sentences


def build_history(patient: User, days: int, now: datetime | None = None, rule: TrendRule | None = None,
                  therapist: str | None = None, list_sets: bool = True) -> History:
    """The patient's history for the last `days` days at `now` (rule: content's; therapist: the region's word;
    list_sets: False for a page that does not list the sets, which leaves `sets` empty).

    At most four statements, whatever the range: the daily summary rows (one per day with an entry), two of aggregates
    for the trend (none without a check-in, one with too few: `period_trend`), and the newest page of sets the page
    lists (none when the summary says there are none).
    """
    period = period_for(patient, days, now)
    summary = summary_series(patient, period)
    rule = rule or current_content().trend_rule
    if summary.days_checked_in:
        trend = period_trend(patient, period, summary.days_checked_in, rule)
    else:
        trend = summarize_trend([], rule)
    return History(
        period=period,
        series=summary.points,
        trend=trend,
        progress=progress_of(patient, trend, days, rule, therapist),
        sets=sets_page(patient, period) if list_sets and summary.sets_started else NO_SETS,
        sets_total=summary.sets_started,
        empty=not summary.days_recorded,
    )


def zone_names() -> dict[Zone, str]:
    """Each zone's name as content/ gives it, for the charts and the sets list."""
    return {info.zone: info.name for info in current_content().zones}
