"""String enums whose members compare by the order they are declared in, not alphabetically."""

from __future__ import annotations

from enum import StrEnum


class OrderedStrEnum(StrEnum):
    """A StrEnum ordered by declaration: the first member is the lowest."""

    @property
    def rank(self) -> int:
        """Position of this member in declaration order (0 is the lowest)."""
        cls = type(self)
        ranks = _RANKS.get(cls)
        if ranks is None:  # computed once per enum: comparisons are on hot paths (caseload, trends)
            ranks = _RANKS[cls] = {member: index for index, member in enumerate(cls)}
        return ranks[self]

    def _other_rank(self, other: object) -> int:
        if isinstance(other, type(self)):
            return other.rank
        if isinstance(other, str):
            return type(self)(other).rank
        raise TypeError(f"cannot compare {type(self).__name__} with {type(other).__name__}")

    def __lt__(self, other: str) -> bool:
        return self.rank < self._other_rank(other)

    def __le__(self, other: str) -> bool:
        return self.rank <= self._other_rank(other)

    def __gt__(self, other: str) -> bool:
        return self.rank > self._other_rank(other)

    def __ge__(self, other: str) -> bool:
        return self.rank >= self._other_rank(other)


_RANKS: dict[type[OrderedStrEnum], dict[OrderedStrEnum, int]] = {}
