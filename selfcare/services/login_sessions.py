"""Signed-in sessions kept on the server, so that logging out or a new password ends them for real.

The session cookie (and a remember-me cookie) carries a random key; only its hash is stored. A copy of
a cookie taken before logout stops working at logout, not whenever the browser forgets it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from peewee import JOIN, fn

from selfcare.http_cache import CASELOAD_COLUMNS, caseload_query
from selfcare.models import Alert, LoginSession, Profile, Role, User, utcnow
from selfcare.services.hashed import digest
from selfcare.statements import Statement, as_model

IDLE_LIMIT = timedelta(days=30)  # a session unused for this long has ended
REMEMBERED_IDLE_LIMIT = timedelta(days=365)  # "Keep me logged in": as long as the remember cookie lasts
TOUCH_EVERY = timedelta(hours=1)  # last_seen_at is written at most this often (not on every request)


def _idle_limit(remember: bool) -> timedelta:
    """How long a session may go unused."""
    return REMEMBERED_IDLE_LIMIT if remember else IDLE_LIMIT


def begin(user: User, remember: bool = False, now: datetime | None = None) -> str:
    """Start a session for `user` and return its key (for the cookie); old ended sessions are cleared away."""
    now = now or utcnow()
    key = secrets.token_urlsafe(32)
    LoginSession.delete().where(
        (LoginSession.user == user.id)
        & (LoginSession.ended_at.is_null(False) | (LoginSession.last_seen_at < now - REMEMBERED_IDLE_LIMIT))
    ).execute()
    LoginSession.create(key_hash=digest(key), user=user, remember=remember, created_at=now, last_seen_at=now)
    return key


def _session_columns(key_hash: Any) -> Any:
    """The live session with this key hash: its user's id, remember flag and last use, the user's and their
    profile's columns, how many alerts the user has not yet said they read, and the caseload's seven aggregates of
    the user as a therapist (http_cache.caseload_query; a patient has no linked patients, and it costs them one
    lookup each) for the therapist pages' tags: one statement, every request, so a caseload's 304 is one statement."""
    unconfirmed = Alert.select(fn.COUNT(Alert.id)).where((Alert.patient == User.id) & Alert.confirmed_at.is_null())
    owner = LoginSession.alias("owner")
    caseload = caseload_query(owner.select(owner.user).where(owner.key_hash == key_hash)).alias("caseload")
    return (
        LoginSession.select(LoginSession.id, LoginSession.user, LoginSession.remember, LoginSession.last_seen_at,
                            *USER_FIELDS, *PROFILE_FIELDS, unconfirmed.alias("unconfirmed_alerts"),
                            *(caseload.c[name] for name in CASELOAD_COLUMNS))
        .join(User).join(Profile, JOIN.LEFT_OUTER, on=(Profile.patient == User.id))
        .join(caseload, JOIN.CROSS)
        .where((LoginSession.key_hash == key_hash) & LoginSession.ended_at.is_null())
        .limit(1)
    )


USER_FIELDS, PROFILE_FIELDS = tuple(User._meta.sorted_fields), tuple(Profile._meta.sorted_fields)
SESSION = Statement(_session_columns)


def user_for(user_id: int, key: str, now: datetime | None = None) -> User | None:
    """The user whose live session this key opens (one statement), or None if it ended, went idle or is someone else's.

    The user carries `joined_profile`: their Profile as it was read with the session, or None; and
    `unconfirmed_alerts`: how many alerts they have not yet said they read (the patient gate reads them only then).
    """
    now = now or utcnow()
    # A patient's onboarding answers come with the session (None for a therapist, or before onboarding): every
    # patient page reads them (patient.own_profile), and one statement is one round trip to PostgreSQL, not two.
    row = SESSION.first(key_hash=digest(key))
    if row is None:
        return None
    session_id, owner, remember, last_seen_at = row[:4]
    if owner != user_id or now - last_seen_at > _idle_limit(remember):
        return None
    if now - last_seen_at > TOUCH_EVERY:
        LoginSession.update(last_seen_at=now).where(LoginSession.id == session_id).execute()
    user_values, rest = row[4:4 + len(USER_FIELDS)], row[4 + len(USER_FIELDS):]
    profile_values, unconfirmed = rest[:len(PROFILE_FIELDS)], rest[len(PROFILE_FIELDS)]
    caseload = rest[len(PROFILE_FIELDS) + 1:]
    user = as_model(User, USER_FIELDS, user_values)
    user.joined_profile = (None if profile_values[0] is None else
                           as_model(Profile, PROFILE_FIELDS, profile_values))
    user.login_key = key
    user.unconfirmed_alerts = int(unconfirmed)
    user.caseload_row = caseload if user.role == Role.THERAPIST.value else None
    return user


def end(key: str, now: datetime | None = None) -> None:
    """End the session with this key (logging out on this device)."""
    LoginSession.update(ended_at=now or utcnow()).where(
        (LoginSession.key_hash == digest(key)) & LoginSession.ended_at.is_null()
    ).execute()


def end_all(user: User, keep: str | None = None, now: datetime | None = None) -> int:
    """End every session of `user` (but the one with key `keep`); return how many ended."""
    query = LoginSession.update(ended_at=now or utcnow()).where(
        (LoginSession.user == user.id) & LoginSession.ended_at.is_null()
    )
    if keep is not None:
        query = query.where(LoginSession.key_hash != digest(keep))
    return int(query.execute())


def open_elsewhere(user: User, key: str | None, now: datetime | None = None) -> int:
    """How many other live sessions `user` has (other phones or browsers)."""
    now = now or utcnow()
    rows = LoginSession.select().where((LoginSession.user == user.id) & LoginSession.ended_at.is_null())
    return sum(1 for row in rows if row.key_hash != digest(key or "") and now - row.last_seen_at <= _idle_limit(row.remember))
