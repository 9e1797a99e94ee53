"""Where a patient sits in the therapist's caseload, and why, in words (CLINICAL.md §2 and §5).

The order (first match wins):
1. an unacknowledged emergency alert; 2. an unacknowledged urgent alert;
3. getting worse: the plan is held for the therapist (a set moved symptoms down the leg, or a second
   "no benefit" stop); or over the last 14 days the zone, leg pain or walking is clearly worse
   (judge_progress: CLINICAL.md §3, whatever the zones say); or a set in the last 7 days
   peripheralized or was stopped;
4. an unacknowledged contact_pt alert: the patient was told to contact their PT within a few days,
   a named request with a time frame, so it comes before the re-evaluation rules;
5. a re-evaluation prompt due (content/reevaluation.toml); 6. no check-in for 3 days or more;
7. everything else; 8. improving (nothing clearly worse, something clearly better) last.
Within groups 1-4 the newest event comes first; within 5-8 patients are in name order.

Every function here takes data and returns values: no clock, no database. `said` turns a stored (naive UTC) time
into the therapist's local time in words. A `Kept` row is what the caseload stores per patient (everything but
the name and the open alerts, which are read fresh): `to_json` and `from_json` are its stored form, and its
`standing` (its place before alerts) is stored beside it, so a load orders and counts rows without reading them all.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from selfcare.clinical.progress import Progress
from selfcare.clinical.redflags import Level
from selfcare.clinical.session import ScreenKind
from selfcare.clinical.session_state import Phase, SessionState, StopReason
from selfcare.clinical.trend import Trend
from selfcare.clinical.zones import Zone

TREND_DAYS = 14  # same window as reevaluation.toml `peripheralizing_despite_care`
SETS_DAYS = 7
WALK_DAYS = 3
SILENT_DAYS = 3
FORMAT = 4  # bump when Kept, its JSON or its words change: stored rows of another format are computed again

Said = Callable[[datetime], str]


class Group(enum.IntEnum):
    """Where a patient sits in the list, most urgent first."""

    EMERGENCY = 1
    URGENT = 2
    WORSENING = 3
    CONTACT = 4
    REEVALUATE = 5
    SILENT = 6
    REST = 7
    IMPROVING = 8


GROUP_LABELS = {
    Group.EMERGENCY: "Emergency alert",
    Group.URGENT: "Urgent alert",
    Group.WORSENING: "Getting worse",
    Group.CONTACT: "Asked to contact you",
    Group.REEVALUATE: "Re-evaluation due",
    Group.SILENT: "No recent check-in",
    Group.REST: "Nothing flagged",
    Group.IMPROVING: "Improving",
}
FLAG_WORDS = {
    "saddle_numbness": "saddle numbness", "bladder_change": "bladder change", "bowel_change": "bowel change",
    "sexual_change": "sexual function change", "both_legs": "symptoms in both legs",
    "weakness_worsening": "weakness getting worse quickly", "falls": "repeated falls", "fever": "fever or feeling very unwell",
    "weight_loss": "weight loss without trying", "night_pain": "severe night or rest pain", "trauma": "after a fall or accident",
    "weakness_new": "new weakness", "numbness_spreading": "numbness spreading",
}
ALERT_GROUPS = ((Group.EMERGENCY, Level.EMERGENCY), (Group.URGENT, Level.URGENT), (Group.CONTACT, Level.CONTACT_PT))
ALERT_WORDS = {
    Level.EMERGENCY: "Emergency alert not acknowledged",
    Level.URGENT: "Urgent alert not acknowledged",
    Level.CONTACT_PT: "Asked to contact you (alert not acknowledged)",
}
STOP_WORDS = {
    StopReason.PERIPHERALIZED: "moved symptoms further down the leg",
    StopReason.WORSE: "was stopped because leg pain got worse",
    StopReason.NO_BENEFIT: "was stopped after several sets with no benefit",
    StopReason.URGENT: "was stopped for an urgent red-flag answer",
    StopReason.EMERGENCY: "was stopped for an emergency red-flag answer",
}
# Why the plan is held for the therapist (CLINICAL.md §4 "A stop holds the plan"), before "on <when>".
HELD_WORDS = {
    StopReason.PERIPHERALIZED: "symptoms moved further down the leg on {when}",
    StopReason.NO_BENEFIT: "sets did not help twice, the second time on {when}",
}


# Stored values back to their enums (a table lookup: 200 rows of 14 days are read on every load).
GROUP_OF = {int(g): g for g in Group}
ZONE_OF: dict[str | None, Zone | None] = {None: None, **{z.value: z for z in Zone}}
TREND_OF = {t.value: t for t in Trend}
PROGRESS_OF = {p.value: p for p in Progress}


class Concern(NamedTuple):
    """One thing that places a patient in a group: the group, its words and when it happened."""

    group: Group
    words: str
    short: str
    when: datetime | None = None


class OpenAlert(NamedTuple):
    """An unacknowledged alert as the caseload weighs it (newest first in a list)."""

    level: str  # a Level value
    reasons: Sequence[str]
    created_at: datetime
    followup: str | None = None  # the next day's "were you seen?" answer in the therapist's words


class RecentSet(NamedTuple):
    """A set of the exercises in the last TREND_DAYS + 1 days, oldest first."""

    started_at: datetime
    response: str | None
    outcome: str | None
    stop_reason: str | None


class Kept(NamedTuple):
    """Everything a row shows except its name and its alerts: what the caseload stores per patient."""

    worsening: Concern | None  # group 3 (plan on hold, getting worse, a bad set): before the contact_pt alert
    later: tuple[Concern, ...]  # re-evaluation due, no recent check-in (those found, in that order)
    quiet: Concern  # the row's reason when nothing is flagged (from the progress verdict)
    days_in_program: int
    zone: Zone | None
    trend: Trend
    progress: Progress  # judge_progress over the TREND_DAYS days: what the row's group and words follow
    trend_first: date  # the first of the TREND_DAYS days of the sparkline
    trend_zones: tuple[Zone | None, ...]
    walk_best: int | None
    walk_baseline: int | None
    sets_done: int
    sets_planned: int
    paused: bool

    def to_json(self) -> str:
        """The row as compact JSON text (what is stored)."""
        return json.dumps([
            _concern_out(self.worsening), [_concern_out(x) for x in self.later], _concern_out(self.quiet),
            self.days_in_program, self.zone.value if self.zone else None, self.trend.value, self.trend_first.isoformat(),
            [z.value if z else None for z in self.trend_zones], self.walk_best, self.walk_baseline, self.sets_done,
            self.sets_planned, self.paused, self.progress.value,
        ], separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Kept:
        """A row from its stored JSON text."""
        (worsening, later, quiet, days, zone, trend, first, zones, walk_best, walk_baseline, sets_done, sets_planned,
         paused, progress) = json.loads(text)
        return cls(
            worsening=None if worsening is None else _concern_in(worsening), later=tuple(_concern_in(x) for x in later),
            quiet=_concern_in(quiet), days_in_program=days, zone=ZONE_OF[zone], trend=TREND_OF[trend],
            trend_first=date.fromisoformat(first), trend_zones=tuple(ZONE_OF[z] for z in zones),
            walk_best=walk_best, walk_baseline=walk_baseline, sets_done=sets_done, sets_planned=sets_planned,
            paused=paused, progress=PROGRESS_OF[progress],
        )


def _concern_out(c: Concern | None) -> list[Any] | None:
    return None if c is None else [int(c.group), c.words, c.short, c.when.isoformat() if c.when else None]


def _concern_in(v: list[Any]) -> Concern:
    return Concern(GROUP_OF[v[0]], v[1], v[2], datetime.fromisoformat(v[3]) if v[3] else None)


def kept_basis(patient_tz: str | None, therapist_tz: str | None, content_digest: str) -> str:
    """What a stored row was computed with besides the patient's rows and the time: a row of another basis is not used."""
    return f"{FORMAT}|{patient_tz or 'UTC'}|{therapist_tz or 'UTC'}|{content_digest}"


