"""The therapist's triaged caseload: every currently linked patient, most in need of attention first.

One build runs four steps in order, none calling back into an earlier one:
1. read (services/caseload_read.py): the linked patients with their data stamps and stored rows (each row's place in
   the order and its JSON, not decoded), open alerts and notices (three queries); then, for the patients whose stored row is missing or stale, their recent rows and
   the sparkline's days from the daily summary (seven more queries, however many patients);
2. compute (services/caseload_rows.py, rules in clinical/caseload.py): each of those patients' row;
3. store (services/caseload_store.py): the computed rows, one statement;
4. present (here): every patient placed in the order from their row's stored place and their open alerts
   (clinical/caseload.py), searched, sorted, filtered and counted; then only the rows of the page shown are decoded
   and put in words (the 50 of 200 a page draws).
Alerts, names and links are read fresh on every load, so an emergency is never hidden or late.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from selfcare.clinical import Progress, Trend, Zone
from selfcare.clinical.caseload import (
    GROUP_LABELS,
    SILENT_DAYS,
    Group,
    Kept,
    OpenAlert,
    Said,
    Standing,
    order_key,
    place,
    rank,
    standing,
)
from selfcare.content import content_digest, current_content
from selfcare.models import Notice, User, utcnow
from selfcare.progress_words import LABELS as PROGRESS_LABELS
from selfcare.services import caseload_read, caseload_rows, caseload_store
from selfcare.services.caseload_read import Linked
from selfcare.timeutil import to_utc

__all__ = ["Caseload", "Filter", "Group", "PatientRow", "build_caseload", "mark_notice_read", "parse_filter", "parse_page", "parse_query"]

QUERY_MAX = 80  # a name is at most 80 characters (User.name)
PAGE_SIZE = 50  # rows drawn per page: drawing all 200 rows alone took longer than the page's budget
ATTENTION = frozenset(g for g in Group if g <= Group.SILENT)


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
    trend_first: date  # the first day of the sparkline
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


@dataclass(frozen=True)
class Page:
    """Which of the listed rows a caseload shows: `first` and `last` count from 1 (0 and 0 when there are none)."""

    number: int
    first: int
    last: int
    pages: int

    @property
    def next_page(self) -> int | None:
        """The next page's number, if there is one."""
        return self.number + 1 if self.number < self.pages else None


def page_of(listed: int, number: int | None, size: int = PAGE_SIZE) -> Page:
    """Page `number` of `listed` rows (past the last page: the last page; None: every row on one page)."""
    if number is None:
        return Page(1, 1 if listed else 0, listed, 1)
    pages = max(math.ceil(listed / size), 1)
    number = min(max(number, 1), pages)
    start = (number - 1) * size
    shown = max(min(size, listed - start), 0)
    return Page(number, start + 1 if shown else 0, start + shown, pages)


@dataclass(frozen=True)
class Caseload:
    """What the caseload page shows."""

    rows: list[PatientRow]  # the rows of `page`, in triage order
    listed: int  # rows in the filter, on every page
    total: int  # currently linked patients
    matched: int  # of those, matching the search
    counts: dict[Filter, int]  # of the matched, in each filter
    query: str
    filter: Filter
    notices: list[Notice]
    page: Page


class Placed(NamedTuple):
    """A patient's place in the list on this load, before their row is decoded."""

    patient: Linked
    group: Group
    when: datetime | None
    silent: bool
    alerts: list[OpenAlert]

    def matches(self, wanted: Filter) -> bool:
        """Whether the row belongs in the list for a filter."""
        if wanted == Filter.ATTENTION:
            return self.group in ATTENTION
        if wanted == Filter.ALERTS:
            return bool(self.alerts)
        if wanted == Filter.SILENT:
            return self.silent
        return True


def placed(patient: Linked, kept: Standing, alerts: list[OpenAlert]) -> Placed:
    """A patient placed by their row's place before alerts and their open alerts."""
    group, when = rank(kept, alerts)
    return Placed(patient, group, when, kept.silent, alerts)


