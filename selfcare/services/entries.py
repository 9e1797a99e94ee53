"""Entries sent with the client's own id: a replay returns the stored entry, a different body is a conflict."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from peewee import IntegrityError

T = TypeVar("T")


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


def check_replay(owner_id: int, patient_id: int, stored: Mapping[str, Any], sent: Mapping[str, Any]) -> None:
    """Raise EntryConflict unless the stored entry is this patient's and `sent` matches it."""
    if owner_id != patient_id:
        raise EntryConflict(OTHER_OWNER)
    fields = differing(stored, sent)
    if fields:
        raise EntryConflict(fields)


def once(record: Callable[[], T]) -> T:
    """Run `record`; when the same id was stored at the same moment by another request, run it again as a replay."""
    try:
        return record()
    except IntegrityError:  # the unique index on the id: the other request won
        return record()
