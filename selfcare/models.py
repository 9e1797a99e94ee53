"""peewee models: the tables selfcare keeps. Times are stored in UTC without tzinfo."""

from __future__ import annotations

import enum
import hashlib
import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from flask_login import UserMixin
from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    ModelSelect,
    SQL,
    SmallIntegerField,
    TextField,
    UUIDField,
)

from selfcare.db import db


def utcnow() -> datetime:
    """The current time in UTC, without tzinfo (how every timestamp is stored)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Role(str, enum.Enum):
    """What a user is to selfcare."""

    PATIENT = "patient"
    THERAPIST = "therapist"


class JSONField(TextField):
    """A JSON value stored as text (works the same on SQLite and PostgreSQL)."""

    def db_value(self, value: Any) -> str | None:
        """Serialise for the database."""
        return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))

    def python_value(self, value: str | None) -> Any:
        """Parse from the database."""
        return None if value is None else json.loads(value)


class BaseModel(Model):
    """Every model lives in the one database."""

    # peewee adds `id = AutoField()` to a model that declares no primary key (all but PatientStamp and
    # SchemaVersion), and `<name>_id` for each foreign key: declared here and below for the type checker only.
    id: AutoField[int]

    class Meta:
        database = db
        legacy_table_names = False


class User(UserMixin, BaseModel):
    """A patient or a therapist who can sign in."""

    email = CharField(max_length=254, unique=True)  # stored lower-cased
    password_hash = CharField(max_length=255)
    role = CharField(max_length=16, choices=[(r.value, r.value) for r in Role], index=True)
    name = CharField(max_length=80)
    region = CharField(max_length=8, null=True)  # a code from content/regions.toml: the emergency number
    # The number the patient typed for the "Other" region (2-6 digits, clinical.valid_emergency_number); else None.
    emergency_number = CharField(max_length=6, null=True)
    timezone = CharField(max_length=64, default="UTC")
    created_at = DateTimeField(default=utcnow)
    # Two-step sign-in (therapists; services/two_factor.py). The secret is set while setting up and kept while it is on.
    totp_secret = TextField(null=True)  # for the authenticator app: sealed (services/sealed.py), never the base32 itself
    totp_enabled_at = DateTimeField(null=True)  # two-step sign-in is on from this time; None: off
    totp_last_timestep = IntegerField(null=True)  # the 30-second step of the last code used: no code works twice
    totp_failures = SmallIntegerField(default=0)  # wrong codes since the last right code (a right password does not reset it)
    totp_locked_until = DateTimeField(null=True)  # codes from the app paused after too many wrong ones (two_factor.LOCK_AFTER)

    @property
    def is_patient(self) -> bool:
        """Whether this user is a patient."""
        return self.role == Role.PATIENT.value

    @property
    def is_therapist(self) -> bool:
        """Whether this user is a physical therapist."""
        return self.role == Role.THERAPIST.value

    @property
    def password_fingerprint(self) -> str:
        """A short digest of the password hash: it changes whenever the password does."""
        return hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:16]

    # Two User objects are equal when they are the same row (peewee's rule, not Flask-Login's get_id comparison).
    # peewee's stubs give Model.__eq__ the class-level return type (Expression | bool); on a row it is a bool.
    __eq__ = BaseModel.__eq__  # type: ignore[assignment]
    __ne__ = BaseModel.__ne__  # type: ignore[assignment]
    __hash__ = BaseModel.__hash__

    def get_id(self) -> str:
        """Flask-Login's id for the session and the remember cookie: the user id and the key of a server-side
        LoginSession (services/login_sessions.py), so logging out or a new password ends it everywhere."""
        key = getattr(self, "login_key", None)
        if not key:
            raise RuntimeError("Log in through services.login_sessions.begin(), which gives the session its key.")
        return f"{self.id}:{key}"


class CareLink(BaseModel):
    """A therapist looks after a patient from `created_at` until `ended_at` (if ever)."""

    therapist = ForeignKeyField(User, backref="patient_links", on_delete="CASCADE")
    patient = ForeignKeyField(User, backref="therapist_links", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    ended_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("therapist", "patient"), True),)


class Invite(BaseModel):
    """A short code a therapist gives a patient so the patient can link to them: only a hash is kept; the code is
    shown to the therapist once, and works once."""

    therapist = ForeignKeyField(User, backref="invites", on_delete="CASCADE")
    code_hash = CharField(max_length=64, unique=True)  # SHA-256 hex of the code as stored (accounts.normalize_code)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    used_at = DateTimeField(null=True)


class Notice(BaseModel):
    """A message for a therapist about a patient (e.g. the patient left selfcare)."""

    therapist = ForeignKeyField(User, backref="notices", on_delete="CASCADE")
    text = TextField()
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)


class Profile(BaseModel):
    """A patient's onboarding answers: legs, onset, walking baseline and history red flags."""

    patient = ForeignKeyField(User, unique=True, backref="profiles", on_delete="CASCADE")
    legs = CharField(max_length=8)  # clinical.Side value
    symptoms_started = DateField()
    baseline_walk_minutes = SmallIntegerField()
    cancer_history = BooleanField(default=False)  # red_flags.toml [[history]] cancer_history
    immune_risk = BooleanField(default=False)  # red_flags.toml [[history]] immune_risk
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    patient_id: int


