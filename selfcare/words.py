"""Results in plain words for patients: zones, in-session responses and trends."""

from __future__ import annotations

from selfcare.clinical import Response, Trend, Zone
from selfcare.content import current_content


def zone_name(zone: Zone | str) -> str:
    """The display name of a zone, lower-cased for use inside a sentence."""
    return current_content().zone(Zone(zone)).name.lower()


def describe_response(response: Response | str, before: Zone | str, after: Zone | str | None) -> str:
    """One calm sentence about what the last set did (CLINICAL.md §3 definitions)."""
    response = Response(response)
    if response == Response.ABOLISHED:
        return "Your symptoms went away after the last set. That is a very good sign."
    if response == Response.CENTRALIZED and after is not None:
        return f"Your leg symptoms moved up from {zone_name(before)} to {zone_name(after)} after the last set. That is a good sign."
    if response == Response.PERIPHERALIZED and after is not None:
        return f"Your symptoms spread further down, from {zone_name(before)} to {zone_name(after)}, after the last set."
    if response == Response.BETTER:
        return "Your leg pain eased after the last set. That is a good sign."
    if response == Response.WORSE:
        return "Your leg pain got worse after the last set."
    return "Your leg symptoms stayed about the same after the last set."


TREND_WORDS = {
    Trend.CENTRALIZING: "Over the last days your symptoms have been moving up towards your back. That is a good sign.",
    Trend.PERIPHERALIZING: "Over the last days your symptoms have been reaching further down your leg. Please tell your physical therapist.",
    Trend.STABLE: "Over the last days your symptoms have stayed in about the same place.",
    Trend.INSUFFICIENT_DATA: "There is not enough data yet to see a trend. Check in on at least 3 different days.",
}


def describe_trend(trend: Trend | str) -> str:
    """The trend over days in one sentence."""
    return TREND_WORDS[Trend(trend)]
