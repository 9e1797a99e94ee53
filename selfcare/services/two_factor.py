"""Two-step sign-in for therapists: codes from an authenticator app (TOTP, RFC 6238) and single-use recovery codes.

The app's secret is stored sealed (services/sealed.py). Wrong codes are counted on the account until a right code
or recovery code (a right password does not reset them); after LOCK_AFTER, codes from the app are not checked for
LOCK_FOR, except from a browser that has logged in to the account before (selfcare/devices.py), and the owner is
told by email once per lock. Recovery codes still work during a lock: they are the way out, with
`flask turn-off-two-step`.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

import pyotp
import segno

from selfcare.db import db
from selfcare.models import RecoveryCode, User, utcnow
from selfcare.services.hashed import digest
from selfcare.services.sealed import Unreadable, box

ISSUER = "selfcare"  # the name the authenticator app shows above the code
STEP_SECONDS = 30
DIGITS = 6
VALID_WINDOW = 1  # a code from the step before or after still works: phone clocks drift, people type slowly
MAX_FAILURES = 5  # wrong codes in one login before the password must be entered again
LOCK_AFTER = 10  # wrong codes on the account since its last right code: codes from the app then pause (each one more pauses again)
LOCK_FOR = timedelta(minutes=15)
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread
RECOVERY_LENGTH = 10  # about 50 random bits: too many to guess through a form that allows five tries

Send = Callable[[str, str, str], None]  # (to, subject, body): selfcare.mail.send
LOCK_SUBJECT = "Wrong sign-in codes for your selfcare account"
LOCK_BODY = """Hello {name},

Someone entered wrong sign-in codes for your selfcare account {count} times, after typing your password.
To keep the account safe, codes from your authenticator app are paused for {minutes} minutes, except on
phones and computers you have logged in to selfcare with before.

If it was you, wait a little and try again, or use one of your recovery codes.

If it was not you, someone knows your password. Change it soon: on the login page, choose
"Forgot your password?". Your account is still protected by two-step sign-in.
"""


class SecretUnreadable(Exception):
    """The stored secret cannot be opened with this server's key (its secret key has changed): codes from the app
    cannot be checked; a recovery code, or `flask turn-off-two-step`, is the way in."""


def clock() -> datetime:
    """Now, in UTC without tzinfo (tests replace this to move time without sleeping)."""
    return utcnow()


@dataclass(frozen=True)
class Status:
    """What the settings page says about a user's two-step sign-in."""

    on_since: datetime | None
    recovery_codes_left: int

    @property
    def on(self) -> bool:
        """Whether two-step sign-in is on."""
        return self.on_since is not None


def is_on(user: User) -> bool:
    """Whether logging in as `user` needs a second step."""
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def status(user: User) -> Status:
    """Whether it is on, since when, and how many recovery codes are unused (read afresh)."""
    fresh = User.get_by_id(user.id)
    left = 0
    if is_on(fresh):
        left = RecoveryCode.select().where((RecoveryCode.user == user.id) & RecoveryCode.used_at.is_null()).count()
    return Status(fresh.totp_enabled_at if is_on(fresh) else None, left)


class AlreadyOn(Exception):
    """Setting up again while two-step sign-in is on would replace a secret in use."""


def _open(stored: str) -> str:
    """The secret inside a stored (sealed) value, or SecretUnreadable."""
    try:
        return box.open(stored)
    except Unreadable:
        raise SecretUnreadable from None


def secret(user: User) -> str | None:
    """The user's secret as their app has it (set up or being set up), read afresh; None without one.

    Raises SecretUnreadable if the server's secret key has changed since it was stored.
    """
    stored = User.get_by_id(user.id).totp_secret
    return _open(stored) if stored else None


def start_setup(user: User) -> str:
    """A new secret for the user to put in their app; it is used only once a code from it is confirmed."""
    secret = pyotp.random_base32()  # 32 characters: 160 bits, as RFC 4226 recommends
    changed = (
        User.update(totp_secret=box.seal(secret), totp_enabled_at=None, totp_last_timestep=None)
        .where((User.id == user.id) & User.totp_enabled_at.is_null())
        .execute()
    )
    if not changed:
        raise AlreadyOn
    return secret


