"""Accounts: creating users, checking passwords and care links. No request objects here."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from peewee import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from selfcare.db import db
from selfcare.models import CareLink, Invite, Role, User, utcnow
from selfcare.prepared import prepared
from selfcare.services import login_sessions

PASSWORD_MIN = 10
PASSWORD_MAX = 128  # long enough for any passphrase, short enough that hashing cannot be abused
EMAIL_MAX = 254
NAME_MAX = 80
PASSWORD_METHOD = "scrypt"

# Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("selfcare-timing-equaliser", method=PASSWORD_METHOD)


class AccountError(ValueError):
    """Input that cannot make an account; `field` names the form field it belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalize_email(raw: str) -> str:
    """Return the address in the form it is stored and looked up in, or raise AccountError."""
    email = (raw or "").strip()
    if not email:
        raise AccountError("email", "Enter your email address.")
    if len(email) > EMAIL_MAX:
        raise AccountError("email", f"An email address can be at most {EMAIL_MAX} characters.")
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise AccountError("email", "Enter an email address like name@example.com.") from None
    return email.lower()


def check_password_rules(password: str) -> None:
    """Raise AccountError when the password is too short or too long."""
    if len(password or "") < PASSWORD_MIN:
        raise AccountError("password", f"Use at least {PASSWORD_MIN} characters for your password.")
    if len(password) > PASSWORD_MAX:
        raise AccountError("password", f"Use at most {PASSWORD_MAX} characters for your password.")


def valid_timezone(name: str | None) -> str:
    """Return `name` if it is a known IANA time zone, else UTC."""
    return name if name and name in _timezones() else "UTC"


@cache
def _timezones() -> frozenset[str]:
    """The IANA zone names, read once."""
    return frozenset(available_timezones())


def create_user(
    email: str,
    password: str,
    name: str,
    role: Role = Role.PATIENT,
    region: str | None = None,
    timezone: str | None = None,
    emergency_number: str | None = None,
) -> User:
    """Validate and store a new user; raise AccountError naming the field at fault (`emergency_number`: the number
    a patient in the "Other" region typed, checked by the form or the CLI)."""
    email = normalize_email(email)
    check_password_rules(password)
    name = (name or "").strip()
    if not name:
        raise AccountError("name", "Enter your name.")
    if len(name) > NAME_MAX:
        raise AccountError("name", f"Use at most {NAME_MAX} characters for your name.")
    password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    try:
        with db.atomic():
            return User.create(
                email=email,
                password_hash=password_hash,
                name=name,
                role=role.value,
                region=region,
                emergency_number=emergency_number,
                timezone=valid_timezone(timezone),
            )
    except IntegrityError:
        raise AccountError("email", "There is already an account with this email. Try logging in.") from None


def authenticate(email: str, password: str) -> User | None:
    """Return the user with this email and password, or None; takes as long either way."""
    try:
        address = normalize_email(email)
    except AccountError:
        address = None
    user = User.get_or_none(User.email == address) if address else None
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def set_password(user: User, password: str) -> None:
    """Check the rules and store a new password hash; every session and remember cookie of the user ends."""
    check_password_rules(password)
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    with db.atomic():
        User.update(password_hash=user.password_hash).where(User.id == user.id).execute()
        login_sessions.end_all(user)


def link(therapist: User, patient: User) -> CareLink:
    """Link a therapist to a patient (again, if an earlier link had ended)."""
    if not (therapist.is_therapist and patient.is_patient):
        raise AccountError("role", "A care link joins a therapist to a patient.")
    with db.atomic():
        care_link, created = CareLink.get_or_create(therapist=therapist, patient=patient)
        if not created and care_link.ended_at is not None:
            care_link.ended_at = None
            care_link.save()
    return care_link


def linked_patients(therapist: User) -> list[User]:
    """The patients this therapist currently looks after, by name (one query)."""
    return list(
        User.select()
        .join(CareLink, on=(CareLink.patient == User.id))
        .where((CareLink.therapist == therapist.id) & CareLink.ended_at.is_null())
        .order_by(User.name, User.id)
    )


LINKED_THERAPISTS = prepared(  # on every Today view (see prepared.py)
    lambda patient: User.select().join(CareLink, on=(CareLink.therapist == User.id))
    .where((CareLink.patient == patient) & CareLink.ended_at.is_null()).order_by(User.name, User.id)
)


def linked_therapists(patient: User) -> list[User]:
    """The therapists currently looking after this patient (one query)."""
    therapists: list[User] = LINKED_THERAPISTS.all(patient=patient.id)
    return therapists


INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread
INVITE_LENGTH = 8
INVITE_DAYS = 14


def normalize_code(raw: str) -> str:
    """An invite code as stored: capitals, without spaces or dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def create_invite(therapist: User, now: datetime | None = None, days: int = INVITE_DAYS) -> Invite:
    """A new single-use invite code for this therapist, valid for `days` days."""
    if not therapist.is_therapist:
        raise AccountError("role", "Only a therapist can invite a patient.")
    moment = now or utcnow()
    code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    return Invite.create(therapist=therapist, code=code, created_at=moment, expires_at=moment + timedelta(days=days))


def redeem_invite(patient: User, raw_code: str, now: datetime | None = None) -> CareLink:
    """Link the patient to the therapist who made this code; the code then cannot be used again."""
    moment = now or utcnow()
    code = normalize_code(raw_code)
    with db.atomic():
        invite = Invite.get_or_none(Invite.code == code) if code else None
        if invite is None:
            raise AccountError("invite_code", "We could not find that code. Check it with the therapist who gave it to you.")
        if invite.used_at is not None and invite.used_by_id != patient.id:
            raise AccountError("invite_code", "This code has already been used. Ask your therapist for a new one.")
        if invite.expires_at < moment:
            raise AccountError("invite_code", "This code has expired. Ask your therapist for a new one.")
        invite.used_by, invite.used_at = patient, invite.used_at or moment
        invite.save()
        return link(invite.therapist, patient)
