"""Stored rows as the API's response models: times in UTC with their offset, ids as the client sent them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast, overload

from selfcare.api import schemas as s
from selfcare.api import schemas_care as c
from selfcare.clinical import Ability, Level, Response, Screen, Side, Step, StopReason, Zone
from selfcare.models import Alert, CheckIn, ExerciseSet, SelfCheck, Walk
from selfcare.services import player
from selfcare.services import selfchecks as selfcheck_service


@overload
def utc(moment: datetime) -> datetime: ...
@overload
def utc(moment: datetime | None) -> datetime | None: ...
def utc(moment: datetime | None) -> datetime | None:
    """A stored (naive UTC) or aware time as aware UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def reading(zone: str, side: str | None, leg: int, back: int) -> s.Reading:
    """A reading."""
    return s.Reading(zone=Zone(zone), side=side_of(side), leg_pain=leg, back_pain=back)


def side_of(side: str | None) -> Side | None:
    """A stored side (None when the zone is none)."""
    return Side(side) if side is not None else None


def walk(row: Walk, checkin_uuid: Any = None) -> s.WalkOut:
    """A walk; `checkin_uuid` names the check-in it came with."""
    return s.WalkOut(
        id=row.uuid, recorded_at=utc(row.recorded_at), received_at=utc(row.received_at), minutes=row.minutes,
        onset_minutes=row.onset_minutes, checkin_id=checkin_uuid,
    )


def checkins(rows: list[CheckIn]) -> list[s.CheckInOut]:
    """Check-ins with their walks and alerts (two queries for the page, however long)."""
    ids = [row.id for row in rows]
    walks = {w.checkin_id: w for w in Walk.select().where(Walk.checkin.in_(ids))} if ids else {}
    alerts = {a.checkin_id: a.id for a in Alert.select(Alert.id, Alert.checkin).where(Alert.checkin.in_(ids))} if ids else {}
    return [checkin(row, walks.get(row.id), alerts.get(row.id)) for row in rows]


def checkin(row: CheckIn, walk_row: Walk | None, alert_id: int | None) -> s.CheckInOut:
    """One check-in."""
    return s.CheckInOut(
        id=row.uuid, recorded_at=utc(row.recorded_at), received_at=utc(row.received_at), red_flags=row.red_flags,
        reading=reading(row.zone, row.side, row.leg_pain, row.back_pain), sensations=row.sensations,
        worse_with=row.worse_with, walk=walk(walk_row, row.uuid) if walk_row else None,
        triage=s.TriageOut(level=Level(row.level), reasons=row.reasons), alert_id=alert_id,
    )


def walks(rows: list[Walk]) -> list[s.WalkOut]:
    """Walks, naming the check-in each came with (one query for the page)."""
    ids = {row.checkin_id for row in rows if row.checkin_id}
    uuids = {c.id: c.uuid for c in CheckIn.select(CheckIn.id, CheckIn.uuid).where(CheckIn.id.in_(list(ids)))} if ids else {}
    return [walk(row, uuids.get(row.checkin_id) if row.checkin_id else None) for row in rows]


def self_checks(rows: list[SelfCheck]) -> list[s.SelfCheckOut]:
    """Self-checks with the alert each raised (one query for the page)."""
    if not rows:
        return []
    patient_ids = {row.patient_id for row in rows}
    found = Alert.select().where(
        Alert.patient.in_(list(patient_ids)) & (Alert.source == selfcheck_service.SOURCE)
        & Alert.created_at.in_([row.received_at for row in rows])
    )
    alerts = {(a.patient_id, a.created_at): a for a in found}
    return [self_check(row, alerts.get((row.patient_id, row.received_at))) for row in rows]


def self_check(row: SelfCheck, alert: Alert | None) -> s.SelfCheckOut:
    """One self-check; its triage is the alert it raised (none if it raised none)."""
    triage = s.TriageOut(level=Level(alert.level), reasons=alert.reasons) if alert else s.TriageOut(level=Level.NONE, reasons=[])
    return s.SelfCheckOut(
        id=row.uuid, recorded_at=utc(row.recorded_at), received_at=utc(row.received_at), heel_walk=Ability(row.heel_walk),
        toe_walk=Ability(row.toe_walk), big_toe_lift=Ability(row.big_toe_lift), numb_areas=row.numb_areas, triage=triage,
        alert_id=alert.id if alert else None,
    )


def exercise_set(row: ExerciseSet) -> c.SetOut:
    """One set with the readings around it."""
    after = None
    if row.after_zone is not None and row.after_leg_pain is not None and row.after_back_pain is not None:
        after = reading(row.after_zone, None, row.after_leg_pain, row.after_back_pain)
    return c.SetOut(
        id=row.uuid, started_at=utc(row.started_at), finished_at=utc(row.finished_at),
        before=reading(row.before_zone, None, row.before_leg_pain, row.before_back_pain), after=after,
        response=Response(row.response) if row.response else None, outcome=row.outcome,
        stop_reason=StopReason(row.stop_reason) if row.stop_reason else None, sets=row.sets, progressed=row.progressed,
    )


def step(item: Step) -> c.StepOut:
    """A protocol step."""
    return c.StepOut(
        id=item.id, kind=item.kind.value, title=item.title, instructions=item.instructions, stop_rule=item.stop_rule,
        source=item.source, seconds=item.seconds, reps=item.reps, pause_seconds=item.pause_seconds, per_set=item.per_set,
    )


def screen(item: Screen) -> c.ScreenOut:
    """What the patient should see."""
    return c.ScreenOut(
        kind=item.kind, step=step(item.step) if item.step else None, set_number=item.set_number, sets=item.sets,
        deadline=utc(item.deadline), next_at=utc(item.next_at), response=item.response, level=item.level,
        reason=item.reason, exhale=item.exhale, until_cleared=item.until_cleared,
    )


def session(view: player.PlayerView) -> c.SessionOut:
    """The player as it stands."""
    return c.SessionOut(
        phase=view.state.phase, screen=screen(view.screen), paused_by_therapist=view.paused_by_therapist,
        pause_message=view.setting.pause_message if view.paused_by_therapist and view.setting else None,
        current_set_id=view.current_set.uuid if view.current_set else None,
    )


def alerts(rows: Iterable[Alert], names: dict[int, str]) -> list[c.AlertOut]:
    """Alerts; `names` gives the acknowledging therapists' names by id."""
    return [
        c.AlertOut(
            id=a.id, patient_id=a.patient_id, level=Level(a.level), reasons=a.reasons, source=cast(c.AlertSource, a.source),
            created_at=utc(a.created_at), confirmed_at=utc(a.confirmed_at), acknowledged_at=utc(a.acknowledged_at),
            acknowledged_by=c.Person(id=a.acknowledged_by_id, name=names.get(a.acknowledged_by_id, "A former therapist"))
            if a.acknowledged_by_id else None,
            acknowledgement=a.acknowledgement, followup_answer=cast("c.FollowUpAnswer | None", a.followup_answer), followup_at=utc(a.followup_at),
        )
        for a in rows
    ]