class CheckIn(BaseModel):
    """A daily check-in: red-flag answers and their level, where symptoms reach and how bad."""

    uuid = UUIDField(unique=True, default=uuid.uuid4)  # the client's id: a replayed form stores nothing new
    patient = ForeignKeyField(User, backref="checkins", on_delete="CASCADE")
    recorded_at = DateTimeField()  # when it happened on the device
    received_at = DateTimeField(default=utcnow)
    red_flags = JSONField()  # {question id: bool} for every question asked
    level = CharField(max_length=16)  # clinical.Level value
    reasons = JSONField()  # ids that set the level
    zone = CharField(max_length=8)  # clinical.Zone value: most distal extent
    side = CharField(max_length=8, null=True)  # clinical.Side value; None when zone is none
    leg_pain = SmallIntegerField()
    back_pain = SmallIntegerField()
    sensations = JSONField()  # subset of pain, numbness, tingling, weakness
    worse_with = JSONField()  # subset of sitting, bending, standing, walking
    walks: ModelSelect[Walk]  # backref of Walk.checkin
    patient_id: int

    class Meta:
        indexes = ((("patient", "recorded_at"), False),)


class Walk(BaseModel):
    """A walk: minutes walked in one go, and minutes until leg symptoms started."""

    uuid = UUIDField(unique=True, default=uuid.uuid4)
    patient = ForeignKeyField(User, backref="walks", on_delete="CASCADE")
    checkin = ForeignKeyField(CheckIn, null=True, backref="walks", on_delete="CASCADE")
    recorded_at = DateTimeField()
    received_at = DateTimeField(default=utcnow)
    minutes = SmallIntegerField()
    onset_minutes = SmallIntegerField(null=True)  # None: no leg symptoms came on
    patient_id: int
    checkin_id: int | None

    class Meta:
        indexes = ((("patient", "recorded_at"), False),)


class ExerciseSet(BaseModel):
    """One run through the protocol: the reading before, the reading after, and what it meant."""

    uuid = UUIDField(unique=True, default=uuid.uuid4)
    patient = ForeignKeyField(User, backref="exercise_sets", on_delete="CASCADE")
    started_at = DateTimeField()
    finished_at = DateTimeField(null=True)
    before_zone = CharField(max_length=8)
    before_leg_pain = SmallIntegerField()
    before_back_pain = SmallIntegerField()
    after_zone = CharField(max_length=8, null=True)
    after_leg_pain = SmallIntegerField(null=True)
    after_back_pain = SmallIntegerField(null=True)
    response = CharField(max_length=16, null=True)  # clinical.Response value
    outcome = CharField(max_length=24, null=True)  # clinical.ScreenKind value at the end
    stop_reason = CharField(max_length=16, null=True)  # clinical.StopReason value
    sets = SmallIntegerField(default=1)
    progressed = BooleanField(default=False)
    patient_id: int

    class Meta:
        # finished_at: Today's last result is the newest finished set (schema version 6).
        indexes = ((("patient", "started_at"), False), (("patient", "finished_at"), False))


