"""The stored caseload rows: one computed row per therapist and patient, kept until the patient's data or the clock moves.

A row (models.CaseloadRow) holds everything the caseload shows for a patient except the name and the open
alerts, which the page reads fresh on every load. It is used only while all of these hold:
- its stamp equals the patient's PatientStamp version. Database triggers bump that version on every insert,
  update and delete of check-ins, walks, sets, self-checks, the profile, plan settings, care links and the
  player's state (a plan held or re-enabled)
  (selfcare/stamps.py), so a write shows on the next load. The stamp stored is the one read *before* the
  rows the row was computed from: a write that lands in between leaves the row stale, never hidden;
- its basis (the patient's and the therapist's time zones, the content and this module's format) is today's;
- computed_at <= now < valid_until. valid_until is the earliest of the patient's next local midnight (the
  sparkline's days) and computed_at + MAX_AGE.

So the time-driven parts of a row (days since the last check-in, day in the program, walks and sets falling
out of their 3- and 7-day windows, re-evaluation rules coming due) show at most MAX_AGE (15 minutes) late;
writes, alerts, names and links show at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from peewee import JOIN, DatabaseError

from selfcare.clinical import Content, Progress, Trend, Zone
from selfcare.content import current_content
from selfcare.db import db
from selfcare.memo import Memo
from selfcare.models import CareLink, CaseloadRow, PatientStamp, User
from selfcare.prepared import prepared
from selfcare.services.caseload_rows import Computed, Concern, Group
from selfcare.services.rows import stored_time
from selfcare.timeutil import day_bounds, local_now

log = logging.getLogger(__name__)

MAX_AGE = timedelta(minutes=15)
FORMAT = 3  # bump when Computed, its JSON or its words change: older rows are then recomputed (3: progress, plan held)
ZONE_BY_VALUE: dict[str | None, Zone | None] = {None: None, **{z.value: z for z in Zone}}
GROUP_BY_NUMBER = {int(g): g for g in Group}
TREND_BY_VALUE = {t.value: t for t in Trend}
PROGRESS_BY_VALUE = {p.value: p for p in Progress}
_DECODED: Memo[Computed] = Memo(5000)  # decoded rows by their JSON text: most loads read the same rows again
_fingerprints: dict[int, tuple[Content, str]] = {}


def content_fingerprint(content: Content) -> str:
    """A short digest of the loaded content (rules, plan, words): a new content release recomputes every row."""
    kept = _fingerprints.get(id(content))
    if kept is None or kept[0] is not content:
        kept = (content, hashlib.sha256(repr(content).encode("utf-8")).hexdigest()[:16])
        _fingerprints[id(content)] = kept
    return kept[1]


def basis(patient_tz: str | None, therapist: User) -> str:
    """What a row was computed with besides the patient's rows and the time."""
    return f"{FORMAT}|{patient_tz or 'UTC'}|{therapist.timezone or 'UTC'}|{content_fingerprint(current_content())}"


@dataclass
class Entry:
    """One linked patient as the caseload's first query reads them, with their stored row if it is still good."""

    patient_id: int
    name: str
    timezone: str | None
    linked_at: datetime
    stamp: int  # the patient's stamp now (0 before any write)
    computed: Computed | None  # None: to be computed
    text: str | None = None  # the stored JSON of `computed` (a key for rows made from it)

    def patient(self) -> User:
        """A User with what computing the row needs (no query)."""
        user = User(id=self.patient_id, name=self.name, timezone=self.timezone or "UTC")
        user.linked_at = self.linked_at
        return user


ENTRIES = prepared(lambda therapist: (  # on every caseload load (see prepared.py)
    CareLink.select(User.id, User.name, User.timezone, CareLink.created_at, PatientStamp.version, CaseloadRow.stamp,
                    CaseloadRow.basis, CaseloadRow.computed_at, CaseloadRow.valid_until, CaseloadRow.data)
    .join(User, on=(CareLink.patient == User.id))
    .switch(CareLink)
    .join(PatientStamp, JOIN.LEFT_OUTER, on=(PatientStamp.patient_id == CareLink.patient))
    .switch(CareLink)
    .join(CaseloadRow, JOIN.LEFT_OUTER, on=((CaseloadRow.therapist == CareLink.therapist) & (CaseloadRow.patient == CareLink.patient)))
    .where((CareLink.therapist == therapist) & CareLink.ended_at.is_null())
    .order_by(User.name, User.id)
))


