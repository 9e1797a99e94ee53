"""The API's JSON shapes as pydantic models: strict input (shape and range only), and every response."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, create_model, field_validator

from selfcare.clinical import FLAG_LEVELS, Ability, Area, Level, Phase, Response, ScreenKind, Side, StopReason, Zone
from selfcare.patient.forms import MAX_WALK, SENSATIONS, WORSE_WITH
from selfcare.services.sessions import CLIENT_EVENTS

PAST_LIMIT = timedelta(days=366)  # entries older than a year are not a sync of a phone's queue
CLOCK_SLACK = timedelta(minutes=10)  # a phone's clock may run a little fast


def _device_time(value: datetime) -> datetime:
    """A time on the device: with an offset, not in the future, not more than a year ago."""
    now = datetime.now(UTC)
    if value > now + CLOCK_SLACK:
        raise ValueError("This time is in the future. Send the time the entry was made on the device.")
    if value < now - PAST_LIMIT:
        raise ValueError("This time is more than a year ago.")
    return value


DeviceTime = Annotated[
    AwareDatetime, AfterValidator(_device_time),
    Field(description="When it happened on the device, ISO 8601 with its UTC offset (e.g. 2026-11-22T08:30:00+01:00)."),
]
EntryId = Annotated[uuid.UUID, Field(description="The client's own id for this entry (a UUID): send it again to retry safely.")]
Pain = Annotated[int, Field(ge=0, le=10, description="0 (none) to 10 (worst imaginable), NPRS.")]
Minutes = Annotated[int, Field(ge=0, le=MAX_WALK)]
Sensation = Literal[tuple(value for value, _ in SENSATIONS)]  # type: ignore[valid-type]
Activity = Literal[tuple(value for value, _ in WORSE_WITH)]  # type: ignore[valid-type]
ClientEvent = Literal[tuple(kind.value for kind in CLIENT_EVENTS)]  # type: ignore[valid-type]


class Input(BaseModel):
    """Request bodies: exact types (no "5" for 5) and no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Output(BaseModel):
    """Response bodies."""

    model_config = ConfigDict(extra="forbid")


class OpenApiDoc(BaseModel):
    """An OpenAPI 3.1 document."""

    model_config = ConfigDict(extra="allow")
    openapi: str
    info: dict[str, object]
    paths: dict[str, object]


# --- problems -------------------------------------------------------------------------------------

class FieldProblem(Output):
    """One field that was not valid."""

    field: str = Field(description="The field as a dotted name, e.g. reading.leg_pain.")
    pointer: str = Field(description="The same field as a JSON pointer into the body, e.g. /reading/leg_pain.")
    detail: str = Field(description="What is wrong with it, in words.")


class ProblemDoc(Output):
    """An error, as RFC 9457 problem details."""

    model_config = ConfigDict(extra="forbid", title="ProblemDoc")
    type: str
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    instance: str
    errors: list[FieldProblem] | None = None


# --- shared parts ---------------------------------------------------------------------------------

RedFlagAnswers = create_model(  # every red-flag question, answered: none may be skipped (CLINICAL.md §2)
    "RedFlagAnswers",
    __config__=ConfigDict(strict=True, extra="forbid"),
    __doc__="A yes (true) or no (false) to every red-flag question in content/red_flags.toml.",
    **{flag: (bool, ...) for flag in FLAG_LEVELS},
)


class ReadingIn(Input):
    """Where symptoms reach furthest down (the most distal zone), which side, and pain 0-10."""

    zone: Zone
    side: Side | None = Field(
        None, validate_default=True, description="Required unless zone is none; must be null when zone is none.",
    )
    leg_pain: Pain
    back_pain: Pain

    @field_validator("side")
    @classmethod
    def _side_goes_with_zone(cls, side: Side | None, info: ValidationInfo) -> Side | None:
        """A side for symptoms, none without them."""
        zone = info.data.get("zone")
        if zone == Zone.NONE and side is not None:
            raise ValueError("Leave side empty (null) when zone is none.")
        if zone not in (None, Zone.NONE) and side is None:
            raise ValueError("Choose a side: left, right or both.")
        return side


class Reading(Output):
    """A reading as stored."""

    zone: Zone
    side: Side | None
    leg_pain: int
    back_pain: int


class TriageOut(Output):
    """The red-flag result: the level and the question ids that set it."""

    level: Level
    reasons: list[str]


class Page(Output):
    """Where the next page starts: pass `next_cursor` as `cursor`; null on the last page."""

    next_cursor: str | None


