"""The stored state of a patient's protocol day, serialisable to plain data and back."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

from selfcare.clinical.redflags import Level
from selfcare.clinical.response import Response
from selfcare.clinical.zones import Reading


class Phase(StrEnum):
    """Where the patient is in the plan."""

    READY = "ready"  # may start a set: answer red flags and record symptoms first
    STEP = "step"  # doing one step of the set
    RECHECK = "recheck"  # walk done; waiting for the after-reading
    WAITING = "waiting"  # set helped; next set at next_at
    STOPPED = "stopped"  # leg pain worse, or a first "no benefit" stop: no more sets today, contact the PT
    HELD = "held"  # symptoms moved down the leg, or a second "no benefit" stop: held until the PT re-enables it
    PAUSED = "paused"  # urgent red flag: no exercise for the rest of the day (after fever or trauma: until cleared)
    BLOCKED = "blocked"  # emergency red flag: no exercise today, and not before the patient has read the alert


class StopReason(StrEnum):
    """Why the plan stopped or paused."""

    PERIPHERALIZED = "peripheralized"
    WORSE = "worse"
    NO_BENEFIT = "no_benefit"
    URGENT = "urgent"
    EMERGENCY = "emergency"


@dataclass(frozen=True)
class SessionState:
    """A patient's place in the plan; every time is a deadline or a start time, never a tick."""

    phase: Phase = Phase.READY
    index: int = 0
    deadline: datetime | None = None
    next_at: datetime | None = None
    before: Reading | None = None
    response: Response | None = None
    level: Level = Level.NONE
    reason: StopReason | None = None
    better_streak: int = 0
    unchanged_streak: int = 0
    progressed: bool = False
    acknowledged: bool = False
    held: StopReason | None = None  # why the plan is held until the PT re-enables it (kept under a red-flag block)
    no_benefit_stops: int = 0  # "no benefit" stops since the plan was last (re-)enabled
    until_cleared: bool = False  # a fever or trauma block: lifts when the PT re-enables or a doctor said it is fine

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data (ISO datetimes, enum values) for storage."""
        return {
            "phase": self.phase.value,
            "index": self.index,
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "next_at": None if self.next_at is None else self.next_at.isoformat(),
            "before": None if self.before is None else self.before.to_dict(),
            "response": None if self.response is None else self.response.value,
            "level": self.level.value,
            "reason": None if self.reason is None else self.reason.value,
            "better_streak": self.better_streak,
            "unchanged_streak": self.unchanged_streak,
            "progressed": self.progressed,
            "acknowledged": self.acknowledged,
            "held": None if self.held is None else self.held.value,
            "no_benefit_stops": self.no_benefit_stops,
            "until_cleared": self.until_cleared,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> SessionState:
        """Rebuild a state from to_dict() output; raise ValueError if anything is malformed."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown state fields: {', '.join(sorted(unknown))}")
        try:
            before = data.get("before")
            return cls(
                phase=Phase(_text(data.get("phase", "ready"))),
                index=_count(data.get("index", 0)),
                deadline=_moment(data.get("deadline")),
                next_at=_moment(data.get("next_at")),
                before=None if before is None else Reading.from_dict(_mapping(before)),
                response=None if data.get("response") is None else Response(_text(data["response"])),
                level=Level(_text(data.get("level", "none"))),
                reason=None if data.get("reason") is None else StopReason(_text(data["reason"])),
                better_streak=_count(data.get("better_streak", 0)),
                unchanged_streak=_count(data.get("unchanged_streak", 0)),
                progressed=_flag(data.get("progressed", False)),
                acknowledged=_flag(data.get("acknowledged", False)),
                held=None if data.get("held") is None else StopReason(_text(data["held"])),
                no_benefit_stops=_count(data.get("no_benefit_stops", 0)),
                until_cleared=_flag(data.get("until_cleared", False)),
            )
        except (TypeError, KeyError) as exc:
            raise ValueError(f"malformed session state: {exc}") from None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a whole number of at least 0, got {value!r}")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _moment(value: object) -> datetime | None:
    return None if value is None else datetime.fromisoformat(_text(value))


def _mapping(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping, got {value!r}")
    return value
