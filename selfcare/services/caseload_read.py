"""Step 1 of the caseload: every read (services/caseload.py runs the steps in order).

`linked` reads the therapist's current patients with their data stamps and stored rows (each row's place in the order
and its JSON text, left undecoded), their open alerts and the therapist's notices (three queries). `inputs` reads what computing rows needs for the patients whose stored row is
missing or stale (seven queries, however many patients): each table once for all of them, through the care link,
in a recent window, and the sparkline's days from the daily summary rows (models.DailySummary), not every entry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from collections.abc import Iterable
from typing import Any, NamedTuple, cast

from peewee import JOIN, Case

from selfcare.clinical.caseload import GROUP_OF, TREND_DAYS, OpenAlert, Standing, kept_basis
from selfcare.models import (
    Alert,
    CareLink,
    CaseloadRow,
    CheckIn,
    DailySummary,
    ExerciseSet,
    Notice,
    PatientStamp,
    PlanSetting,
    PlayerState,
    Profile,
    SelfCheck,
    User,
    Walk,
)
from selfcare.services.followups import THERAPIST_WORDS as FOLLOWUP_WORDS
from selfcare.services.followups import FollowUp
from selfcare.services.reevaluation import LOOK_BACK_DAYS
from selfcare.statements import Statement, as_model


class Stored(NamedTuple):
    """A stored row that still holds: its place in the order before alerts, and its JSON text (clinical Kept.to_json)."""

    standing: Standing
    data: str


class Linked(NamedTuple):
    """One currently linked patient, with their data stamp now (0 before any write) and their stored row if it holds."""

    id: int
    name: str
    timezone: str
    linked_at: datetime  # when the care link began
    stamp: int
    stored: Stored | None  # None: to be computed

    def user(self) -> User:
        """The patient as computing a row needs them: id, name, time zone and `linked_at`."""
        patient = User(id=self.id, name=self.name, timezone=self.timezone)
        patient.linked_at = self.linked_at
        return patient


@dataclass(frozen=True)
class Snapshot:
    """What every caseload load reads."""

    linked: list[Linked]  # by name
    alerts: dict[int, list[OpenAlert]]  # unacknowledged, newest first, by patient id
    notices: list[Notice]  # the therapist's own, not yet dismissed, newest first


@dataclass
class Inputs:
    """Rows of every table but alerts, grouped by patient id, for the rows to compute."""

    profiles: dict[int, Profile] = field(default_factory=dict)
    states: dict[int, tuple[Any, datetime | None]] = field(default_factory=dict)  # player state JSON, when it changed
    settings: dict[int, PlanSetting] = field(default_factory=dict)
    checkins: dict[int, list[CheckIn]] = field(default_factory=lambda: defaultdict(list))
    walks: dict[int, list[Walk]] = field(default_factory=lambda: defaultdict(list))
    sets: dict[int, list[ExerciseSet]] = field(default_factory=lambda: defaultdict(list))
    checks: dict[int, list[SelfCheck]] = field(default_factory=lambda: defaultdict(list))
    zones: dict[int, dict[date, str | None]] = field(default_factory=lambda: defaultdict(dict))  # daily summary zones


def _linked_query(therapist: Any, now: Any) -> Any:
    """The therapist's current patients by name: id, name, time zone, when the link began and data stamp, with their
    stored row's stamp, basis, whether it holds at `now` (compared in SQL), place before alerts and JSON text."""
    fresh = Case(None, [((CaseloadRow.computed_at <= now) & (CaseloadRow.valid_until > now), 1)], 0)
    return (CareLink.select(User.id, User.name, User.timezone, CareLink.created_at, PatientStamp.version, CaseloadRow.stamp,
                            CaseloadRow.basis, fresh.alias("fresh"), CaseloadRow.rank, CaseloadRow.ranked_at,
                            CaseloadRow.silent, CaseloadRow.data)
            .join(User, on=(CareLink.patient == User.id))
            .switch(CareLink)
            .join(PatientStamp, JOIN.LEFT_OUTER, on=(PatientStamp.patient_id == CareLink.patient))
            .switch(CareLink)
            .join(CaseloadRow, JOIN.LEFT_OUTER,
                  on=((CaseloadRow.therapist == CareLink.therapist) & (CaseloadRow.patient == CareLink.patient)))
            .where((CareLink.therapist == therapist) & CareLink.ended_at.is_null())
            .order_by(User.name, User.id))


def _open_alerts_query(therapist: Any) -> Any:
    """Every unacknowledged alert of the therapist's current patients, newest first: patient, level, reasons, when,
    and the patient's answer to the follow-up question."""
    return (Alert.select(Alert.patient, Alert.level, Alert.reasons, Alert.created_at, Alert.followup_answer)
            .where(Alert.patient.in_(linked_ids(therapist)) & Alert.acknowledged_at.is_null())
            .order_by(Alert.created_at.desc(), Alert.id.desc()))


def _notices_query(therapist: Any) -> Any:
    """The therapist's own notices not yet dismissed, newest first (every column)."""
    return (Notice.select(*NOTICE_FIELDS).where((Notice.therapist == therapist) & Notice.read_at.is_null())
            .order_by(Notice.created_at.desc(), Notice.id.desc()))


NOTICE_FIELDS = tuple(Notice._meta.sorted_fields)
# Run on every load: written as SQL once (selfcare/statements.py), each run only sends the values.
LINKED, OPEN_ALERTS, NOTICES = Statement(_linked_query), Statement(_open_alerts_query), Statement(_notices_query)


