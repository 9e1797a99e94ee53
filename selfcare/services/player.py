"""The protocol player: the patient's plan, their stored place in it, and the sets they did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from selfcare.clinical import (
    Event,
    EventKind,
    Phase,
    Plan,
    Screen,
    SessionState,
    adjust_plan,
    advance,
    screen_for,
)
from selfcare.content import current_content
from selfcare.db import db, is_postgresql
from peewee import JOIN, fn

from selfcare.models import ExerciseSet, PlanSetting, PlayerState, User
from selfcare.services.daily_summary import refresh_days
from selfcare.statements import Statement, as_model
from selfcare.timeutil import day_bounds, local_now, to_utc

# Phases in which a set is under way: a set row is open from START until the state leaves these.
UNDER_WAY = (Phase.STEP, Phase.RECHECK)


@dataclass(frozen=True)
class PlayerView:
    """Everything the player page shows."""

    plan: Plan
    state: SessionState
    screen: Screen
    current_set: ExerciseSet | None
    setting: PlanSetting | None
    updated_at: datetime | None = None  # when the server's state last changed (UTC); None: it never has

    @property
    def paused_by_therapist(self) -> bool:
        """The therapist has paused the exercises ("stop the exercises and call me")."""
        return bool(self.setting and self.setting.paused)


SETTING_FIELDS, STATE_FIELDS = tuple(PlanSetting._meta.sorted_fields), tuple(PlayerState._meta.sorted_fields)
SET_FIELDS = tuple(ExerciseSet._meta.sorted_fields)
SETTING = Statement(lambda patient: PlanSetting.select(*SETTING_FIELDS).where(PlanSetting.patient == patient).limit(1))


def plan_setting(patient: User) -> PlanSetting | None:
    """The therapist's changes to this patient's plan, if any."""
    row = SETTING.first(patient=patient.id)
    return None if row is None else as_model(PlanSetting, SETTING_FIELDS, row)


UNREAD: Any = object()  # plan_for's `setting` when the caller has not read it (None: read, and there is none)


def plan_for(patient: User, setting: PlanSetting | None = UNREAD) -> Plan:
    """The plan from content/ with the therapist's changes applied."""
    plan = current_content().plan
    setting = plan_setting(patient) if setting is UNREAD else setting
    return adjust_plan(plan, setting.changes) if setting and setting.changes else plan


def _state_row(patient: int) -> Any:
    """The stored state row, locked for the rest of the transaction on PostgreSQL (SQLite's IMMEDIATE transactions
    hold the write lock already; the statement is written for each database)."""
    query = PlayerState.select(*STATE_FIELDS).where(PlayerState.patient == patient).limit(1)
    return query.for_update() if is_postgresql() else query


STATE_ROW = Statement(_state_row)


def _row(patient: User) -> PlayerState | None:
    """The stored state row, locked on PostgreSQL until the transaction ends."""
    row = STATE_ROW.first(patient=patient.id)
    return None if row is None else as_model(PlayerState, STATE_FIELDS, row)


def _setting_and_state(patient: int) -> Any:
    """The patient's plan setting, player state row and set under way side by side (each all None when there is none)."""
    return (User.select(*SETTING_FIELDS, *STATE_FIELDS, *SET_FIELDS)
            .join(PlanSetting, JOIN.LEFT_OUTER, on=(PlanSetting.patient == User.id))
            .switch(User).join(PlayerState, JOIN.LEFT_OUTER, on=(PlayerState.patient == User.id))
            .join(ExerciseSet, JOIN.LEFT_OUTER, on=(ExerciseSet.id == PlayerState.current_set))
            .where(User.id == patient).limit(1))


SETTING_AND_STATE = Statement(_setting_and_state)


def _setting_and_row(patient: User) -> tuple[PlanSetting | None, PlayerState | None]:
    """The plan setting and the state row (with its set under way). Inside a transaction on PostgreSQL the state row
    is locked, and a lock cannot reach the missing side of an outer join: two statements then (and the set under way
    read when asked for); else one (a page's read, or a change on SQLite)."""
    if is_postgresql() and db.in_transaction():
        return plan_setting(patient), _row(patient)
    found = SETTING_AND_STATE.first(patient=patient.id)
    if found is None:
        return None, None
    setting = found[:len(SETTING_FIELDS)]
    state = found[len(SETTING_FIELDS):len(SETTING_FIELDS) + len(STATE_FIELDS)]
    current = found[len(SETTING_FIELDS) + len(STATE_FIELDS):]
    row = None if state[0] is None else as_model(PlayerState, STATE_FIELDS, state)
    if row is not None and current[0] is not None:
        row.current_set = as_model(ExerciseSet, SET_FIELDS, current)
    return None if setting[0] is None else as_model(PlanSetting, SETTING_FIELDS, setting), row


