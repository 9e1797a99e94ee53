"""Where symptoms reach (zones, CLINICAL.md §3) and one symptom reading."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from selfcare.clinical.ordered import OrderedStrEnum

PAIN_MIN = 0
PAIN_MAX = 10


class Zone(OrderedStrEnum):
    """The most distal extent of symptoms, ordered from the spine outwards."""

    NONE = "none"
    BACK = "back"
    BUTTOCK = "buttock"
    THIGH = "thigh"
    CALF = "calf"
    FOOT = "foot"


class Side(StrEnum):
    """Which leg the symptoms are in."""

    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"


def parse_zone(value: Zone | str) -> Zone:
    """Return the Zone for a zone string; raise ValueError for anything else."""
    if isinstance(value, Zone):
        return value
    if isinstance(value, str):
        try:
            return Zone(value.strip().lower())
        except ValueError:
            pass
    known = ", ".join(z.value for z in Zone)
    raise ValueError(f"unknown zone {value!r}; expected one of {known}")


def check_pain(name: str, value: object) -> int:
    """Return a 0-10 pain score as int; raise ValueError if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number from {PAIN_MIN} to {PAIN_MAX}, got {value!r}")
    if not PAIN_MIN <= value <= PAIN_MAX:
        raise ValueError(f"{name} must be from {PAIN_MIN} to {PAIN_MAX}, got {value}")
    return value


def _parse_side(value: Side | str | None) -> Side | None:
    if value is None:
        return None
    try:
        return Side(value)
    except ValueError:
        raise ValueError(f"unknown side {value!r}; expected left, right or both") from None


def _check_minutes(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 24 * 60:
        raise ValueError(f"walk_minutes must be a number of minutes from 0 to 1440, got {value!r}")
    return value


@dataclass(frozen=True, init=False)
class Reading:
    """One symptom reading: most distal zone, leg and back pain (NPRS 0-10), optional extras."""

    zone: Zone
    leg_pain: int
    back_pain: int
    side: Side | None = None
    walk_minutes: float | None = None

    def __init__(
        self,
        zone: Zone | str,
        leg_pain: int,
        back_pain: int,
        side: Side | str | None = None,
        walk_minutes: float | None = None,
    ) -> None:
        object.__setattr__(self, "zone", parse_zone(zone))
        object.__setattr__(self, "leg_pain", check_pain("leg_pain", leg_pain))
        object.__setattr__(self, "back_pain", check_pain("back_pain", back_pain))
        object.__setattr__(self, "side", _parse_side(side))
        object.__setattr__(self, "walk_minutes", _check_minutes(walk_minutes))

    def to_dict(self) -> dict[str, object]:
        """Plain-data form of this reading, for storage."""
        return {
            "zone": self.zone.value,
            "leg_pain": self.leg_pain,
            "back_pain": self.back_pain,
            "side": None if self.side is None else self.side.value,
            "walk_minutes": self.walk_minutes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Reading:
        """Rebuild a reading from to_dict() output; raise ValueError if it is malformed."""
        unknown = set(data) - {"zone", "leg_pain", "back_pain", "side", "walk_minutes"}
        if unknown:
            raise ValueError(f"unknown reading fields: {', '.join(sorted(unknown))}")
        try:
            return cls(
                zone=data["zone"],  # type: ignore[arg-type]
                leg_pain=data["leg_pain"],  # type: ignore[arg-type]
                back_pain=data["back_pain"],  # type: ignore[arg-type]
                side=data.get("side"),  # type: ignore[arg-type]
                walk_minutes=data.get("walk_minutes"),  # type: ignore[arg-type]
            )
        except KeyError as missing:
            raise ValueError(f"reading is missing {missing}") from None
