"""The therapist's triaged caseload: every currently linked patient, most in need of attention first.

The order (ORDER below, first match wins; CLINICAL.md §2 and §5):
1. an unacknowledged emergency alert; 2. an unacknowledged urgent alert;
3. getting worse: the plan is held for the therapist (a set moved symptoms down the leg, or a second
   "no benefit" stop); or over the last 14 days the zone, leg pain or walking is clearly worse
   (clinical.judge_progress: CLINICAL.md §3, whatever the zones say); or a set in the last 7 days
   peripheralized or was stopped;
4. an unacknowledged contact_pt alert: the patient was told to contact their PT within a few days,
   a named request with a time frame, so it comes before the re-evaluation rules;
5. a re-evaluation prompt due (content/reevaluation.toml); 6. no check-in for 3 days or more;
7. everything else; 8. improving (judge_progress: nothing clearly worse, something clearly better) last.
Within groups 1-4 the newest event comes first; within 5-8 patients are in name order.
Unacknowledged alerts are read whatever their age: an open emergency must never drop off the list.

Alerts, names and links are read fresh on every load. The rest of each row (groups 3 and 5-8, the facts and
the sparkline) comes from the stored rows of services/caseload_cache.py, computed again only for patients
whose data changed (database triggers stamp every write) or whose row is older than 15 minutes or than the
patient's midnight. A load with every row kept runs three queries (patients with their stamps and rows,
open alerts, notices); one that computes rows adds six reads and one write, however many patients it computes.
Each process also keeps the rows it made by everything they are made from (kept part, name, open alerts, the
therapist's time zone), and the view keeps each row's HTML: a load that changes nothing draws nothing again.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from selfcare.clinical import Level, Progress, Trend, Zone
from selfcare.content import current_content
from selfcare.memo import Memo
from selfcare.models import Alert, CareLink, Notice, User, utcnow
from selfcare.prepared import prepared
from selfcare.progress_words import LABELS as PROGRESS_LABELS
from selfcare.services import caseload_cache
from selfcare.services.caseload_rows import (
    GROUP_LABELS,
    SILENT_DAYS,
    Computed,
    Group,
    alert_concern,
    compute,
    load,
    pid,
)
from selfcare.services.rows import read_prepared
from selfcare.timeutil import to_utc

__all__ = ["Caseload", "Filter", "Group", "PatientRow", "build_caseload", "mark_notice_read", "parse_filter", "parse_query"]

QUERY_MAX = 80  # a name is at most 80 characters (User.name)
PAGE_SIZE = 50  # rows drawn per page: drawing all 200 rows alone took longer than the page's budget
ATTENTION = frozenset(g for g in Group if g <= Group.SILENT)
ALERT_COLUMNS = (Alert.id, Alert.patient, Alert.level, Alert.reasons, Alert.created_at, Alert.followup_answer)


class Filter(str, enum.Enum):
    """Which patients the list shows."""

    ALL = "all"
    ATTENTION = "attention"
    ALERTS = "alerts"
    SILENT = "silent"


FILTER_LABELS = {
    Filter.ALL: "All patients",
    Filter.ATTENTION: "Needs attention",
    Filter.ALERTS: "Alerts not yet acknowledged",
    Filter.SILENT: f"No check-in for {SILENT_DAYS} days or more",
}


def parse_filter(value: str | None) -> Filter:
    """A `?filter=` value, or ALL for anything unknown (never an error)."""
    try:
        return Filter((value or "").strip().lower())
    except ValueError:
        return Filter.ALL


def parse_query(value: str | None) -> str:
    """A `?q=` search: printable characters only, trimmed, at most QUERY_MAX long."""
    cleaned = "".join(ch for ch in (value or "") if ch.isprintable())
    return " ".join(cleaned.split())[:QUERY_MAX]


def parse_page(value: str | None) -> int:
    """A `?page=` number, or 1 for anything that is not a positive number (never an error)."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 7 and int(text) > 0 else 1  # not '²' 


