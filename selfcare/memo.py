"""A bounded memo kept in each process: values made once from their inputs and read back after.

For pure work that pages repeat with the same inputs (a stored caseload row decoded, a row put together with its
alerts, a form's choice options written out). The key must hold everything the value is made from, so a kept value
is never stale, only spare; at `size` entries the memo starts again empty (simple, and bounded in memory).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """Values by key, at most `size` of them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: dict[Hashable, V] = {}

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept under `key`, or `make()` kept now."""
        value = self._kept.get(key)
        if value is None:
            if len(self._kept) >= self.size:
                self._kept.clear()
            value = self._kept[key] = make()
        return value

    def __len__(self) -> int:
        return len(self._kept)