class ListQuery(BaseModel):
    """Cursor paging for lists, newest first."""

    model_config = ConfigDict(extra="ignore")
    limit: int = Field(50, ge=1, le=100, description="How many items per page (1-100).")
    cursor: str | None = Field(None, max_length=200, description="The next_cursor of the previous page.")


def _onset_within_walk(onset: int | None, info: ValidationInfo) -> int | None:
    """Symptoms cannot start after the walk ended."""
    minutes = info.data.get("minutes")
    if onset is not None and minutes is not None and onset > minutes:
        raise ValueError("This cannot be more than the minutes walked.")
    return onset


def _distinct(items: list[object]) -> list[object]:
    """Each item at most once."""
    if len(set(items)) != len(items):
        raise ValueError("List each item only once.")
    return items


class SummaryQuery(BaseModel):
    """The period of a summary."""

    model_config = ConfigDict(extra="ignore")
    days: int = Field(28, ge=1, le=365, description="How many days back from today (1-365).")


# --- entries --------------------------------------------------------------------------------------

class WalkPart(Input):
    """The longest walk in one go, and when leg symptoms came on (null: they did not)."""

    minutes: Minutes
    onset_minutes: Minutes | None = None

    _onset = field_validator("onset_minutes")(classmethod(lambda cls, v, info: _onset_within_walk(v, info)))


class CheckInIn(Input):
    """A daily check-in: every red-flag question, where symptoms reach and how bad, and walking."""

    id: EntryId
    recorded_at: DeviceTime
    red_flags: RedFlagAnswers  # type: ignore[valid-type]
    reading: ReadingIn
    sensations: list[Sensation] = Field(default_factory=list, max_length=4, json_schema_extra={"uniqueItems": True})
    worse_with: list[Activity] = Field(default_factory=list, max_length=4, json_schema_extra={"uniqueItems": True})
    walk: WalkPart | None = None

    _distinct = field_validator("sensations", "worse_with")(classmethod(lambda cls, v: _distinct(v)))


class WalkOut(Output):
    """A walk as stored."""

    id: uuid.UUID
    recorded_at: datetime
    received_at: datetime
    minutes: int
    onset_minutes: int | None
    checkin_id: uuid.UUID | None = Field(description="The check-in this walk was logged with, if any.")


class CheckInOut(Output):
    """A check-in as stored, with its triage and the alert it raised."""

    id: uuid.UUID
    recorded_at: datetime
    received_at: datetime
    red_flags: dict[str, bool]
    reading: Reading
    sensations: list[str]
    worse_with: list[str]
    walk: WalkOut | None
    triage: TriageOut
    alert_id: int | None


class CheckInPage(Page):
    """A page of check-ins, newest first."""

    items: list[CheckInOut]


class WalkIn(Input):
    """A walk logged on its own."""

    id: EntryId
    recorded_at: DeviceTime
    minutes: Minutes
    onset_minutes: Minutes | None = None

    _onset = field_validator("onset_minutes")(classmethod(lambda cls, v, info: _onset_within_walk(v, info)))


class WalkPage(Page):
    """A page of walks, newest first."""

    items: list[WalkOut]


class SelfCheckIn(Input):
    """A nerve self-check: three strength tests and where it is numb."""

    id: EntryId
    recorded_at: DeviceTime
    heel_walk: Ability
    toe_walk: Ability
    big_toe_lift: Ability
    numb_areas: list[Area] = Field(default_factory=list, max_length=len(Area), json_schema_extra={"uniqueItems": True})

    _distinct = field_validator("numb_areas")(classmethod(lambda cls, v: _distinct(v)))


class SelfCheckOut(Output):
    """A self-check as stored, with the triage of its change since the last one."""

    id: uuid.UUID
    recorded_at: datetime
    received_at: datetime
    heel_walk: Ability
    toe_walk: Ability
    big_toe_lift: Ability
    numb_areas: list[Area]
    triage: TriageOut
    alert_id: int | None


class SelfCheckPage(Page):
    """A page of self-checks, newest first."""

    items: list[SelfCheckOut]


class ReadingOut(Reading):
    """One reading: from a check-in, or before or after a set."""

    at: datetime
    source: Literal["checkin", "set_before", "set_after"]
    entry_id: uuid.UUID


class ReadingPage(Page):
    """A page of readings, newest first."""

    items: list[ReadingOut]


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

    note: str = Field(min_length=1, max_length=1000, pattern=r"\S", description="Required: what you did, for the record.")


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