def flags_text(reasons: Sequence[str]) -> str:
    """Red-flag reasons in words."""
    return ", ".join(FLAG_WORDS.get(r, r.replace("_", " ")) for r in reasons) or "no reason recorded"


def alert_concern(group: Group, level: Level, alerts: Sequence[OpenAlert], said: Said) -> Concern | None:
    """The newest open alert of a level, in words (alerts come newest first)."""
    found = [a for a in alerts if a.level == level.value]
    if not found:
        return None
    newest = found[0]
    more = f" ({len(found)} open)" if len(found) > 1 else ""
    words = f"{ALERT_WORDS[level]}{more}: {flags_text(newest.reasons)}. Raised {said(newest.created_at)}."
    if newest.followup:  # the next day's "were you seen?" after an emergency
        words += f" Next day: {newest.followup}."
    return Concern(group, words, GROUP_LABELS[group].lower(), newest.created_at)


def held(state: SessionState | None, changed_at: datetime | None, sets: Sequence[RecentSet], said: Said) -> Concern | None:
    """The plan held until the therapist re-enables or changes it (phase `held`, kept under a red-flag block too),
    with why and when: the set that held it if it is among the recent sets, else when the player's state changed."""
    if state is None or (state.held is None and state.phase != Phase.HELD):
        return None
    reason = state.held or state.reason
    stops = [s for s in sets if s.outcome == ScreenKind.PLAN_HELD.value or (reason is not None and s.stop_reason == reason.value)]
    when = stops[-1].started_at if stops else changed_at
    text = "" if when is None else said(when)
    why = HELD_WORDS.get(reason) if reason is not None and when is not None else None
    words = f"Plan on hold: {why.format(when=text)}" if why else f"Plan on hold{' since ' + text if text else ''}"
    return Concern(Group.WORSENING, f"{words}. Re-enable or change the plan.", "plan on hold", when)


