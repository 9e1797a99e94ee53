"""Step 3 of the caseload: the rows just computed are stored (models.CaseloadRow), one statement for all of them.

A stored row holds everything the caseload shows for a patient except the name and the open alerts, which every
load reads fresh, and beside it, in columns, its place in the triage order before alerts (clinical.caseload.standing):
a load orders, filters and counts every row from those and decodes only the rows of the page it shows. Step 1 (services/caseload_read.py) uses it only while all of these hold:
- its stamp equals the patient's PatientStamp version. Database triggers bump that version on every insert,
  update and delete of check-ins, walks, sets, self-checks, the profile, plan settings, care links and the
  player's state (selfcare/stamps.py), so a write shows on the next load. The stamp stored is the one read
  *before* the rows the row was computed from: a write that lands in between leaves the row stale, never hidden;
- its basis (the patient's and the therapist's time zones, the content and the row's format) is today's;
- computed_at <= now < valid_until: the earliest of the patient's next local midnight (the sparkline's days)
  and computed_at + MAX_AGE.
So the time-driven parts of a row (days since the last check-in, day in the program, walks and sets falling out of
their 3- and 7-day windows, re-evaluation rules coming due) show at most MAX_AGE (15 minutes) late; writes,
alerts, names and links show at once. The rows are data, not pages: nothing rendered is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from peewee import DatabaseError

from selfcare.clinical.caseload import Kept, kept_basis, standing
from selfcare.db import db
from selfcare.models import CaseloadRow, User
from selfcare.timeutil import day_bounds, local_now

log = logging.getLogger(__name__)

MAX_AGE = timedelta(minutes=15)


def valid_until(patient: User, now: datetime) -> datetime:
    """The earliest of the patient's next local midnight and now + MAX_AGE (stored naive UTC)."""
    midnight = day_bounds(patient, local_now(patient, now).date())[1]
    return min(midnight, now + MAX_AGE)


def store(therapist: User, computed: Sequence[tuple[User, int, Kept]], content_digest: str, now: datetime) -> None:
    """Keep freshly computed rows (patient, stamp read before their rows, row); a failure only costs the next load
    the same work."""
    if not computed:
        return
    rows = []
    for patient, stamp, kept in computed:
        place = standing(kept)
        rows.append({"therapist": therapist.id, "patient": patient.id, "stamp": stamp,
                     "basis": kept_basis(patient.timezone, therapist.timezone, content_digest),
                     "computed_at": now, "valid_until": valid_until(patient, now),
                     "rank": int(place.group), "ranked_at": place.when, "silent": place.silent, "data": kept.to_json()})
    kept_columns = [CaseloadRow.stamp, CaseloadRow.basis, CaseloadRow.computed_at, CaseloadRow.valid_until, CaseloadRow.rank,
                    CaseloadRow.ranked_at, CaseloadRow.silent, CaseloadRow.data]
    try:
        with db.atomic():  # a failed statement is rolled back here, not left open on a pooled connection
            CaseloadRow.insert_many(rows).on_conflict(conflict_target=[CaseloadRow.therapist, CaseloadRow.patient],
                                                      preserve=kept_columns).execute()
    except DatabaseError:  # e.g. the database is busy or read-only: the page is right without the stored rows
        log.warning("caseload rows not stored", exc_info=True)