def pending_secret(user: User) -> str | None:
    """The secret being set up (not yet confirmed), or None (also when it cannot be read: setting up starts again)."""
    fresh = User.get_by_id(user.id)
    if fresh.totp_enabled_at is not None or not fresh.totp_secret:
        return None
    try:
        return _open(fresh.totp_secret)
    except SecretUnreadable:
        return None


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def setup_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The address as an inline SVG QR code: dark on white, with the quiet zone scanners need."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff"))


def _timestep(moment: datetime) -> int:
    """The 30-second step `moment` (UTC, without tzinfo) falls in."""
    return int(moment.replace(tzinfo=timezone.utc).timestamp()) // STEP_SECONDS


def _digits(raw: str | None) -> str | None:
    """The code as six digits (spaces and dashes allowed between), or None if it cannot be one."""
    code = "".join(ch for ch in (raw or "") if ch not in " -")
    return code if len(code) == DIGITS and code.isascii() and code.isdigit() else None


def is_app_code(raw: str | None) -> bool:
    """Whether `raw` has the shape of a code from the app (six digits), rather than a recovery code."""
    return _digits(raw) is not None


def _matching_step(secret: str, raw: str | None, moment: datetime) -> int | None:
    """The step within VALID_WINDOW of `moment` whose code is `raw`, or None."""
    code = _digits(raw)
    if code is None:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now_step = _timestep(moment)
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, stored: str, step: int, *, enabling_at: datetime | None = None) -> bool:
    """Record `step` of the secret stored as `stored` as used unless it, or a later one, was used already (one UPDATE:
    two requests cannot both win); a right code also clears the count of wrong ones and any lock."""
    changes: dict[object, object] = {User.totp_last_timestep: step, User.totp_failures: 0, User.totp_locked_until: None}
    if enabling_at is not None:
        changes[User.totp_enabled_at] = enabling_at
    state = User.totp_enabled_at.is_null() if enabling_at is not None else User.totp_enabled_at.is_null(False)
    unused = User.totp_last_timestep.is_null() | (User.totp_last_timestep < step)
    return bool(User.update(changes).where((User.id == user.id) & (User.totp_secret == stored) & state & unused).execute())


def confirm_setup(user: User, raw_code: str | None, now: datetime | None = None) -> list[str] | None:
    """Turn two-step sign-in on if `raw_code` is a current code from the pending secret; return the new recovery codes."""
    moment = now or clock()
    stored = User.get_by_id(user.id).totp_secret
    secret = pending_secret(user)
    step = _matching_step(secret, raw_code, moment) if secret else None
    if stored is None or secret is None or step is None:
        return None
    with db.atomic():
        if not _claim_step(user, stored, step, enabling_at=moment):
            return None
        return _replace_recovery_codes(user, moment)


def verify_code(user: User, raw_code: str | None, now: datetime | None = None) -> bool:
    """Whether `raw_code` is a current code from the user's app, never used before; it cannot be used again.

    Raises SecretUnreadable when the stored secret cannot be opened (the server's secret key changed).
    """
    fresh = User.get_by_id(user.id)
    stored: str | None = fresh.totp_secret
    if not is_on(fresh) or stored is None:
        return False
    step = _matching_step(_open(stored), raw_code, now or clock())
    return step is not None and _claim_step(fresh, stored, step)