@dataclass(frozen=True)
class PatientRow:
    """One patient in the caseload, with the reason for their place in words."""

    patient_id: int
    name: str
    group: Group
    reason: str
    also: tuple[str, ...]
    days_in_program: int
    zone: Zone | None
    trend: Trend
    progress: Progress
    trend_first: date
    trend_zones: tuple[Zone | None, ...]
    walk_best: int | None
    walk_baseline: int | None
    sets_done: int
    sets_planned: int
    paused: bool
    open_alert: bool
    silent: bool
    when: datetime | None = field(default=None, compare=False)

    @property
    def trend_days(self) -> tuple[date, ...]:
        """The days of the sparkline, oldest first."""
        return tuple(self.trend_first + timedelta(days=n) for n in range(len(self.trend_zones)))

    @property
    def group_label(self) -> str:
        """The group in words (shown as a badge: never colour alone)."""
        return GROUP_LABELS[self.group]

    @property
    def trend_label(self) -> str:
        """The 14-day verdict in one or two words ("Getting worse", "Improving"): from judge_progress, not the zones alone."""
        return PROGRESS_LABELS[self.progress]

    @property
    def days_text(self) -> str:
        """How long the patient has been on selfcare."""
        if self.days_in_program == 0:
            return "Started today"
        return f"Day {self.days_in_program + 1} in the program"

    @property
    def walking_text(self) -> str:
        """Best walk of the last 3 days against the onboarding baseline."""
        now = "no walks logged" if self.walk_best is None else f"{self.walk_best} min"
        start = "" if self.walk_baseline is None else f" (start {self.walk_baseline} min)"
        return now + start

    @property
    def sets_text(self) -> str:
        """Sets done in the last 7 days against the plan."""
        if self.paused:
            return f"{self.sets_done} (exercises paused)"
        return f"{self.sets_done} of {self.sets_planned}"

    def matches(self, wanted: Filter) -> bool:
        """Whether the row belongs in the list for a filter."""
        if wanted == Filter.ATTENTION:
            return self.group in ATTENTION
        if wanted == Filter.ALERTS:
            return self.open_alert
        if wanted == Filter.SILENT:
            return self.silent
        return True


@dataclass(frozen=True)
class Caseload:
    """What the caseload page shows."""

    rows: list[PatientRow]  # every matched row in the filter, in triage order
    total: int  # currently linked patients
    matched: int  # of those, matching the search
    counts: dict[Filter, int]  # of the matched, in each filter
    query: str
    filter: Filter
    notices: list[Notice]


@dataclass(frozen=True)
class Shown:
    """One page of a caseload's rows: `first` and `last` count from 1 (0 and 0 when there are none)."""

    rows: list[PatientRow]
    number: int
    first: int
    last: int
    pages: int

    @property
    def next_page(self) -> int | None:
        """The next page's number, if there is one."""
        return self.number + 1 if self.number < self.pages else None


def page_of(caseload: Caseload, number: int, size: int = PAGE_SIZE) -> Shown:
    """The rows of page `number` (past the last page: the last page)."""
    pages = max(math.ceil(len(caseload.rows) / size), 1)
    number = min(max(number, 1), pages)
    start = (number - 1) * size
    rows = caseload.rows[start:start + size]
    return Shown(rows, number, start + 1 if rows else 0, start + len(rows), pages)


UNREAD_NOTICES = prepared(lambda therapist: Notice.select().where((Notice.therapist == therapist) & Notice.read_at.is_null())
                          .order_by(Notice.created_at.desc(), Notice.id.desc()))
OPEN_ALERTS = prepared(lambda therapist: Alert.select(*ALERT_COLUMNS).where(
    Alert.patient.in_(CareLink.select(CareLink.patient).where((CareLink.therapist == therapist) & CareLink.ended_at.is_null()))
    & Alert.acknowledged_at.is_null()).order_by(Alert.created_at.desc(), Alert.id.desc()))


def unread_notices(therapist: User) -> list[Notice]:
    """The therapist's own notices not yet dismissed, newest first (one query)."""
    return UNREAD_NOTICES.all(therapist=therapist.id)


def mark_notice_read(therapist: User, notice_id: int, now: datetime | None = None) -> bool:
    """Mark one of the therapist's own notices read (once); False if it is not theirs or not there."""
    own = (Notice.id == notice_id) & (Notice.therapist == therapist.id)
    if Notice.update(read_at=now or utcnow()).where(own & Notice.read_at.is_null()).execute():
        return True
    return bool(Notice.select().where(own).exists())  # already dismissed (a second tap) is fine


