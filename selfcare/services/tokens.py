"""Personal access tokens for the JSON API: made by their owner, shown once, kept only as a hash."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from selfcare.models import ApiToken, User, utcnow
from selfcare.services.hashed import digest

PREFIX = "sc_"
MAX_ACTIVE = 10  # a user with more tokens than this is collecting, not integrating
NAME_MAX = 60


@dataclass(frozen=True)
class NewToken:
    """A token just made: `secret` is shown to the user once and never stored."""

    row: ApiToken
    secret: str


class TooManyTokens(Exception):
    """The user already has MAX_ACTIVE tokens that work."""


def active(user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    return list(
        ApiToken.select().where((ApiToken.user == user.id) & ApiToken.revoked_at.is_null())
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def create_token(user: User, name: str, now: datetime | None = None) -> NewToken:
    """Make a token named `name` for `user` (raises TooManyTokens past MAX_ACTIVE)."""
    if len(active(user)) >= MAX_ACTIVE:
        raise TooManyTokens
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.create(
        user=user, name=name.strip()[:NAME_MAX], token_hash=digest(secret), hint=secret[:8], created_at=now or utcnow(),
    )
    return NewToken(row, secret)


def revoke_token(user: User, token_id: int, now: datetime | None = None) -> bool:
    """Revoke one of the user's own tokens; False if there is no such working token."""
    return bool(
        ApiToken.update(revoked_at=now or utcnow())
        .where((ApiToken.id == token_id) & (ApiToken.user == user.id) & ApiToken.revoked_at.is_null())
        .execute()
    )


def user_for(secret: str, now: datetime | None = None) -> User | None:
    """The owner of a working token, noting when it was used; None for anything else."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    row = (
        ApiToken.select(ApiToken, User).join(User)
        .where((ApiToken.token_hash == digest(secret)) & ApiToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    moment = now or utcnow()
    if row.last_used_at is None or (moment - row.last_used_at).total_seconds() > 60:  # one write a minute at most
        ApiToken.update(last_used_at=moment).where(ApiToken.id == row.id).execute()
    return row.user