def sort_key(row: Placed) -> tuple[int, float, str, int]:
    """Group first; then newest event first in the alert and worsening groups; then by name."""
    return order_key(row.group, row.when, row.patient.name, row.patient.id)


def mark_notice_read(therapist: User, notice_id: int, now: datetime | None = None) -> bool:
    """Mark one of the therapist's own notices read (once); False if it is not theirs or not there."""
    own = (Notice.id == notice_id) & (Notice.therapist == therapist.id)
    if Notice.update(read_at=now or utcnow()).where(own & Notice.read_at.is_null()).execute():
        return True
    return bool(Notice.select().where(own).exists())  # already dismissed (a second tap) is fine


def present(patient: Linked, kept: Kept, alerts: list[OpenAlert], said: Said) -> PatientRow:
    """A row from its kept part and the patient's open alerts: the alerts' concerns go in their places in the order."""
    first, others = place(kept, alerts, said)
    return PatientRow(
        patient_id=patient.id,
        name=patient.name,
        group=first.group,
        reason=first.words,
        also=tuple(c.short for c in others),
        days_in_program=kept.days_in_program,
        zone=kept.zone,
        trend=kept.trend,
        progress=kept.progress,
        trend_first=kept.trend_first,
        trend_zones=kept.trend_zones,
        walk_best=kept.walk_best,
        walk_baseline=kept.walk_baseline,
        sets_done=kept.sets_done,
        sets_planned=kept.sets_planned,
        paused=kept.paused,
        open_alert=bool(alerts),
        silent=any(c.group == Group.SILENT for c in (first, *others)),
        when=first.when,
    )


def build_caseload(therapist: User, now: datetime | None = None, query: str = "", filter: str = "all",
                   page: int | None = None) -> Caseload:
    """The therapist's current patients in triage order, searched by name and filtered, with the rows of `page`
    (None: every row) in words (see the module docstring)."""
    moment = to_utc(now) if now is not None else utcnow()
    wanted, needle = parse_filter(filter), parse_query(query).casefold()
    content = current_content()
    digest = content_digest()  # a new content release computes every row again
    # 1. Read.
    snapshot = caseload_read.linked(therapist, moment, digest)
    matched = [p for p in snapshot.linked if needle in p.name.casefold()]
    stale = [p for p in matched if p.stored is None]
    everyone = not needle and len(stale) == len(snapshot.linked)
    inputs = caseload_read.inputs(therapist, None if everyone else [p.id for p in stale], moment) if stale else None
    # 2. Compute.
    said = caseload_rows.said_by(therapist)
    patients = {p.id: p.user() for p in stale}
    fresh = {} if inputs is None else {p.id: caseload_rows.compute(patients[p.id], inputs, content, moment, said) for p in stale}
    # 3. Store.
    caseload_store.store(therapist, [(patients[p.id], p.stamp, fresh[p.id]) for p in stale], digest, moment)
    # 4. Present: everyone placed and counted from their place before alerts; only the rows shown are decoded.
    order = sorted((placed(p, p.stored.standing if p.stored else standing(fresh[p.id]), snapshot.alerts.get(p.id, []))
                    for p in matched), key=sort_key)
    listed = [row for row in order if row.matches(wanted)]
    shown = page_of(len(listed), page)
    rows = [present(row.patient, fresh[row.patient.id] if row.patient.stored is None else Kept.from_json(row.patient.stored.data),
                    row.alerts, said)
            for row in listed[shown.first - 1:shown.last]] if shown.first else []
    return Caseload(
        rows=rows,
        listed=len(listed),
        total=len(snapshot.linked),
        matched=len(matched),
        counts={f: sum(1 for row in order if row.matches(f)) for f in Filter},
        query=parse_query(query),
        filter=wanted,
        notices=snapshot.notices,
        page=shown,
    )