def linked(therapist: User, now: datetime, content_digest: str) -> Snapshot:
    """The therapist's current patients with stamps and the stored rows that still hold at `now` (see
    services/caseload_store.py), their open alerts, and the notices (three queries)."""
    patients, therapist_tz = [], therapist.timezone
    for pid, name, tz, linked_at, version, stamp, basis, fresh_now, rank, ranked_at, silent, data in LINKED.rows(
            therapist=therapist.id, now=now):
        holds = stamp == (version or 0) and fresh_now == 1 and basis == kept_basis(tz, therapist_tz, content_digest)
        stored = Stored(Standing(GROUP_OF[rank], ranked_at, bool(silent)), data) if holds and rank is not None and data is not None else None
        patients.append(Linked(pid, name, tz or "UTC", linked_at, version or 0, stored))
    return Snapshot(patients, open_alerts(therapist), unread_notices(therapist))


def open_alerts(therapist: User) -> dict[int, list[OpenAlert]]:
    """Every unacknowledged alert of the therapist's current patients, newest first, by patient (one query)."""
    alerts: dict[int, list[OpenAlert]] = defaultdict(list)
    for patient, level, reasons, created_at, followup in OPEN_ALERTS.rows(therapist=therapist.id):
        alerts[patient].append(OpenAlert(level, tuple(reasons), created_at,
                                         FOLLOWUP_WORDS.get(FollowUp(followup)) if followup else None))
    return alerts


def unread_notices(therapist: User) -> list[Notice]:
    """The therapist's own notices not yet dismissed, newest first (one query)."""
    return [as_model(Notice, NOTICE_FIELDS, row)
            for row in NOTICES.rows(therapist=therapist.id)]


def linked_ids(therapist: Any) -> Any:
    """A subquery of the ids of this therapist's current patients (ended links excluded); `therapist` is their id."""
    return CareLink.select(CareLink.patient).where((CareLink.therapist == therapist) & CareLink.ended_at.is_null())


def inputs(therapist: User, only: list[int] | None, now: datetime) -> Inputs:
    """Each table read once for the therapist's linked patients (or `only` those of them): seven queries."""

    def scope(column: Any) -> Any:
        condition = column.in_(linked_ids(therapist.id))
        return condition if only is None else condition & column.in_(only)

    since = now - timedelta(days=LOOK_BACK_DAYS)
    data = Inputs()
    # The player's state (is the plan held?) comes with the profile, in the same query: there is none before onboarding.
    profiles = (Profile.select(Profile, PlayerState.state.alias("player_state"), PlayerState.updated_at.alias("player_updated_at"))
                .join(PlayerState, JOIN.LEFT_OUTER, on=(PlayerState.patient == Profile.patient))
                .where(scope(Profile.patient)).objects())
    for p in profiles:
        data.profiles[p.patient_id] = p
        state = p.player_state  # type: ignore[attr-defined]  # the joined column, by its alias (peewee sets it on the row)
        if state is not None:
            data.states[p.patient_id] = (state, p.player_updated_at)  # type: ignore[attr-defined]  # the same
    data.settings = {s.patient_id: s for s in PlanSetting.select().where(scope(PlanSetting.patient))}
    checkins = scope(CheckIn.patient) & (CheckIn.recorded_at >= since)
    for c in (CheckIn.select(CheckIn.id, CheckIn.patient, CheckIn.recorded_at, CheckIn.zone, CheckIn.side, CheckIn.leg_pain,
                             CheckIn.back_pain, CheckIn.red_flags)
              .where(checkins).order_by(CheckIn.recorded_at, CheckIn.id)):
        data.checkins[c.patient_id].append(c)
    # Walks of the window, and any walk logged with a check-in of the window (as `due_prompts` reads them).
    walks = scope(Walk.patient) & ((Walk.recorded_at >= since) | Walk.checkin.in_(CheckIn.select(CheckIn.id).where(checkins)))
    for w in (Walk.select(Walk.id, Walk.patient, Walk.checkin, Walk.recorded_at, Walk.minutes, Walk.onset_minutes)
              .where(walks).order_by(Walk.recorded_at, Walk.id)):
        data.walks[w.patient_id].append(w)
    sets = scope(ExerciseSet.patient) & (ExerciseSet.started_at >= now - timedelta(days=TREND_DAYS + 1))
    for s in (ExerciseSet.select(ExerciseSet.id, ExerciseSet.patient, ExerciseSet.started_at, ExerciseSet.response,
                                 ExerciseSet.outcome, ExerciseSet.stop_reason)
              .where(sets).order_by(ExerciseSet.started_at, ExerciseSet.id)):
        data.sets[s.patient_id].append(s)
    for k in SelfCheck.select().where(scope(SelfCheck.patient) & (SelfCheck.recorded_at >= since)).order_by(SelfCheck.recorded_at):
        data.checks[k.patient_id].append(k)
    # The sparkline's days: local days, so read a day either side of the UTC dates and let each patient's clock choose.
    first = (now - timedelta(days=TREND_DAYS + 1)).date()
    for patient_id, day, zone in cast(Iterable[tuple[int, date, str | None]], DailySummary.select(DailySummary.patient, DailySummary.day, DailySummary.zone)
                                  .where(scope(DailySummary.patient) & (DailySummary.day >= first)).tuples()):
        data.zones[patient_id][day] = zone
    return data
