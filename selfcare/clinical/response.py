"""Within-session response: compare a reading before and after the protocol (CLINICAL.md §3)."""

from __future__ import annotations

from enum import StrEnum

from selfcare.clinical.zones import Reading, Zone

# Smallest leg-pain change (NPRS points) that counts as real: content/response.toml `noise_points`
# (MCID 2 points, Ostelo, Spine 2008). A test keeps this constant and the content file in step.
NOISE_POINTS = 2


class Response(StrEnum):
    """How symptoms answered the protocol within one session."""

    CENTRALIZED = "centralized"
    ABOLISHED = "abolished"
    PERIPHERALIZED = "peripheralized"
    BETTER = "better"
    WORSE = "worse"
    UNCHANGED = "unchanged"

    @property
    def is_stop_signal(self) -> bool:
        """True when the protocol must stop (symptoms moved down the leg or leg pain clearly rose)."""
        return self in (Response.PERIPHERALIZED, Response.WORSE)

    @property
    def is_improvement(self) -> bool:
        """True when leg symptoms moved up, went away or clearly eased."""
        return self in (Response.CENTRALIZED, Response.ABOLISHED, Response.BETTER)


def side_changed(before: Reading, after: Reading) -> bool:
    """Symptoms moved to another leg (or to both): never an improvement, whatever the zones say (CLINICAL.md §2)."""
    return before.side is not None and after.side is not None and before.side != after.side


def classify_response(before: Reading, after: Reading, *, noise_points: int = NOISE_POINTS) -> Response:
    """Classify the change from `before` to `after` (response.toml): moving down the leg, then leg pain clearly
    rising, decide first; only then can the zone or leg pain show an improvement, and never across a change of side."""
    if not isinstance(before, Reading) or not isinstance(after, Reading):
        raise TypeError("classify_response needs two Reading objects")
    if noise_points < 1:
        raise ValueError("noise_points must be at least 1")
    if after.zone > before.zone:
        return Response.PERIPHERALIZED  # response.toml `peripheralized`: the stop signal (seed 003)
    change = after.leg_pain - before.leg_pain
    if change >= noise_points:
        # response.toml `leg_pain_worse`: leg pain that clearly rises is worse whatever the zone did (seed 003:
        # "if leg pain increases or moves farther down the leg, stop"); calf 2 -> thigh 8 is not centralized.
        return Response.WORSE
    if side_changed(before, after):
        return Response.UNCHANGED  # response.toml `side_change`: another leg is not "better"
    if after.zone == Zone.NONE and before.zone != Zone.NONE:
        return Response.ABOLISHED  # response.toml `abolished`
    if after.zone < before.zone:
        return Response.CENTRALIZED  # response.toml `centralized` (Donelson 1990)
    # Same zone: only leg pain decides; more back pain with less leg pain is acceptable
    # (response.toml `same_zone`, seed 003 "even if the back feels temporarily aware").
    if change <= -noise_points:
        return Response.BETTER
    return Response.UNCHANGED
