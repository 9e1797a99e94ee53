"""Secrets the server must read back, kept encrypted at rest: the two-step sign-in secrets (TOTP keys).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with a key derived by HKDF-SHA256 from the app's secret
key, under a label of its own: a copy of the database alone does not give anyone the codes. If the secret key
changes, sealed values can no longer be opened (Unreadable), and two-step sign-in says to use a recovery code.

Bound to the app in the factory, like the database: `init_app` must run before the schema is migrated.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"selfcare: two-step sign-in secrets at rest, v1"  # this key is never the key of anything else
PLAIN_BASE32 = re.compile(r"[A-Z2-7]+=*")  # an authenticator secret as stored before version 11 (a Fernet token has lower case)


class Unreadable(Exception):
    """A sealed value that this secret key cannot open (the key changed, or the value was altered)."""


def fernet_for(secret_key: str) -> Fernet:
    """The Fernet key derived from the app's secret key."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(secret_key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


class Box:
    """Seals and opens values with the key of the app it was bound to."""

    def __init__(self) -> None:
        self.fernet: Fernet | None = None

    def init_app(self, app: Any) -> None:
        """Derive the key from `app`'s SECRET_KEY."""
        self.fernet = fernet_for(str(app.config["SECRET_KEY"]))

    def _key(self) -> Fernet:
        """The bound key (an app must have been made first)."""
        if self.fernet is None:
            raise RuntimeError("sealed.init_app(app) has not run")
        return self.fernet

    def seal(self, text: str) -> str:
        """`text` encrypted and authenticated, as ASCII to store."""
        return self._key().encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        """The text a sealed value holds, or Unreadable."""
        try:
            return self._key().decrypt(stored.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError, ValueError):
            raise Unreadable from None


box = Box()


def init_app(app: Any) -> None:
    """Bind the module's box to `app`."""
    box.init_app(app)


def is_plain_secret(stored: str) -> bool:
    """Whether a stored value is an authenticator secret in plain base32 (not sealed yet)."""
    return PLAIN_BASE32.fullmatch(stored) is not None
