"""Entries sent with the client's own id: a replay returns the stored entry, a different body is a conflict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class EntryConflict(Exception):
    """The id already names a different entry (or someone else's): which fields differ, never their values."""

    def __init__(self, fields: tuple[str, ...]) -> None:
        super().__init__(f"this id already names a different entry ({', '.join(fields)})")
        self.fields = fields

    @property
    def time_only(self) -> bool:
        """Only the time differs: the same answers sent again later (a form re-sent from the back button)."""
        return self.fields == ("recorded_at",)


OTHER_OWNER = ("id",)


def differing(stored: Mapping[str, Any], sent: Mapping[str, Any]) -> tuple[str, ...]:
    """The keys of `sent` whose value differs from `stored`, in the order sent."""
    return tuple(key for key, value in sent.items() if stored.get(key) != value)


def check_replay(stored: Mapping[str, Any], sent: Mapping[str, Any]) -> None:
    """Raise EntryConflict unless `sent` matches what was stored under the same id."""
    fields = differing(stored, sent)
    if fields:
        raise EntryConflict(fields)
