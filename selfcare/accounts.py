"""Accounts: creating users, checking passwords and care links. No request objects here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from peewee import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from selfcare.db import db
from selfcare.models import CareLink, Invite, Role, User, utcnow
from selfcare.services import login_sessions, tokens
from selfcare.services.hashed import digest
from selfcare.statements import Statement, as_model

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


class EmailTaken(AccountError):
    """An account with this email exists already (sign-up answers as for a new account: selfcare/auth.py)."""


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
        raise EmailTaken("email", "There is already an account with this email. Try logging in.") from None


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
    """Check the rules and store a new password hash; every session, remember cookie and API token of the user ends
    (all in one transaction)."""
    check_password_rules(password)
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    with db.atomic():
        User.update(password_hash=user.password_hash).where(User.id == user.id).execute()
        login_sessions.end_all(user)
        tokens.revoke_all(user)


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


USER_FIELDS = tuple(User._meta.sorted_fields)
THERAPISTS = Statement(lambda patient: User.select(*USER_FIELDS)
                       .join(CareLink, on=(CareLink.therapist == User.id))
                       .where((CareLink.patient == patient) & CareLink.ended_at.is_null())
                       .order_by(User.name, User.id))


def linked_therapists(patient: User) -> list[User]:
    """The therapists currently looking after this patient (one statement)."""
    return [as_model(User, USER_FIELDS, row) for row in THERAPISTS.rows(patient=patient.id)]


INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread
INVITE_LENGTH = 8
INVITE_DAYS = 14
INVITES_SHOWN_DAYS = 30  # the invites page lists what was made in this many days
UNKNOWN_CODE = "We could not find that code. Check it with the therapist who gave it to you."


@dataclass(frozen=True)
class NewInvite:
    """An invite just made: `code` is shown to the therapist once and never stored."""

    row: Invite
    code: str


def normalize_code(raw: str) -> str:
    """An invite code as it is hashed: capitals, without spaces or dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def create_invite(therapist: User, now: datetime | None = None, days: int = INVITE_DAYS) -> NewInvite:
    """A new single-use invite code for this therapist, valid for `days` days; only its hash is kept.

    A code carries about 40 bits (8 of 31 letters and digits), less than the other secrets services/hashed.py keeps,
    and is still kept by that plain SHA-256: guessing one online meets the wrong-code limits (limits.py), and a code
    recovered from a stolen database lets its finder only share their own record with that therapist, once, for
    `days` days.
    """
    if not therapist.is_therapist:
        raise AccountError("role", "Only a therapist can invite a patient.")
    moment = now or utcnow()
    code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    row = Invite.create(therapist=therapist, code_hash=digest(code), created_at=moment, expires_at=moment + timedelta(days=days))
    return NewInvite(row, code)


def unused_invite(raw_code: str) -> Invite | None:
    """The invite with this code (as typed) while it has not been used; None for a used or unknown code."""
    code = normalize_code(raw_code)
    if not code or len(code) > 2 * INVITE_LENGTH or not code.isascii():  # no code ever made looks like this
        return None
    invite: Invite | None = Invite.get_or_none((Invite.code_hash == digest(code)) & Invite.used_at.is_null())
    return invite


def redeem_invite(patient: User, raw_code: str, now: datetime | None = None) -> CareLink:
    """Link the patient to the therapist who made this code. A code works once: used, by anyone, it is refused as
    an unknown one, even after the link it made has ended."""
    moment = now or utcnow()
    with db.atomic():
        invite = unused_invite(raw_code)
        if invite is None:
            raise AccountError("invite_code", UNKNOWN_CODE)
        if invite.expires_at < moment:
            raise AccountError("invite_code", "This code has expired. Ask your therapist for a new one.")
        claimed = Invite.update(used_by=patient, used_at=moment).where((Invite.id == invite.id) & Invite.used_at.is_null())
        if not claimed.execute():  # another request used it a moment ago
            raise AccountError("invite_code", UNKNOWN_CODE)
        return link(invite.therapist, patient)


def recent_invites(therapist: User, now: datetime | None = None) -> list[Invite]:
    """The invites this therapist made in the last INVITES_SHOWN_DAYS days, newest first (never their codes)."""
    since = (now or utcnow()) - timedelta(days=INVITES_SHOWN_DAYS)
    return list(
        Invite.select().where((Invite.therapist == therapist.id) & (Invite.created_at > since))
        .order_by(Invite.created_at.desc(), Invite.id.desc()).limit(50)
    )


def cancel_invite(therapist: User, invite_id: int) -> bool:
    """Delete one of the therapist's own unused invites, so its code no longer works; False if there is none."""
    unused = (Invite.id == invite_id) & (Invite.therapist == therapist.id) & Invite.used_at.is_null()
    return bool(Invite.delete().where(unused).execute())
