"""Personal access tokens for the JSON API: made by their owner, shown once, kept only as a hash.

A token works until it expires (LIFETIME after it was made) or is revoked: by its owner, or with every other token
of the account when access ends another way (logging out everywhere else, a new password, two-step sign-in turned
on). Those callers revoke them in the same transaction as the event itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from peewee import Expression

from selfcare.models import API_TOKEN_LIFETIME, ApiToken, User, utcnow
from selfcare.services.hashed import digest

PREFIX = "sc_"
MAX_ACTIVE = 10  # a user with more tokens than this is collecting, not integrating
NAME_MAX = 60
SECRET_MAX = 100  # PREFIX and 43 characters of base64: anything longer is no token of ours
LIFETIME = API_TOKEN_LIFETIME  # 90 days: a token forgotten in an old script stops on its own; Settings says until when


@dataclass(frozen=True)
class NewToken:
    """A token just made: `secret` is shown to the user once and never stored."""

    row: ApiToken
    secret: str


class TooManyTokens(Exception):
    """The user already has MAX_ACTIVE tokens that work."""


def _working(moment: datetime) -> Expression:
    """Tokens that work at `moment`: not revoked, not expired."""
    return ApiToken.revoked_at.is_null() & (ApiToken.expires_at > moment)


def active(user: User, now: datetime | None = None) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    return list(
        ApiToken.select().where((ApiToken.user == user.id) & _working(now or utcnow()))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def create_token(user: User, name: str, now: datetime | None = None) -> NewToken:
    """Make a token named `name` for `user`, working for LIFETIME (raises TooManyTokens past MAX_ACTIVE)."""
    moment = now or utcnow()
    if len(active(user, moment)) >= MAX_ACTIVE:
        raise TooManyTokens
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.create(
        user=user, name=name.strip()[:NAME_MAX], token_hash=digest(secret), hint=secret[:8], created_at=moment,
        expires_at=moment + LIFETIME,
    )
    return NewToken(row, secret)


def revoke_token(user: User, token_id: int, now: datetime | None = None) -> bool:
    """Revoke one of the user's own tokens; False if there is no such working token."""
    return bool(
        ApiToken.update(revoked_at=now or utcnow())
        .where((ApiToken.id == token_id) & (ApiToken.user == user.id) & ApiToken.revoked_at.is_null())
        .execute()
    )


def revoke_all(user: User, now: datetime | None = None) -> int:
    """Revoke every working token of `user` (access ended another way); return how many. Call it inside the
    transaction of the event that ends access, so neither happens without the other."""
    moment = now or utcnow()
    return int(ApiToken.update(revoked_at=moment).where((ApiToken.user == user.id) & _working(moment)).execute())


def owner_id(secret: str, now: datetime | None = None) -> int | None:
    """The id of a working token's owner, without noting the use (the rate limits ask before the API does)."""
    if not secret.startswith(PREFIX) or len(secret) > SECRET_MAX:
        return None
    found = ApiToken.select(ApiToken.user).where((ApiToken.token_hash == digest(secret)) & _working(now or utcnow())).scalar()
    return int(found) if found is not None else None


def user_for(secret: str, now: datetime | None = None) -> User | None:
    """The owner of a working token, noting when it was used; None for anything else (unknown, revoked, expired)."""
    if not secret.startswith(PREFIX) or len(secret) > SECRET_MAX:
        return None
    moment = now or utcnow()
    row = (
        ApiToken.select(ApiToken, User).join(User)
        .where((ApiToken.token_hash == digest(secret)) & _working(moment))
        .first()
    )
    if row is None:
        return None
    if row.last_used_at is None or (moment - row.last_used_at).total_seconds() > 60:  # one write a minute at most
        ApiToken.update(last_used_at=moment).where(ApiToken.id == row.id).execute()
    return row.user
