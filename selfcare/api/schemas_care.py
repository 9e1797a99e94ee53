"""The API's JSON shapes for the protocol and for care: the player, events, sets, alerts, plan, summary, caseload."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from selfcare.api.schemas import (
    ClientEvent,
    DeviceTime,
    EntryId,
    Input,
    Output,
    Page,
    Reading,
    ReadingIn,
    ReadingOut,
    RedFlagAnswers,
)
from selfcare.clinical import Level, Phase, Response, ScreenKind, StopReason, Zone
from selfcare.services.timeline import ACK_MAX

# --- sessions -------------------------------------------------------------------------------------

class StepOut(Output):
    """One step of the protocol with its dose and stop rule."""

    id: str
    kind: str
    title: str
    instructions: str
    stop_rule: str
    source: str
    seconds: int | None
    reps: int | None
    pause_seconds: int | None
    per_set: bool


class ScreenOut(Output):
    """What the patient should see now."""

    kind: ScreenKind
    step: StepOut | None
    set_number: int | None
    sets: int | None
    deadline: datetime | None = Field(description="When this step's timer ends.")
    next_at: datetime | None = Field(description="When the next set may start.")
    response: Response | None
    level: Level
    reason: StopReason | None
    exhale: bool


class SessionOut(Output):
    """Where the patient is in the protocol now."""

    phase: Phase
    screen: ScreenOut
    paused_by_therapist: bool
    pause_message: str | None
    current_set_id: uuid.UUID | None


class EventIn(Input):
    """A protocol event, applied at the time it happened: start carries red flags and a reading, recheck_done a reading."""

    id: EntryId
    kind: ClientEvent
    occurred_at: DeviceTime
    reading: ReadingIn | None = Field(None, validate_default=True, description="With start and recheck_done only.")
    red_flags: RedFlagAnswers | None = Field(None, validate_default=True, description="With start only.")  # type: ignore[valid-type]

    @field_validator("reading")
    @classmethod
    def _reading_for_kind(cls, reading: ReadingIn | None, info: ValidationInfo) -> ReadingIn | None:
        """start and recheck_done need a reading; the others take none."""
        kind = info.data.get("kind")
        if kind in ("start", "recheck_done") and reading is None:
            raise ValueError(f"A {kind} event needs the reading taken then.")
        if kind not in (None, "start", "recheck_done") and reading is not None:
            raise ValueError(f"A {kind} event takes no reading.")
        return reading

    @field_validator("red_flags")
    @classmethod
    def _red_flags_for_start(cls, answers: BaseModel | None, info: ValidationInfo) -> BaseModel | None:
        """The red-flag questions are answered before every set, and only then."""
        kind = info.data.get("kind")
        if kind == "start" and answers is None:
            raise ValueError("A start event needs an answer to every red-flag question.")
        if kind not in (None, "start") and answers is not None:
            raise ValueError("Only a start event carries red-flag answers.")
        return answers


class EventOut(Output):
    """The event as stored, and the session after it."""

    id: uuid.UUID
    kind: str
    occurred_at: datetime
    received_at: datetime
    alert_id: int | None
    session: SessionOut


class SetOut(Output):
    """One protocol session (a set): the readings around it and what it meant."""

    id: uuid.UUID
    started_at: datetime
    finished_at: datetime | None
    before: Reading
    after: Reading | None
    response: Response | None
    outcome: str | None
    stop_reason: StopReason | None
    sets: int
    progressed: bool


class SetPage(Page):
    """A page of sessions, newest first."""

    items: list[SetOut]


# --- care -----------------------------------------------------------------------------------------

class Person(Output):
    """Someone on the other side of a care link."""

    id: int
    name: str


class Me(Output):
    """The account calling the API."""

    id: int
    email: str
    name: str
    role: Literal["patient", "therapist"]
    timezone: str
    region: str | None
    therapists: list[Person] = Field(description="For a patient: the therapists who look after them.")


class AlertOut(Output):
    """A red-flag alert and what has been done about it."""

    id: int
    patient_id: int
    level: Level
    reasons: list[str]
    source: Literal["checkin", "session", "self_check"]
    created_at: datetime
    confirmed_at: datetime | None = Field(description="When the patient said they read it.")
    acknowledged_at: datetime | None = Field(description="When a therapist acted on it.")
    acknowledged_by: Person | None
    acknowledgement: str | None


class AlertPage(Page):
    """A page of alerts, newest first."""

    items: list[AlertOut]


class AcknowledgeIn(Input):
    """What the therapist did about the alert."""

    note: str = Field(min_length=1, max_length=ACK_MAX, pattern=r"\S", description="Required: what you did, for the record.")


class PlanOut(Output):
    """The patient's plan: the protocol steps with this patient's settings, and any pause."""

    settings: dict[str, int | bool] = Field(description="Every setting a therapist can change, with its value for this patient.")
    defaults: dict[str, int | bool] = Field(description="The same settings as the protocol in content/ has them.")
    sets_per_day: int
    paused: bool
    pause_message: str | None
    steps: list[StepOut]
    updated_at: datetime | None


class PlanIn(Input):
    """A therapist's plan for the patient: settings (keys as in PlanOut.settings), and a pause with a message."""

    settings: dict[str, int | bool] = Field(default_factory=dict, max_length=50)
    paused: bool = False
    pause_message: str | None = Field(None, max_length=500)


class PromptOut(Output):
    """A re-evaluation that is due."""

    rule: str
    due_since: datetime
    text: str


class SummaryOut(Output):
    """How the patient is doing: the trend, re-evaluation prompts, and the latest readings."""

    patient_id: int
    days: int
    trend: Literal["centralizing", "peripheralizing", "stable", "insufficient_data"]
    trend_text: list[str]
    checkins: int
    furthest_zone: str | None
    best_walk_minutes: int | None
    baseline_walk_minutes: int | None
    sets_done: int
    prompts: list[PromptOut]
    last_readings: list[ReadingOut]


class CaseloadRow(Output):
    """One linked patient, in the order the caseload page shows them (most urgent first)."""

    patient_id: int
    name: str
    group: str
    reason: str
    also: list[str]
    days_in_program: int
    zone: Zone | None
    trend: str
    walk_best_minutes: int | None
    walk_baseline_minutes: int | None
    sets_done_7_days: int
    sets_planned_7_days: int
    paused: bool
    open_alert: bool
    silent: bool


class CaseloadPage(Page):
    """A page of the caseload."""

    total: int
    items: list[CaseloadRow]
