"""Results in plain words for patients: zones and in-session responses (trends: services/history.py)."""

from __future__ import annotations

from selfcare.clinical import Response, Zone
from selfcare.content import current_content


def zone_name(zone: Zone | str) -> str:
    """The display name of a zone, lower-cased for use inside a sentence."""
    return current_content().zone(Zone(zone)).name.lower()


def describe_response(response: Response | str, before: Zone | str, after: Zone | str | None, *, praise: bool = True) -> str:
    """One calm sentence about what the last set did (CLINICAL.md §3 definitions); `praise=False` leaves out "that is a
    good sign" (when the days as a whole are getting worse)."""
    response = Response(response)
    good = (" That is a very good sign." if response == Response.ABOLISHED else " That is a good sign.") if praise else ""
    if response == Response.ABOLISHED:
        return f"Your symptoms went away after the last set.{good}"
    if response == Response.CENTRALIZED and after is not None:
        return f"Your leg symptoms moved up from {zone_name(before)} to {zone_name(after)} after the last set.{good}"
    if response == Response.PERIPHERALIZED and after is not None:
        return f"Your symptoms spread further down, from {zone_name(before)} to {zone_name(after)}, after the last set."
    if response == Response.BETTER:
        return f"Your leg pain eased after the last set.{good}"
    if response == Response.WORSE:
        return "Your leg pain got worse after the last set."
    return "Your leg symptoms stayed about the same after the last set."