class PlayerState(BaseModel):
    """Where the patient is in the protocol (clinical.SessionState as JSON), and the set under way."""

    patient = ForeignKeyField(User, unique=True, backref="player_states", on_delete="CASCADE")
    state = JSONField()
    current_set = ForeignKeyField(ExerciseSet, null=True, on_delete="SET NULL")
    current_set_id: int | None
    updated_at = DateTimeField(default=utcnow)


class PlanSetting(BaseModel):
    """A therapist's changes to a patient's plan (clinical.adjust_plan keys), and a pause."""

    patient = ForeignKeyField(User, unique=True, backref="plan_settings", on_delete="CASCADE")
    changes = JSONField(default=dict)
    paused = BooleanField(default=False)
    pause_message = TextField(null=True)
    updated_at = DateTimeField(default=utcnow)
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    patient_id: int


class SelfCheck(BaseModel):
    """A nerve self-check: heel walk, toe walk, big-toe lift, and where it is numb."""

    uuid = UUIDField(unique=True, default=uuid.uuid4)
    patient = ForeignKeyField(User, backref="self_checks", on_delete="CASCADE")
    recorded_at = DateTimeField()
    received_at = DateTimeField(default=utcnow)
    heel_walk = CharField(max_length=16)  # clinical.Ability value
    toe_walk = CharField(max_length=16)
    big_toe_lift = CharField(max_length=16)
    numb_areas = JSONField()  # clinical Area ids
    patient_id: int

    class Meta:
        indexes = ((("patient", "recorded_at"), False),)


class Alert(BaseModel):
    """A red-flag result above `none`: shown to the patient until confirmed, and to their therapist."""

    patient = ForeignKeyField(User, backref="alerts", on_delete="CASCADE")
    level = CharField(max_length=16, index=True)  # clinical.Level value
    reasons = JSONField()
    source = CharField(max_length=16)  # checkin, session, self_check or onboarding
    checkin = ForeignKeyField(CheckIn, null=True, backref="alerts", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    confirmed_at = DateTimeField(null=True)  # the patient said they read it
    acknowledged_at = DateTimeField(null=True)  # a therapist acted on it
    acknowledged_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    acknowledgement = TextField(null=True)
    # After an emergency, the next day's question "were you seen?" (FollowUp value: seen, not_yet, did_not_go).
    followup_answer = CharField(max_length=16, null=True)
    followup_at = DateTimeField(null=True)
    patient_id: int
    checkin_id: int | None
    acknowledged_by_id: int | None

    class Meta:
        # acknowledged_at / confirmed_at: the open alerts (caseload, banner) and the unconfirmed ones (every
        # patient page) without reading a patient's whole alert history (schema version 6).
        indexes = ((("patient", "created_at"), False), (("patient", "acknowledged_at"), False), (("patient", "confirmed_at"), False))


class RedFlagScreen(BaseModel):
    """Every red-flag screen the patient answered, whatever it led to: nothing about a red flag is lost (CLINICAL.md §2).

    `kind` full: every question of red_flags.toml, `answers` {question id: bool}; since_last: the one question before
    a later set of the day, `answers` {"anything_new": bool}. The newest full one decides whether the full list is
    due (services/screens.py)."""

    patient = ForeignKeyField(User, backref="red_flag_screens", on_delete="CASCADE")
    answered_at = DateTimeField()  # when it was answered on the device (UTC)
    source = CharField(max_length=16)  # checkin, session or onboarding (as Alert.source)
    kind = CharField(max_length=16)  # services.screens.Asked value: full or since_last
    answers = JSONField()
    assessed = JSONField(default=list)  # ids asked as "has it got worse since your therapist checked it?"
    level = CharField(max_length=16)  # clinical.Level value
    reasons = JSONField()  # ids that set the level

    class Meta:
        indexes = ((("patient", "kind", "answered_at"), False),)


class AssessedSign(BaseModel):
    """A persisting red-flag sign a linked therapist has assessed: until `until`, the patient is asked whether it got
    worse instead of whether it is there (CLINICAL.md §2); a "yes" still raises it."""

    patient = ForeignKeyField(User, backref="assessed_signs", on_delete="CASCADE")
    therapist = ForeignKeyField(User, on_delete="CASCADE")
    flag_id = CharField(max_length=32)  # a red_flags.toml [[flag]] id
    assessed_at = DateTimeField()
    until = DateTimeField()  # the question goes back to its own wording at this time
    ended_at = DateTimeField(null=True)  # a therapist ended it early
    note = TextField(null=True)

    class Meta:
        indexes = ((("patient", "until"), False),)


class TherapistNote(BaseModel):
    """A therapist's note on a patient's record."""

    patient = ForeignKeyField(User, backref="therapist_notes", on_delete="CASCADE")
    therapist = ForeignKeyField(User, on_delete="CASCADE")
    text = TextField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("patient", "created_at"), False),)


