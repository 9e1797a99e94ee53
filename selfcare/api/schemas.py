"""The API's JSON shapes as pydantic models: strict input (shape and range only), and every response."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
)

from selfcare.clinical import FLAG_LEVELS, Ability, Area, Level, Side, Zone
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


def at_most(characters: int) -> BeforeValidator:
    """Refuse a string longer than `characters` before it is parsed (a UUID or a time; the schema says maxLength)."""

    def check(value: object) -> object:
        if isinstance(value, str) and len(value) > characters:
            raise ValueError(f"This is longer than {characters} characters.")
        return value

    return BeforeValidator(check)


TIME_MAX = 40  # 2026-11-22T08:30:00.123456+01:00 is 32
UUID_MAX = 45  # urn:uuid: and the 36 characters; braces or no hyphens are shorter
_TIME_TEXT = TypeAdapter(AwareDatetime)


def _time_text(value: object) -> object:
    """A time sent as text: at most TIME_MAX characters, read as strict JSON reads a time (a validator before the
    type's own makes pydantic check the value as Python, where strict mode takes no text for a time)."""
    if not isinstance(value, str):
        return value  # a number or anything else: refused by the strict type itself
    if len(value) > TIME_MAX:
        raise ValueError(f"This is longer than {TIME_MAX} characters.")
    try:
        return _TIME_TEXT.validate_python(value, strict=False)
    except ValidationError as error:
        raise ValueError(error.errors(include_url=False)[0]["msg"]) from None


DeviceTime = Annotated[
    AwareDatetime, AfterValidator(_device_time), BeforeValidator(_time_text),
    Field(description="When it happened on the device, ISO 8601 with its UTC offset (e.g. 2026-11-22T08:30:00+01:00).",
          json_schema_extra={"maxLength": TIME_MAX}),
]
EntryId = Annotated[uuid.UUID, at_most(UUID_MAX), Field(
    description="The client's own id for this entry (a UUID): send it again to retry safely.", json_schema_extra={"maxLength": UUID_MAX})]
Pain = Annotated[int, Field(ge=0, le=10, description="0 (none) to 10 (worst imaginable), NPRS.")]
Minutes = Annotated[int, Field(ge=0, le=MAX_WALK)]
if TYPE_CHECKING:  # built at run time from the form's and the player's values, which a type checker cannot follow
    Sensation: TypeAlias = str
    Activity: TypeAlias = str
    ClientEvent: TypeAlias = str
else:
    Sensation = Literal[tuple(value for value, _ in SENSATIONS)]
    Activity = Literal[tuple(value for value, _ in WORSE_WITH)]
    ClientEvent = Literal[tuple(kind.value for kind in CLIENT_EVENTS)]


class Input(BaseModel):
    """Request bodies: exact types (no "5" for 5), no unknown fields, and no NUL characters in text."""

    model_config = ConfigDict(strict=True, extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        """PostgreSQL cannot store a NUL character in text (SQLite can): refuse it for both alike."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Text cannot contain the NUL character (\\u0000).")
        return value


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

if TYPE_CHECKING:  # a model built at run time from content/red_flags.toml
    RedFlagAnswers: TypeAlias = BaseModel
else:
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
    cursor: str | None = Field(None, max_length=200, pattern=r"^[A-Za-z0-9_-]*$",
                               description="The next_cursor of the previous page (base64url, as given).")


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
    red_flags: RedFlagAnswers
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