def worsening(progress: Progress, progress_words: str, last_checkin: datetime | None, sets: Sequence[RecentSet],
              on_hold: Concern | None, now: datetime, said: Said) -> Concern | None:
    """The plan held for the therapist; getting worse over 14 days (judge_progress says WORSE: `progress_words` says
    how); or a set in the last 7 days that peripheralized or was stopped."""
    since = now - timedelta(days=SETS_DAYS)
    bad = [s for s in sets if s.started_at >= since and (s.response == "peripheralized" or s.stop_reason)]
    parts, when = [], None
    if on_hold is not None:
        parts.append(on_hold.words.removesuffix("."))
        when = on_hold.when
    if progress == Progress.WORSE:
        parts.append(progress_words)
        if last_checkin is not None:
            when = max(when or last_checkin, last_checkin)
    if bad and not (on_hold is not None and bad[-1].started_at == on_hold.when):  # the set that held the plan: said once
        latest = bad[-1]
        reason = StopReason(latest.stop_reason) if latest.stop_reason else StopReason.PERIPHERALIZED
        parts.append(f"A set on {said(latest.started_at)} {STOP_WORDS[reason]}")
        when = max(when or latest.started_at, latest.started_at)
    if not parts:
        return None
    return Concern(Group.WORSENING, ". ".join(parts) + ".", "plan on hold" if on_hold is not None else "getting worse", when)


def silence(last_checkin: datetime | None, started: datetime, look_back_days: int, now: datetime, said: Said) -> Concern | None:
    """No check-in for SILENT_DAYS days or more (counted from the start if there was none in `look_back_days`)."""
    if last_checkin is not None:
        days = (now - last_checkin).days
        if days < SILENT_DAYS:
            return None
        return Concern(Group.SILENT, f"No check-in for {days} days (last {said(last_checkin)}).", f"no check-in for {days} days")
    days = (now - started).days
    if days < SILENT_DAYS:
        return None
    if days > look_back_days:
        return Concern(Group.SILENT, f"No check-in in the last {look_back_days} days.", f"no check-in for {look_back_days}+ days")
    return Concern(Group.SILENT, f"No check-in yet, {days} days after starting.", "no check-in yet")