class PlanChange(BaseModel):
    """One change a therapist made to a patient's plan: who, when, and what it became."""

    patient = ForeignKeyField(User, backref="plan_changes", on_delete="CASCADE")
    therapist = ForeignKeyField(User, null=True, on_delete="SET NULL")
    changes = JSONField()  # the plan settings after the change (clinical.adjust_plan keys)
    paused = BooleanField(default=False)
    pause_message = TextField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("patient", "created_at"), False),)  # the latest changes, newest first (schema version 6)


class AuditEvent(BaseModel):
    """A therapist looked at or exported a patient's data (the patient can see these)."""

    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    actor_name = CharField(max_length=80)  # kept if the therapist's account goes
    patient = ForeignKeyField(User, backref="audit_events", on_delete="CASCADE")
    action = CharField(max_length=32)  # e.g. viewed_record, exported_csv
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("patient", "created_at"), False),)


class SessionEvent(BaseModel):
    """One protocol event sent through the API (by its client id), so a replay never applies twice."""

    uuid = UUIDField(unique=True)
    patient = ForeignKeyField(User, backref="session_events", on_delete="CASCADE")
    kind = CharField(max_length=32)  # clinical.EventKind value
    body = JSONField()  # the event as sent, normalised: a replay must match it exactly
    occurred_at = DateTimeField()  # on the device
    received_at = DateTimeField(default=utcnow)
    patient_id: int

    class Meta:
        indexes = ((("patient", "occurred_at"), False),)


API_TOKEN_LIFETIME = timedelta(days=90)  # services/tokens.py: how long a new token works


def _token_expiry() -> datetime:
    """When a token made now stops working."""
    return utcnow() + API_TOKEN_LIFETIME


class ApiToken(BaseModel):
    """A personal access token for the JSON API: only a hash is kept; the token is shown once."""

    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    name = CharField(max_length=60)
    token_hash = CharField(max_length=64, unique=True)  # SHA-256 hex of the whole token
    hint = CharField(max_length=16)  # the first characters, so the user can tell tokens apart
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(default=_token_expiry)  # stops working then, unless revoked before
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)  # by its owner, or when access ended (services/tokens.py revoke_all)


class LoginSession(BaseModel):
    """A signed-in session on one device: its cookie holds a random key, of which only a hash is kept."""

    user = ForeignKeyField(User, backref="login_sessions", on_delete="CASCADE")
    key_hash = CharField(max_length=64, unique=True)  # SHA-256 hex of the key
    remember = BooleanField(default=False)  # "Keep me logged in": a longer idle limit
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)  # updated at most hourly
    ended_at = DateTimeField(null=True)  # logged out, or ended by a new password or from another device


class CalendarFeed(BaseModel):
    """A patient's private calendar link for reminders: only a hash of its secret is kept; replacing it cuts the old one off."""

    patient = ForeignKeyField(User, unique=True, backref="calendar_feeds", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)  # SHA-256 hex of the secret in the link
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)  # when a calendar app last fetched it