def open_alerts(therapist: User) -> dict[int, list[Alert]]:
    """Every unacknowledged alert of the therapist's current patients, newest first, by patient (one query; never cached)."""
    alerts: dict[int, list[Alert]] = defaultdict(list)
    for a in read_prepared(OPEN_ALERTS, ALERT_COLUMNS, therapist=therapist.id):
        alerts[pid(a)].append(a)
    return alerts


def combine(patient_id: int, name: str, computed: Computed, alerts: list[Alert], therapist: User) -> PatientRow:
    """A row from its kept part and the patient's open alerts: the alerts' concerns go in their places in the order."""
    concerns = [
        alert_concern(Group.EMERGENCY, Level.EMERGENCY, alerts, therapist),
        alert_concern(Group.URGENT, Level.URGENT, alerts, therapist),
        computed.worsening,
        alert_concern(Group.CONTACT, Level.CONTACT_PT, alerts, therapist),
        *computed.later,
    ] if alerts else [computed.worsening, *computed.later]
    found = [c for c in concerns if c is not None]
    first = found[0] if found else computed.quiet
    return PatientRow(
        patient_id=patient_id,
        name=name,
        group=first.group,
        reason=first.words,
        also=tuple(c.short for c in found[1:]),
        days_in_program=computed.days_in_program,
        zone=computed.zone,
        trend=computed.trend,
        progress=computed.progress,
        trend_first=computed.trend_first,
        trend_zones=computed.trend_zones,
        walk_best=computed.walk_best,
        walk_baseline=computed.walk_baseline,
        sets_done=computed.sets_done,
        sets_planned=computed.sets_planned,
        paused=computed.paused,
        open_alert=bool(alerts),
        silent=any(c.group == Group.SILENT for c in found),
        when=first.when,
    )


def sort_key(row: PatientRow) -> tuple[int, float, str, int]:
    """Group first; then newest event first in the alert and worsening groups; then by name."""
    newest_first = -row.when.timestamp() if row.when is not None and row.group <= Group.CONTACT else 0.0
    return (int(row.group), newest_first, row.name.casefold(), row.patient_id)


def _compute_stale(therapist: User, entries: list[caseload_cache.Entry], everyone: bool, now: datetime) -> None:
    """Compute the entries with no kept part from six reads, and store them (one write)."""
    stale = [e for e in entries if e.computed is None]
    if not stale:
        return
    data = load(therapist, None if everyone and len(stale) == len(entries) else [e.patient_id for e in stale], now)
    per_day = current_content().plan.sets_per_day()
    for e in stale:
        e.computed = compute(e.patient(), data, therapist, now, per_day)
    caseload_cache.store(therapist, [(e, e.computed) for e in stale], now)  # type: ignore[misc]


_ROWS: Memo[PatientRow] = Memo(5000)  # rows by everything they are made from (the same inputs make the same row)


def _row(entry: caseload_cache.Entry, alerts: list[Alert], therapist: User) -> PatientRow:
    """The entry's row with its open alerts: made once per process for the same kept part, name, alerts and clock."""
    assert entry.computed is not None
    if entry.text is None:  # computed on this load
        return combine(entry.patient_id, entry.name, entry.computed, alerts, therapist)
    signature = tuple((a.id, a.level, a.created_at, tuple(a.reasons)) for a in alerts)
    key = (entry.patient_id, entry.name, entry.text, therapist.timezone, signature)
    computed = entry.computed
    return _ROWS.get(key, lambda: combine(entry.patient_id, entry.name, computed, alerts, therapist))


def build_caseload(therapist: User, now: datetime | None = None, query: str = "", filter: str = "all") -> Caseload:
    """The therapist's current patients in triage order, searched by name and filtered (see the module docstring)."""
    moment = to_utc(now) if now is not None else utcnow()
    wanted, needle = parse_filter(filter), parse_query(query).casefold()
    entries = caseload_cache.read_entries(therapist, moment)
    matched = [e for e in entries if needle in e.name.casefold()]
    alerts = open_alerts(therapist)
    _compute_stale(therapist, matched, not needle, moment)
    rows = sorted((_row(e, alerts.get(e.patient_id, []), therapist) for e in matched), key=sort_key)
    counts = {f: sum(1 for r in rows if r.matches(f)) for f in Filter}
    return Caseload(
        rows=[r for r in rows if r.matches(wanted)],
        total=len(entries),
        matched=len(matched),
        counts=counts,
        query=parse_query(query),
        filter=wanted,
        notices=unread_notices(therapist),
    )
