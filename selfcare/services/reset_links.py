"""Password reset links: signed with the app's secret, for one user, good for an hour, dead once the password changes.

No table is needed: the token carries the user id and a fingerprint of the password hash at the time it was
made, so setting a new password (with it or any other way) makes every earlier link stop working.
"""

from __future__ import annotations

import enum
import hmac
import logging
from typing import Callable

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from selfcare import accounts
from selfcare.models import User

log = logging.getLogger(__name__)

SALT = "selfcare.password-reset"  # a reset token is never valid as any other signed value, nor the reverse
MAX_AGE = 60 * 60  # seconds
SUBJECT = "Reset your selfcare password"
BODY = """Hello {name},

Someone, we hope you, asked to reset the password of your selfcare account.
To choose a new password, open this link within 1 hour:

{link}

The link works once. If you did not ask for it, you can ignore this email: your password stays as it is.
"""

Link = Callable[[str], str]  # token -> absolute URL of the reset page
Send = Callable[[str, str, str], None]  # (to, subject, body)


class BadLink(enum.Enum):
    """Why a reset link cannot be used."""

    INVALID = "invalid"  # not a link we made (mistyped, cut short, forged)
    EXPIRED = "expired"  # older than MAX_AGE
    USED = "used"  # the password has changed since it was made (or the account is gone)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    """The signer for reset tokens."""
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(user: User, secret_key: str) -> str:
    """A reset token for `user` as they are now."""
    return str(_serializer(secret_key).dumps({"u": user.id, "p": user.password_fingerprint}))


def user_for(token: str, secret_key: str, max_age: int = MAX_AGE) -> User | BadLink:
    """The user a token was made for, if it is ours, recent and made since the last password change."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        return BadLink.EXPIRED
    except BadSignature:
        return BadLink.INVALID
    if not (isinstance(data, dict) and isinstance(data.get("u"), int) and isinstance(data.get("p"), str)):
        return BadLink.INVALID
    user = User.get_or_none(User.id == data["u"])
    if user is None or not hmac.compare_digest(user.password_fingerprint, data["p"]):
        return BadLink.USED
    return user


def request_reset(email: str, secret_key: str, link_for: Link, send: Send) -> None:
    """Mail a reset link if an account uses `email`; the same work either way, and nothing returned tells which."""
    try:
        address: str | None = accounts.normalize_email(email)
    except accounts.AccountError:
        address = None
    user = User.get_or_none(User.email == address) if address else None
    # An unknown address gets a token and a mail body made all the same, only not sent, so both take as long.
    token = make_token(user, secret_key) if user else str(_serializer(secret_key).dumps({"u": 0, "p": "0" * 16}))
    body = BODY.format(name=user.name if user else "", link=link_for(token))
    if user is None:
        return
    try:
        send(user.email, SUBJECT, body)
    except Exception:  # a mail failure must not answer differently from an unknown address
        log.exception("Could not send the password reset email")


def reset(user: User, password: str) -> None:
    """Set the new password (raises AccountError if it breaks the rules); older links and sessions end."""
    accounts.set_password(user, password)
