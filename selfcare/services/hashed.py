"""How secrets that are shown once are kept: only their SHA-256, looked up by that hash."""

from __future__ import annotations

import hashlib


def digest(secret: str) -> str:
    """SHA-256 hex of a random secret (token, session key, calendar link, recovery code).

    These carry 128 bits or more of randomness, so there is nothing to guess and no slow KDF is needed;
    passwords, which people choose, are hashed with scrypt in accounts.py instead.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
