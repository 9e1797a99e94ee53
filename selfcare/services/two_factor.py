"""Two-step sign-in for therapists: codes from an authenticator app (TOTP, RFC 6238) and single-use recovery codes."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

import pyotp
import segno

from selfcare.db import db
from selfcare.models import RecoveryCode, User, utcnow
from selfcare.services.hashed import digest

ISSUER = "selfcare"  # the name the authenticator app shows above the code
STEP_SECONDS = 30
DIGITS = 6
VALID_WINDOW = 1  # a code from the step before or after still works: phone clocks drift, people type slowly
MAX_FAILURES = 5  # wrong codes before the password must be entered again
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread
RECOVERY_LENGTH = 10  # about 50 random bits: too many to guess through a form that allows five tries


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


def start_setup(user: User) -> str:
    """A new secret for the user to put in their app; it is used only once a code from it is confirmed."""
    secret = pyotp.random_base32()  # 32 characters: 160 bits, as RFC 4226 recommends
    changed = (
        User.update(totp_secret=secret, totp_enabled_at=None, totp_last_timestep=None, totp_failures=0)
        .where((User.id == user.id) & User.totp_enabled_at.is_null())
        .execute()
    )
    if not changed:
        raise AlreadyOn
    return secret


def pending_secret(user: User) -> str | None:
    """The secret being set up (not yet confirmed), or None."""
    fresh = User.get_by_id(user.id)
    return fresh.totp_secret if fresh.totp_enabled_at is None and fresh.totp_secret else None


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


def _claim_step(user: User, secret: str, step: int, *, enabling_at: datetime | None = None) -> bool:
    """Record `step` of `secret` as used unless it, or a later one, was used already (one UPDATE: two requests cannot both win)."""
    changes: dict[object, object] = {User.totp_last_timestep: step, User.totp_failures: 0}
    if enabling_at is not None:
        changes[User.totp_enabled_at] = enabling_at
    state = User.totp_enabled_at.is_null() if enabling_at is not None else User.totp_enabled_at.is_null(False)
    unused = User.totp_last_timestep.is_null() | (User.totp_last_timestep < step)
    return bool(User.update(changes).where((User.id == user.id) & (User.totp_secret == secret) & state & unused).execute())


def confirm_setup(user: User, raw_code: str | None, now: datetime | None = None) -> list[str] | None:
    """Turn two-step sign-in on if `raw_code` is a current code from the pending secret; return the new recovery codes."""
    moment = now or clock()
    secret = pending_secret(user)
    step = _matching_step(secret, raw_code, moment) if secret else None
    if secret is None or step is None:
        return None
    with db.atomic():
        if not _claim_step(user, secret, step, enabling_at=moment):
            return None
        return _replace_recovery_codes(user, moment)


def verify_code(user: User, raw_code: str | None, now: datetime | None = None) -> bool:
    """Whether `raw_code` is a current code from the user's app, never used before; it cannot be used again."""
    fresh = User.get_by_id(user.id)
    secret = fresh.totp_secret if is_on(fresh) else None
    if not secret:
        return False
    step = _matching_step(secret, raw_code, now or clock())
    return step is not None and _claim_step(fresh, secret, step)


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
            User.update(totp_failures=0).where(User.id == user.id).execute()
    return bool(used)


def verify_code_or_recovery_code(user: User, raw_code: str | None, now: datetime | None = None) -> bool:
    """A current app code, or else an unused recovery code (used up if it matches)."""
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
        User.update(totp_secret=None, totp_enabled_at=None, totp_last_timestep=None, totp_failures=0).where(User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()


def password_step_passed(user: User) -> None:
    """The password was right: the count of wrong codes starts again."""
    User.update(totp_failures=0).where(User.id == user.id).execute()


def note_failure(user: User) -> int:
    """Count one wrong code (kept on the server, so replaying an old session cookie does not reset it); return the count."""
    with db.atomic():
        User.update(totp_failures=User.totp_failures + 1).where(User.id == user.id).execute()
        return int(User.select(User.totp_failures).where(User.id == user.id).scalar() or 0)
