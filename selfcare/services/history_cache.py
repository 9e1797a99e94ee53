"""Built histories (with their charts) kept in each worker until the data in them changes.

A year of history takes ~10 ms to read and draw, and the same patient opens it again and again (switching
ranges, coming back from a check-in). What it shows depends only on the patient's check-ins, walks and sets
in the period, the period itself (their time zone and today's date on their clock), the content and the
region's word for the therapist (in the progress sentences). So a built one is kept under (patient, days,
period, time zone, data stamp, therapist word, content) and used while all of them
are the same: database triggers bump the patient's stamp on every write to those tables (selfcare/stamps.py),
so any new or changed entry, from any worker, form, the API or the offline sync, makes the next view
rebuild. Reading the stamp is one small query (history reads four).

The kept entries live on the database object (a new app or database starts empty), at most KEPT of them
(least recently used go first), and none older than MAX_AGE (a bound for what triggers cannot see, such as a
restored backup whose stamps happen to match).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from markupsafe import Markup

from selfcare.charts import history_charts
from selfcare.content import current_content
from selfcare.db import db
from selfcare.models import PatientStamp, User, utcnow
from selfcare.prepared import prepared
from selfcare.progress_words import therapist_word
from selfcare.services.history import History, build_history, period_for
from selfcare.timeutil import zone_of

KEPT = 64  # a 365-day entry is ~350 KB: its charts ~130 KB, the history page's piece ~150 KB (patient/history.py)
MAX_AGE = 600.0  # seconds

_STAMP = prepared(lambda patient: PatientStamp.select(PatientStamp.version).where(PatientStamp.patient_id == patient))
_LOCK = threading.Lock()
T = TypeVar("T")


@dataclass(frozen=True)
class Shown:
    """A history and its charts (None when nothing was recorded), as the pages show them."""

    history: History
    charts: dict[str, Markup] | None
    pieces: dict[str, tuple[object, Any]] = field(default_factory=dict, compare=False, repr=False)

    def piece(self, name: str, version: object, render: Callable[[], T]) -> T:
        """Markup made from this history alone (no per-request part), kept with it: `render()` once per `version`.

        `version` is what else the markup comes from (the template object, new when the template is
        reloaded); two requests at once may both render it, and write the same thing.
        """
        found = self.pieces.get(name)
        if found is None or found[0] is not version:
            found = self.pieces[name] = (version, render())
        return found[1]  # type: ignore[no-any-return]


def _kept() -> OrderedDict[Hashable, tuple[float, object, Any]]:
    """This database's kept histories: key -> (when kept, the content it was built with, what was built)."""
    database = db.obj
    kept = getattr(database, "_selfcare_histories", None)
    if kept is None:
        kept = OrderedDict()
        database._selfcare_histories = kept
    return kept


def _remember(key: Hashable, content: object, build: Callable[[], T]) -> T:
    """The value kept under `key` (built with this content, not too old), or `build()` kept now."""
    kept, clock = _kept(), time.monotonic()
    with _LOCK:
        found = kept.get(key)
        if found is not None and found[1] is content and clock - found[0] < MAX_AGE:
            kept.move_to_end(key)
            return found[2]  # type: ignore[return-value]
    value = build()
    with _LOCK:
        kept[key] = (clock, content, value)
        while len(kept) > KEPT:
            kept.popitem(last=False)
    return value


def history_with_charts(patient: User, days: int, now: datetime | None = None) -> Shown:
    """The patient's history for the last `days` days and its charts: kept, or built (and kept) now."""
    moment = now or utcnow()
    content = current_content()
    period = period_for(patient, days, moment)
    stamp = _STAMP.scalar(patient=patient.id)  # read before the rows: a write after it moves the stamp again
    therapist = therapist_word(patient)  # the progress sentences say "Let your physiotherapist know" in the patient's words

    def build() -> Shown:
        history = build_history(patient, days, moment, therapist=therapist)
        names = {info.zone: info.name for info in content.zones}
        return Shown(history, None if history.empty else history_charts(history.series, names))

    key = ("history", patient.id, days, period.first, period.last, zone_of(patient).key, stamp, therapist)
    return _remember(key, content, build)
