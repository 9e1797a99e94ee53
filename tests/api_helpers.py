"""Helpers for API tests: tokens, bodies a client would send, and calls with a bearer token."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from selfcare.clinical import FLAG_LEVELS
from selfcare.models import User
from selfcare.services import tokens


def token_for(user: User) -> str:
    """A fresh personal access token for `user`."""
    return tokens.create_token(user, "tests").secret


def minutes_ago(n: int) -> str:
    """An ISO 8601 time with an offset, `n` minutes ago."""
    return (datetime.now(UTC) - timedelta(minutes=n)).isoformat()


def checkin_body(**changes: Any) -> dict[str, Any]:
    """A complete, valid check-in with `changes` applied (red_flags entries merge into all-no)."""
    flags = {flag: False for flag in FLAG_LEVELS}
    flags.update(changes.pop("red_flags", {}))
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()), "recorded_at": minutes_ago(30), "red_flags": flags,
        "reading": {"zone": "calf", "side": "left", "leg_pain": 6, "back_pain": 3},
        "sensations": ["pain"], "worse_with": ["sitting"], "walk": {"minutes": 12, "onset_minutes": 5},
    }
    body.update(changes)
    return body


def call(client: FlaskClient, method: str, path: str, token: str | None = None, json: Any = None, **kwargs: Any) -> Any:
    """One API call, with the token as `Authorization: Bearer` if given."""
    headers = kwargs.pop("headers", {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.open(f"/api/v1{path}", method=method, json=json, headers=headers, **kwargs)