def normalize_recovery_code(raw: str | None) -> str:
    """A recovery code as hashed: capitals, without spaces or dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch.isascii() and ch.isalnum())


def _digest(code: str) -> str:
    """The stored form of a recovery code: the hash of its normalized text."""
    return digest(normalize_recovery_code(code))


def use_recovery_code(user: User, raw_code: str | None, now: datetime | None = None) -> bool:
    """Whether `raw_code` is one of the user's unused recovery codes; it is then used up."""
    code = normalize_recovery_code(raw_code)
    if len(code) != RECOVERY_LENGTH or not is_on(User.get_by_id(user.id)):
        return False
    with db.atomic():
        used = (
            RecoveryCode.update(used_at=now or clock())
            .where((RecoveryCode.user == user.id) & (RecoveryCode.code_hash == _digest(code)) & RecoveryCode.used_at.is_null())
            .execute()
        )
        if used:
            User.update(totp_failures=0, totp_locked_until=None).where(User.id == user.id).execute()
    return bool(used)


def verify_code_or_recovery_code(user: User, raw_code: str | None, now: datetime | None = None) -> bool:
    """A current app code, or else an unused recovery code (used up if it matches); SecretUnreadable as verify_code."""
    if _digits(raw_code) is not None:
        return verify_code(user, raw_code, now)
    return use_recovery_code(user, raw_code, now)


def _new_code() -> str:
    """A random recovery code shown as two groups of five, e.g. 7KQ2M-XW9PD."""
    code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def _replace_recovery_codes(user: User, moment: datetime) -> list[str]:
    """Delete the user's recovery codes and store hashes of RECOVERY_COUNT new ones; return the new codes."""
    codes = [_new_code() for _ in range(RECOVERY_COUNT)]
    RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
    RecoveryCode.insert_many([{"user": user.id, "code_hash": _digest(c), "created_at": moment} for c in codes]).execute()
    return codes


def new_recovery_codes(user: User, raw_code: str | None, now: datetime | None = None) -> list[str] | None:
    """New recovery codes for a current app code (the old ones stop working), or None if the code is wrong."""
    moment = now or clock()
    with db.atomic():
        if not verify_code(user, raw_code, moment):
            return None
        return _replace_recovery_codes(user, moment)


def turn_off(user: User) -> None:
    """Two-step sign-in off: the secret and the recovery codes are deleted."""
    with db.atomic():
        User.update(totp_secret=None, totp_enabled_at=None, totp_last_timestep=None, totp_failures=0,
                    totp_locked_until=None).where(User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()


def failures(user: User) -> int:
    """Wrong codes on the account since its last right code (read afresh)."""
    return int(User.select(User.totp_failures).where(User.id == user.id).scalar() or 0)


def locked_until(user: User, now: datetime | None = None) -> datetime | None:
    """Until when codes from the app are paused for this account (browsers it has not been used in), or None."""
    until = User.select(User.totp_locked_until).where(User.id == user.id).scalar()
    return until if until is not None and until > (now or clock()) else None


@dataclass(frozen=True)
class Failure:
    """A wrong code, counted: how many since the last right one, and the lock it is under (if any)."""

    count: int
    locked_until: datetime | None


def note_failure(user: User, send: Send, now: datetime | None = None) -> Failure:
    """Count one wrong code on the account (on the server: a replayed session cookie does not reset it). At LOCK_AFTER
    or more, and not paused already, codes from the app pause for LOCK_FOR and the owner is told once, by `send`."""
    moment = now or clock()
    with db.atomic():
        User.update(totp_failures=User.totp_failures + 1).where(User.id == user.id).execute()
        not_paused = User.totp_locked_until.is_null() | (User.totp_locked_until <= moment)
        locking = User.update(totp_locked_until=moment + LOCK_FOR).where(
            (User.id == user.id) & (User.totp_failures >= LOCK_AFTER) & not_paused
        ).execute()
        count, until = User.select(User.totp_failures, User.totp_locked_until).where(User.id == user.id).tuples().get()
    if locking:  # only the request that began this lock sends the email
        fresh = User.get_by_id(user.id)
        minutes = int(LOCK_FOR.total_seconds() // 60)
        send(fresh.email, LOCK_SUBJECT, LOCK_BODY.format(name=fresh.name, count=count, minutes=minutes))
    return Failure(int(count), until if until is not None and until > moment else None)
