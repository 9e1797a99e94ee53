"""The API's JSON shapes for the protocol and for care: the player, events, sets, alerts, plan, summary, caseload."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator

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
    until_cleared: bool = Field(description=(
        "An urgent or emergency pause after fever or trauma that lasts until a doctor has said exercise is fine "
        "(the patient confirms it in the app) or the therapist re-enables or changes the plan."))


class SessionOut(Output):
    """Where the patient is in the protocol now. Phase `held` (screen `plan_held`): a set moved symptoms further down
    the leg, or the plan did not help for a second time; no set starts until the therapist re-enables or changes the
    plan (PUT /plan does)."""

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
    anything_new: bool | None = Field(None, validate_default=True, description=(
        "With start only, for a later set of the day: the patient's answer to \"Since you last answered, has anything "
        "on this list started or got worse?\" (CLINICAL.md §2). false, sent without red_flags, starts the set only when "
        "every red-flag question was answered earlier the same day on the patient's clock (a check-in or a set start); "
        "otherwise the answer is 422 and the whole list must be asked. true needs red_flags: the whole list again."))
    red_flags: RedFlagAnswers | None = Field(None, validate_default=True, description=(
        "With start only: every red-flag question answered. Needed for the first set of the day (with no check-in "
        "that day), and whenever anything_new is true; always accepted."))

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

    @field_validator("anything_new")
    @classmethod
    def _anything_new_for_start(cls, anything_new: bool | None, info: ValidationInfo) -> bool | None:
        """Only a start event says whether anything on the red-flag list changed."""
        if info.data.get("kind") not in (None, "start") and anything_new is not None:
            raise ValueError("Only a start event carries anything_new.")
        return anything_new

    @field_validator("red_flags")
    @classmethod
    def _red_flags_for_start(cls, answers: BaseModel | None, info: ValidationInfo) -> BaseModel | None:
        """The red-flag screen comes before every set, and only then: the whole list, or anything_new false."""
        kind, anything_new = info.data.get("kind"), info.data.get("anything_new")
        if kind == "start" and answers is None and anything_new is True:
            raise ValueError("anything_new is true: send an answer to every red-flag question as well.")
        if kind == "start" and answers is None and anything_new is None:
            raise ValueError("A start event needs an answer to every red-flag question, or anything_new.")
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


RoleName = Literal["patient", "therapist"]  # models.Role values


class Me(Output):
    """The account calling the API."""

    id: int
    email: str
    name: str
    role: RoleName
    timezone: str
    region: str | None
    emergency_number: str | None = Field(description='The emergency number a patient in the "OTHER" region typed (2 to 6 digits); null elsewhere.')
    therapists: list[Person] = Field(description="For a patient: the therapists who look after them.")


AlertSource = Literal["checkin", "session", "self_check", "onboarding"]  # Alert.source values
FollowUpAnswer = Literal["seen", "not_yet", "did_not_go"]  # Alert.followup_answer values (FollowUp)


class AlertOut(Output):
    """A red-flag alert and what has been done about it."""

    id: int
    patient_id: int
    level: Level
    reasons: list[str]
    source: AlertSource
    created_at: datetime
    confirmed_at: datetime | None = Field(description="When the patient said they read it.")
    acknowledged_at: datetime | None = Field(description="When a therapist acted on it.")
    acknowledged_by: Person | None
    acknowledgement: str | None
    followup_answer: FollowUpAnswer | None = Field(
        description="After an emergency, the patient's answer the next day to \"were you seen by a doctor?\"")
    followup_at: datetime | None = Field(description="When the patient answered the next-day question.")


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


SettingName = Annotated[str, StringConstraints(max_length=60)]  # a key of PlanOut.settings, such as press_ups.reps


class PlanIn(Input):
    """A therapist's plan for the patient: settings (keys as in PlanOut.settings), and a pause with a message."""

    settings: dict[SettingName, int | bool] = Field(default_factory=dict, max_length=50)
    paused: bool = False
    pause_message: str | None = Field(None, max_length=500)


class PromptOut(Output):
    """A re-evaluation that is due."""

    rule: str
    due_since: datetime
    text: str


class SummaryOut(Output):
    """How the patient is doing: the verdict (getting better, about the same, getting worse) with its sentences, the
    zone trend, re-evaluation prompts, and the latest readings."""

    patient_id: int
    days: int
    progress: Literal["improving", "same", "worse", "unknown"] = Field(description=(
        "The overall verdict over the period from zone, leg pain and walking together (CLINICAL.md §3): `worse` if any "
        "one is clearly worse (the zone moved further down the leg, leg pain rose 2 points or more, walking fell 5 "
        "minutes or more), whatever the others did; else `improving` if any is clearly better; else `same`; `unknown` "
        "with too few check-ins (content/trend.toml). Show this, not `trend`, as \"improving\" or \"worse\"."))
    progress_headline: str = Field(description=(
        "The verdict in words for the patient: \"Getting better\", \"About the same\", \"Getting worse\" or "
        "\"Not enough check-ins yet\"."))
    progress_text: list[str] = Field(description=(
        "The verdict in plain sentences, each naming the time window and the numbers (\"Leg pain 4 → 7 out of 10 over the "
        "last 14 days ...\"); when worse, the last one says what to do."))
    trend: Literal["centralizing", "peripheralizing", "worsening", "stable", "insufficient_data"] = Field(description=(
        "Where the most distal zone is going (classify_trend): `centralizing`, `peripheralizing`, `worsening` (the zone "
        "did not move further down the leg, but leg pain clearly rose: new in issue 18), `stable` or "
        "`insufficient_data`. `centralizing` alone is not improvement: walking may be clearly worse; read `progress`."))
    trend_text: list[str] = Field(description="The same sentences as progress_text (kept for older clients).")
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
    trend: str = Field(description=(
        "The 14-day zone trend: centralizing, peripheralizing, worsening (leg pain clearly rose), stable or "
        "insufficient_data."))
    progress: Literal["improving", "same", "worse", "unknown"] = Field(description=(
        "The 14-day verdict from zone, leg pain and walking together: a patient whose leg pain or walking is clearly "
        "worse is `worse` (and in the `worsening` group), never `improving`."))
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