def read_entries(therapist: User, now: datetime) -> list[Entry]:
    """The therapist's current patients by name, with stamps and the stored rows still good at `now` (one query)."""
    entries, bases = [], {}
    for pid, name, tz, linked, current, stamp, kept_basis, computed_at, valid_until, data in ENTRIES.cursor(therapist=therapist.id)[1]:
        current, computed, text = current or 0, None, None
        if data is not None and stamp == current:
            if tz not in bases:
                bases[tz] = basis(tz, therapist)
            if kept_basis == bases[tz] and stored_time(computed_at) <= now < stored_time(valid_until):
                computed, text = decode(data), data
        entries.append(Entry(int(pid), name, tz, stored_time(linked), current, computed, text))
    return entries


def valid_until(patient: User, now: datetime) -> datetime:
    """The earliest of the patient's next local midnight and now + MAX_AGE (stored naive UTC)."""
    midnight = day_bounds(patient, local_now(patient, now).date())[1]
    return min(midnight, now + MAX_AGE)


def store(therapist: User, computed: list[tuple[Entry, Computed]], now: datetime) -> None:
    """Keep freshly computed rows (one statement); a failure only costs the next load the same work."""
    if not computed:
        return
    rows = [{"therapist": therapist.id, "patient": e.patient_id, "stamp": e.stamp, "basis": basis(e.timezone, therapist),
             "computed_at": now, "valid_until": valid_until(e.patient(), now), "data": encode(c)} for e, c in computed]
    kept = [CaseloadRow.stamp, CaseloadRow.basis, CaseloadRow.computed_at, CaseloadRow.valid_until, CaseloadRow.data]
    try:
        with db.atomic():  # a failed statement is rolled back here, not left open on a pooled connection
            CaseloadRow.insert_many(rows).on_conflict(conflict_target=[CaseloadRow.therapist, CaseloadRow.patient],
                                                      preserve=kept).execute()
    except DatabaseError:  # e.g. the database is busy or read-only: the page is right without the cache
        log.warning("caseload rows not stored", exc_info=True)


def _concern(c: Concern | None) -> list[Any] | None:
    return None if c is None else [int(c.group), c.words, c.short, c.when.isoformat() if c.when else None]


def _unconcern(v: list[Any]) -> Concern:
    return Concern(GROUP_BY_NUMBER[v[0]], v[1], v[2], datetime.fromisoformat(v[3]) if v[3] else None)


def encode(c: Computed) -> str:
    """A computed row as compact JSON text."""
    return json.dumps([
        _concern(c.worsening), [_concern(x) for x in c.later], _concern(c.quiet), c.days_in_program,
        c.zone.value if c.zone else None, c.trend.value, c.trend_first.isoformat(), [z.value if z else None for z in c.trend_zones],
        c.walk_best, c.walk_baseline, c.sets_done, c.sets_planned, c.paused, c.progress.value,
    ], separators=(",", ":"))


def decode(text: str) -> Computed:
    """A computed row from its JSON text (the same text gives the same row: kept decoded, a few thousand at most)."""
    return _DECODED.get(text, lambda: _decode(text))


def _decode(text: str) -> Computed:
    (worsening, later, quiet, days, zone, trend, first, zones, walk_best, walk_baseline, sets_done, sets_planned,
     paused, progress) = json.loads(text)
    return Computed(
        worsening=None if worsening is None else _unconcern(worsening), later=tuple(_unconcern(x) for x in later),
        quiet=_unconcern(quiet),
        days_in_program=days, zone=ZONE_BY_VALUE[zone], trend=TREND_BY_VALUE[trend], trend_first=date.fromisoformat(first),
        trend_zones=tuple(ZONE_BY_VALUE[z] for z in zones), walk_best=walk_best, walk_baseline=walk_baseline,
        sets_done=sets_done, sets_planned=sets_planned, paused=paused, progress=PROGRESS_BY_VALUE[progress],
    )
