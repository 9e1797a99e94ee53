"""The visit summary: the data seed 003 says to bring to a visit, for one period (CLINICAL.md §5).

Where symptoms travel, what makes them worse, best and worst walking time, the trend (getting better, about the
same or getting worse, with its numbers: selfcare/progress_words.py), sets done and any red flags answered yes. Built once here; the HTML page and the PDF only lay it out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from selfcare.clinical import Content, Level, Side, TrendSummary, Zone
from selfcare.content import current_content
from selfcare.models import Alert, User, Walk
from selfcare.progress_words import ProgressWords
from selfcare.services.history import daily_series, fetch, progress_of, set_zones, trend_of
from selfcare.services.periods import Period, day_text, period_for, time_text
from selfcare.timeutil import local_now, to_local

# CheckIn.worse_with choices, in the order seed 003 lists them ("sitting, bending, standing"), then walking.
WORSE_WITH = {"sitting": "Sitting", "bending": "Bending", "standing": "Standing", "walking": "Walking"}
SIDE_WORDS = {Side.LEFT: "Left leg", Side.RIGHT: "Right leg", Side.BOTH: "Both legs"}


@dataclass(frozen=True)
class ZoneDays:
    """How many days a zone was the furthest point symptoms reached."""

    zone: Zone
    name: str
    days: int


@dataclass(frozen=True)
class WalkNote:
    """One walk: minutes, when (patient's clock), and minutes until leg symptoms started."""

    minutes: int
    when: datetime
    onset_minutes: int | None


@dataclass(frozen=True)
class FlagNote:
    """A red-flag alert: when, its level, what that level asks, and the signs that raised it."""

    when: datetime
    level: Level
    title: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    """Everything on the visit summary."""

    patient_name: str
    period: Period
    made_at: datetime  # on the patient's clock
    checkins: int
    furthest: str | None  # name of the most distal zone of the period
    zone_days: tuple[ZoneDays, ...]  # most distal first
    sides: tuple[tuple[str, str], ...]  # (side words, furthest zone name) per side recorded
    worse_with: tuple[tuple[str, int], ...]  # (activity, check-ins that named it)
    walks: int
    best_walk: WalkNote | None
    worst_walk: WalkNote | None
    trend: TrendSummary
    progress: ProgressWords  # the verdict on the trend over the period, in the patient's region's words
    sets_done: int
    days_with_sets: int
    red_flags: tuple[FlagNote, ...]  # newest first

    @property
    def empty(self) -> bool:
        """Nothing was recorded in the period."""
        return not (self.checkins or self.walks or self.sets_done or self.zone_days or self.red_flags)

    @property
    def trend_sentences(self) -> tuple[str, ...]:
        """How things are changing, in plain words with the window and the numbers."""
        return self.progress.sentences


def _walk_note(patient: User, walk: Walk | None) -> WalkNote | None:
    if walk is None:
        return None
    onset = None if walk.onset_minutes is None else int(walk.onset_minutes)
    return WalkNote(int(walk.minutes), to_local(patient, walk.recorded_at), onset)


def _wording(content: Content) -> dict[str, str]:
    """Red-flag ids (and the signs the app holds) to the sign in plain words."""
    return content.red_flags.sign_words()


def _flags(patient: User, period: Period, content: Content) -> tuple[FlagNote, ...]:
    wording = _wording(content)
    alerts = (
        Alert.select()
        .where((Alert.patient == patient.id) & (Alert.created_at >= period.start) & (Alert.created_at < period.end))
        .order_by(Alert.created_at.desc())
    )
    return tuple(
        FlagNote(
            when=to_local(patient, a.created_at),
            level=Level(a.level),
            title=content.red_flags.action(a.level).title,
            answers=tuple(wording.get(str(r), str(r).replace("_", " ")) for r in a.reasons),
        )
        for a in alerts
    )


def _sides(zones_by_side: dict[Side, Zone], content: Content) -> tuple[tuple[str, str], ...]:
    return tuple((SIDE_WORDS[side], content.zone(zones_by_side[side]).name) for side in Side if side in zones_by_side)


def build_summary(patient: User, days: int, now: datetime | None = None, content: Content | None = None) -> Summary:
    """The visit summary for the last `days` days at `now` (four queries, whatever the range)."""
    content = content or current_content()
    period = period_for(patient, days, now)
    rows = fetch(patient, period)
    series = daily_series(patient, period, rows)
    per_zone = Counter(p.zone for p in series if p.zone is not None)
    zone_days = tuple(ZoneDays(z, content.zone(z).name, per_zone[z]) for z in sorted(per_zone, reverse=True))
    reached = [Zone(c.zone) for c in rows.checkins] + [z for s in rows.sets for z in set_zones(s)]
    by_side: dict[Side, Zone] = {}
    for c in rows.checkins:
        if c.side:
            side = Side(c.side)
            by_side[side] = max(by_side.get(side, Zone.NONE), Zone(c.zone))
    worse = Counter(item for c in rows.checkins for item in c.worse_with)
    best = max(rows.walks, key=lambda w: (w.minutes, w.recorded_at), default=None)
    worst = min(rows.walks, key=lambda w: (w.minutes, w.recorded_at), default=None)
    trend = trend_of(patient, rows, content.trend_rule)
    return Summary(
        patient_name=str(patient.name),
        period=period,
        made_at=local_now(patient, now),
        checkins=len(rows.checkins),
        furthest=content.zone(max(reached)).name if reached else None,
        zone_days=zone_days,
        sides=_sides(by_side, content),
        worse_with=tuple((label, worse[key]) for key, label in WORSE_WITH.items()),
        walks=len(rows.walks),
        best_walk=_walk_note(patient, best),
        worst_walk=_walk_note(patient, worst) if len(rows.walks) > 1 else None,
        trend=trend,
        progress=progress_of(patient, trend, days, content.trend_rule),
        sets_done=sum(p.sets_done for p in series),
        days_with_sets=sum(1 for p in series if p.sets_done),
        red_flags=_flags(patient, period, content),
    )


@dataclass(frozen=True)
class Section:
    """One part of the summary as plain text: a heading, (label, value) rows and notes."""

    id: str
    heading: str
    rows: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


def _walk_text(walk: WalkNote) -> str:
    onset = "no leg symptoms" if walk.onset_minutes is None else f"leg symptoms after {walk.onset_minutes} min"
    return f"{walk.minutes} min on {day_text(walk.when)} ({onset})"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def sections(summary: Summary) -> tuple[Section, ...]:
    """The summary in plain text, in the order seed 003 lists what to bring; shared by page and PDF."""
    where = Section(
        "where", "Where symptoms travel",
        rows=(
            *((("Furthest point", summary.furthest),) if summary.furthest else ()),
            *summary.sides,
            *((("Furthest point each day", ", ".join(f"{z.name}: {_plural(z.days, 'day')}" for z in summary.zone_days)),)
              if summary.zone_days else ()),
        ),
        notes=() if summary.furthest else ("No symptoms recorded in this period.",),
    )
    worse = Section(
        "worse", "What makes symptoms worse",
        rows=tuple((label, f"{n} of {_plural(summary.checkins, 'check-in')}") for label, n in summary.worse_with)
        if summary.checkins else (),
        notes=() if summary.checkins else ("No check-ins in this period.",),
    )
    walking = Section(
        "walking", "Walking",
        rows=(
            *((("Best walk", _walk_text(summary.best_walk)),) if summary.best_walk else ()),
            *((("Worst walk", _walk_text(summary.worst_walk)),) if summary.worst_walk else ()),
            ("Walks logged", str(summary.walks)),
        ),
    )
    trend = Section("trend", "How things are changing", rows=(("Overall", summary.progress.headline),),
                    notes=summary.progress.sentences)
    days = summary.period.days
    exercises = Section(
        "exercises", "Exercises",
        rows=(("Sets done", str(summary.sets_done)), ("Days with sets", f"{summary.days_with_sets} of {_plural(days, 'day')}")),
    )
    flags = Section(
        "flags", "Warning signs answered yes",
        rows=tuple((f"{time_text(f.when)}: {f.title}", "\n".join(f.answers)) for f in summary.red_flags),
        notes=() if summary.red_flags else ("None in this period.",),
    )
    return where, worse, walking, trend, exercises, flags


def overview(summary: Summary) -> tuple[tuple[str, str], ...]:
    """Who, which days and when it was made, as (label, value) rows."""
    period = f"{summary.period.text} ({summary.period.days} days)"
    return (("Name", summary.patient_name), ("Period", period), ("Check-ins", str(summary.checkins)),
            ("Made on", time_text(summary.made_at)))
