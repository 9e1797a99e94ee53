"""The exercise sets History lists, a page at a time: the period's newest SETS_PAGE first, older ones on demand
("Older sets": htmx adds the next page to the list; without script it is a page of its own). Each page is one statement
of at most SETS_PAGE + 1 rows, whatever the range: a year of sets is never one page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from selfcare.clinical import Response, Zone
from selfcare.models import ExerciseSet, User
from selfcare.services.periods import Period, time_text
from selfcare.statements import Statement
from selfcare.timeutil import in_zone, zone_of

SETS_PAGE = 10
LATEST = datetime.max  # later than any set: the newest page is the page before it
CURSOR_SEP = "~"

RESPONSE_WORDS = {
    Response.CENTRALIZED: "Symptoms moved up the leg",
    Response.ABOLISHED: "Symptoms went away",
    Response.BETTER: "Leg pain eased",
    Response.UNCHANGED: "No real change",
    Response.WORSE: "Leg pain got worse",
    Response.PERIPHERALIZED: "Symptoms moved further down the leg",
}
OUTCOME_WORDS = {
    "repeat_later": "Repeat later today",
    "progress": "Ready for the next step",
    "done_for_today": "Done for today",
    "stop_contact_pt": "Stopped: contact your therapist",
    "plan_held": "Stopped: plan on hold until the therapist has looked at it",
    "urgent": "Stopped: speak to a doctor today",
    "emergency": "Stopped: get emergency help",
    "quit": "Stopped early",
}


@dataclass(frozen=True)
class SetCursor:
    """A place in the list: a page lists the sets started before it (newest first, by start time, then id)."""

    at: datetime  # stored (naive UTC) start of the last set of the page before
    set_id: int

    @property
    def token(self) -> str:
        """The cursor as a link writes it, e.g. '2026-12-01T10:00:00.250000~42'."""
        return f"{self.at.isoformat()}{CURSOR_SEP}{self.set_id}"

    @classmethod
    def parse(cls, token: str) -> SetCursor:
        """The cursor a link wrote (ValueError if it is not one)."""
        at, set_id = token.split(CURSOR_SEP)
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is not None or not set_id.isdigit():
            raise ValueError(token)
        return cls(moment, int(set_id))


@dataclass(frozen=True)
class Session:
    """One set of the exercises as the history lists it."""

    cursor: SetCursor  # where the page after it starts
    started: datetime  # on the patient's clock
    before_zone: Zone
    after_zone: Zone | None
    response: Response | None
    outcome: str | None

    @property
    def when(self) -> str:
        """When the set started, in words."""
        return time_text(self.started)

    @property
    def response_words(self) -> str:
        """The in-session result in plain words."""
        return RESPONSE_WORDS[self.response] if self.response else "Not re-checked"

    @property
    def outcome_words(self) -> str:
        """How the set ended in plain words."""
        if self.outcome is None:
            return "Not finished"
        return OUTCOME_WORDS.get(self.outcome, self.outcome.replace("_", " ").capitalize())


@dataclass(frozen=True)
class SetsPage:
    """One page of the period's sets, newest first, and where the next (older) page starts (None: nothing older)."""

    sessions: Sequence[Session]
    older: SetCursor | None


NO_SETS = SetsPage((), None)
SessionRow = tuple[int, datetime, str, str | None, str | None, str | None]  # id, started_at, zones, response, outcome


def _sets_before(patient: int, start: datetime, end: datetime, at: datetime, set_id: int, rows: int) -> Any:
    """The newest `rows` sets started from `start` to before `end` and before the place (`at`, `set_id`)."""
    before = (ExerciseSet.started_at < at) | ((ExerciseSet.started_at == at) & (ExerciseSet.id < set_id))
    return (ExerciseSet.select(ExerciseSet.id, ExerciseSet.started_at, ExerciseSet.before_zone, ExerciseSet.after_zone,
                               ExerciseSet.response, ExerciseSet.outcome)
            .where((ExerciseSet.patient == patient) & (ExerciseSet.started_at >= start) & (ExerciseSet.started_at < end)
                   & before)
            .order_by(ExerciseSet.started_at.desc(), ExerciseSet.id.desc())
            .limit(rows))


SETS_BEFORE = Statement(_sets_before)


def sets_page(patient: User, period: Period, before: SetCursor | None = None, size: int = SETS_PAGE) -> SetsPage:
    """The period's `size` newest sets before `before` (the newest without it), and where the next page starts."""
    at, set_id = (LATEST, 0) if before is None else (before.at, before.set_id)
    rows = cast(list[SessionRow], SETS_BEFORE.rows(patient=patient.id, start=period.start, end=period.end, at=at,
                                                   set_id=set_id, rows=size + 1))
    tz = zone_of(patient)
    sessions = [
        Session(SetCursor(started, row_id), in_zone(tz, started), Zone(before_zone), Zone(after) if after else None,
                Response(response) if response else None, outcome)
        for row_id, started, before_zone, after, response, outcome in rows[:size]
    ]
    return SetsPage(sessions, sessions[-1].cursor if len(rows) > size else None)