def load(patient: User, now: datetime | None = None) -> PlayerView:
    """The player as it stands: a reload shows the same step and the same deadline."""
    setting, row = _setting_and_row(patient)
    plan = plan_for(patient, setting)
    state = SessionState.from_dict(row.state) if row else SessionState()
    current = row.current_set if row and row.current_set_id else None
    return PlayerView(plan, state, screen_for(plan, state, local_now(patient, now)), current, setting,
                      row.updated_at if row else None)


def apply(patient: User, event: Event, now: datetime | None = None) -> PlayerView:
    """Apply one event at `now` (aware or UTC); record set rows as sets start and end."""
    moment = local_now(patient, now)
    with db.atomic():
        setting, row = _setting_and_row(patient)
        plan = plan_for(patient, setting)
        state = SessionState.from_dict(row.state) if row else SessionState()
        if event.kind == EventKind.START and setting and setting.paused:
            raise PausedByTherapist(setting.pause_message or "")
        outcome = advance(plan, state, event, moment)
        current = row.current_set if row and row.current_set_id else None
        touched = []  # the sets started or finished now: their day's summary row changes
        if current is None and event.kind == EventKind.START and outcome.state.phase in UNDER_WAY and event.reading:
            current = ExerciseSet.create(
                patient=patient, started_at=to_utc(moment), before_zone=event.reading.zone.value,
                before_leg_pain=event.reading.leg_pain, before_back_pain=event.reading.back_pain,
                sets=plan.sets_for(state.progressed), progressed=state.progressed,
            )
            touched.append(current.started_at)
        if current is not None and outcome.state.phase not in UNDER_WAY:
            _finish(current, event, outcome.screen, outcome.state, moment)
            touched.append(current.started_at)
            current = None
        if touched:
            refresh_days(patient, touched)
        # When the state changed: the event's own time (an event sent later from a phone with no signal is applied at the
        # time it happened), which the offline player compares with the time the phone kept its own state.
        values = {"state": outcome.state.to_dict(), "current_set": current, "updated_at": to_utc(moment)}
        if row is None:
            PlayerState.create(patient=patient, **values)
        else:
            PlayerState.update(**values).where(PlayerState.id == row.id).execute()
    return PlayerView(plan, outcome.state, outcome.screen, current, setting)


def _finish(current: ExerciseSet, event: Event, screen: Screen, state: SessionState, moment: datetime) -> None:
    """Close the set under way with its after-reading (if any), result and outcome."""
    current.finished_at = to_utc(moment)
    if event.kind == EventKind.RECHECK_DONE and event.reading is not None:
        current.after_zone = event.reading.zone.value
        current.after_leg_pain = event.reading.leg_pain
        current.after_back_pain = event.reading.back_pain
    current.response = state.response.value if state.response and event.kind == EventKind.RECHECK_DONE else None
    current.outcome = "quit" if event.kind == EventKind.QUIT else screen.kind.value
    current.stop_reason = state.reason.value if state.reason else None
    current.progressed = state.progressed
    current.save()


class PausedByTherapist(Exception):
    """The therapist paused the exercises; the message is theirs to the patient."""


def sets_done_today(patient: User, now: datetime | None = None) -> int:
    """Sets finished with a re-check today, on the patient's clock."""
    start, end = day_bounds(patient, local_now(patient, now).date())
    return sets_done_between(patient, start, end)


def sets_done_between(patient: User, start: datetime, end: datetime) -> int:
    """Sets started from `start` to before `end` (stored UTC times) and finished with a re-check."""
    done = ExerciseSet.select(fn.COUNT(ExerciseSet.id)).where(
        (ExerciseSet.patient == patient.id) & (ExerciseSet.started_at >= start) & (ExerciseSet.started_at < end)
        & ExerciseSet.response.is_null(False)
    )
    return int(done.scalar() or 0)


LAST_FINISHED = Statement(lambda patient: ExerciseSet.select(*SET_FIELDS)
                          .where((ExerciseSet.patient == patient) & ExerciseSet.finished_at.is_null(False))
                          .order_by(ExerciseSet.finished_at.desc())
                          .limit(1))


def last_finished_set(patient: User) -> ExerciseSet | None:
    """The patient's most recently finished set."""
    row = LAST_FINISHED.first(patient=patient.id)
    return None if row is None else as_model(ExerciseSet, SET_FIELDS, row)
