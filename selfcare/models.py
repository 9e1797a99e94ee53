"""peewee models: the tables selfcare keeps. Later features add their models here."""

from __future__ import annotations

import enum
from datetime import datetime, timezone

from flask_login import UserMixin
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model

from selfcare.db import db


def utcnow() -> datetime:
    """The current time in UTC, without tzinfo (how every timestamp is stored)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Role(str, enum.Enum):
    """What a user is to selfcare."""

    PATIENT = "patient"
    THERAPIST = "therapist"


class BaseModel(Model):
    """Every model lives in the one database."""

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
    timezone = CharField(max_length=64, default="UTC")
    created_at = DateTimeField(default=utcnow)

    @property
    def is_patient(self) -> bool:
        """Whether this user is a patient."""
        return self.role == Role.PATIENT.value

    @property
    def is_therapist(self) -> bool:
        """Whether this user is a physical therapist."""
        return self.role == Role.THERAPIST.value


class CareLink(BaseModel):
    """A therapist looks after a patient from `created_at` until `ended_at` (if ever)."""

    therapist = ForeignKeyField(User, backref="patient_links", on_delete="CASCADE")
    patient = ForeignKeyField(User, backref="therapist_links", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    ended_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("therapist", "patient"), True),)


class SchemaVersion(BaseModel):
    """The schema migrations applied to this database (see selfcare/schema.py)."""

    version = IntegerField(primary_key=True)
    applied_at = DateTimeField(default=utcnow)


MODELS: list[type[BaseModel]] = [User, CareLink, SchemaVersion]