def reevaluation(prompt_texts: Sequence[str]) -> Concern | None:
    """Re-evaluation prompts due, the first in words."""
    if not prompt_texts:
        return None
    more = f" (and {len(prompt_texts) - 1} more)" if len(prompt_texts) > 1 else ""
    return Concern(Group.REEVALUATE, f"Re-evaluation due: {prompt_texts[0]}{more}", "re-evaluation due")


def quiet(progress: Progress, label: str, clinical_words: str) -> Concern:
    """The reason shown when nothing is flagged: improving or about the same, with the numbers (never worse: that is
    a concern of its own)."""
    if progress == Progress.IMPROVING:
        return Concern(Group.IMPROVING, f"{label}: {clinical_words}.", "")
    if progress == Progress.SAME:
        return Concern(Group.REST, f"Nothing flagged: about the same ({clinical_words}).", "")
    return Concern(Group.REST, f"Nothing flagged: not enough check-ins yet to see a trend ({clinical_words}).", "")


def place(kept: Kept, alerts: Sequence[OpenAlert], said: Said) -> tuple[Concern, tuple[Concern, ...]]:
    """The concern that places the row (or its quiet reason) and the others found, in the order above."""
    by_group = {g: alert_concern(g, level, alerts, said) for g, level in ALERT_GROUPS} if alerts else {}
    concerns = [by_group.get(Group.EMERGENCY), by_group.get(Group.URGENT), kept.worsening, by_group.get(Group.CONTACT),
                *kept.later]
    found = [c for c in concerns if c is not None]
    return (found[0] if found else kept.quiet), tuple(found[1:])


class Standing(NamedTuple):
    """Where a kept row sits before its open alerts: its first concern's group and time, and whether it is silent."""

    group: Group  # WORSENING, REEVALUATE, SILENT, REST or IMPROVING: the alert groups come from the alerts
    when: datetime | None  # what the row sorts by within WORSENING (None in the other groups)
    silent: bool  # no check-in for SILENT_DAYS days or more (whatever else places the row)


def standing(kept: Kept) -> Standing:
    """A kept row's place before alerts: the first of its concerns in the order above, or its quiet reason."""
    first = kept.worsening or (kept.later[0] if kept.later else kept.quiet)
    return Standing(first.group, first.when, any(c.group == Group.SILENT for c in kept.later))


def rank(kept: Standing, alerts: Sequence[OpenAlert]) -> tuple[Group, datetime | None]:
    """The group and time a row sorts by with its open alerts (newest first): those of the concern `place` puts
    first, without its words."""
    if not alerts:  # most rows: placed by what they keep
        return kept.group, kept.when
    found = [(group, newest.created_at) for group, level in ALERT_GROUPS
             if (newest := next((a for a in alerts if a.level == level.value), None)) is not None]
    return min([*found, (kept.group, kept.when)], key=lambda placed: placed[0])


def order_key(group: Group, when: datetime | None, name: str, patient_id: int) -> tuple[int, float, str, int]:
    """Group first; then newest event first in the alert and worsening groups; then by name."""
    newest_first = -when.timestamp() if when is not None and group <= Group.CONTACT else 0.0
    return (int(group), newest_first, name.casefold(), patient_id)


def walk_best(walks: Sequence[tuple[datetime, int]], now: datetime) -> int | None:
    """The longest walk of the last WALK_DAYS days (recorded_at, minutes)."""
    walked = [minutes for at, minutes in walks if at >= now - timedelta(days=WALK_DAYS)]
    return max(walked) if walked else None


def sets_done(sets: Sequence[RecentSet], now: datetime) -> int:
    """Sets re-checked in the last SETS_DAYS days."""
    return sum(1 for s in sets if s.started_at >= now - timedelta(days=SETS_DAYS) and s.response is not None)