class RecoveryCode(BaseModel):
    """A single-use code that stands in for the authenticator app: only a hash is kept; the code is shown once."""

    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=64, unique=True)  # SHA-256 hex of the code without its dash
    created_at = DateTimeField(default=utcnow)
    used_at = DateTimeField(null=True)


class PatientStamp(BaseModel):
    """A counter per patient that database triggers bump on every write to a table the caseload row shows
    (check-ins, walks, sets, self-checks, profile, plan settings, care links; selfcare/stamps.py).

    The patient id is a plain integer, not a foreign key: deleting a user deletes their rows by cascade, and the
    triggers then bump the stamp of a user who is going away."""

    patient_id = IntegerField(primary_key=True)
    version = IntegerField(default=0)
    # Bumped by every write to what the patient's pages show besides `version`'s tables: alerts, red-flag screens,
    # assessed signs, notes, plan changes, the player's events and the user row (schema 15; http_cache.py's ETags).
    shown = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])  # the database's own default: the version triggers leave it out


class CaseloadRow(BaseModel):
    """One therapist's computed caseload row for one patient, without alerts (services/caseload_store.py)."""

    therapist = ForeignKeyField(User, on_delete="CASCADE")
    patient = ForeignKeyField(User, on_delete="CASCADE")
    stamp = IntegerField()  # the patient's PatientStamp version read before the rows it was computed from
    basis = CharField(max_length=200)  # time zones and content it was computed with
    computed_at = DateTimeField()
    valid_until = DateTimeField()
    # Its place in the triage order before alerts (clinical.caseload.Standing), so a load orders, counts and pages the
    # rows from these and decodes only the rows it shows.
    rank = SmallIntegerField(default=7)  # clinical.caseload.Group value
    ranked_at = DateTimeField(null=True)  # the time it sorts by within its group
    silent = BooleanField(default=False)  # no check-in for 3 days or more
    data = TextField()  # the row's fields as JSON

    class Meta:
        indexes = ((("therapist", "patient"), True),)


class DailySummary(BaseModel):
    """One local day (on the patient's clock) of a patient's entries summed up (clinical.summarize_day): written in
    the transaction of each check-in, walk and set (services/daily_summary.py), rebuilt by
    `flask --app selfcare rebuild-daily-summary`. A day with no entry has no row."""

    patient = ForeignKeyField(User, backref="daily_summaries", on_delete="CASCADE")
    day = DateField()  # the calendar day on the patient's clock
    week = DateField()  # the Monday of `day`'s week (clinical.week_start): a year of History is read week by week
    zone = CharField(max_length=8, null=True)  # clinical.Zone value: the most distal of the day; None: none recorded
    leg_pain = SmallIntegerField(null=True)  # the highest of the day's check-ins; None: no check-in
    back_pain = SmallIntegerField(null=True)
    walk_minutes = SmallIntegerField(null=True)  # the longest walk; None: no walk
    onset_minutes = SmallIntegerField(null=True)  # when leg symptoms came on during that walk; None: they did not
    sets_started = SmallIntegerField(default=0)
    sets_done = SmallIntegerField(default=0)  # finished with a re-check
    sets_planned = SmallIntegerField(default=0)  # the day's target in the plan in force at the day's end (0: paused)
    results = JSONField(default=dict)  # {clinical.Response value: re-checked sets with that result}

    class Meta:
        indexes = ((("patient", "day"), True), (("patient", "week"), False))


class SchemaVersion(BaseModel):
    """The schema migrations applied to this database (see selfcare/schema.py)."""

    version = IntegerField(primary_key=True)
    applied_at = DateTimeField(default=utcnow)


MODELS: list[type[BaseModel]] = [
    User, CareLink, Invite, Notice, Profile, CheckIn, Walk, ExerciseSet, PlayerState, PlanSetting, SelfCheck, Alert,
    RedFlagScreen, AssessedSign, TherapistNote, PlanChange, AuditEvent, SessionEvent, ApiToken, CalendarFeed,
    RecoveryCode, LoginSession, PatientStamp, CaseloadRow, DailySummary, SchemaVersion,
]
