"""Typed, strict reading of TOML tables: every problem names the file and the key."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from selfcare.clinical.errors import ContentError


def read_toml(path: Path) -> dict[str, object]:
    """Parse a TOML file; a missing file or bad syntax becomes a ContentError."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ContentError(path, "(file)", "file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(path, "(file)", f"not valid TOML: {exc}") from None


class Table:
    """One TOML table read field by field; finish() rejects any key that was never read."""

    def __init__(self, path: Path, where: str, raw: object) -> None:
        if not isinstance(raw, dict):
            raise ContentError(path, where or "(file)", "must be a table")
        self.path = path
        self.where = where
        self.raw: dict[str, object] = raw
        self._seen: set[str] = set()

    def key(self, name: str) -> str:
        """The dotted key of a field, for error messages."""
        return f"{self.where}.{name}" if self.where else name

    def error(self, name: str, problem: str) -> ContentError:
        """A ContentError for one field of this table."""
        return ContentError(self.path, self.key(name), problem)

    def _get(self, name: str, required: bool) -> object:
        self._seen.add(name)
        if name not in self.raw:
            if required:
                raise self.error(name, "missing key")
            return None
        return self.raw[name]

    def text(self, name: str) -> str:
        """A required non-empty string."""
        value = self._get(name, True)
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, "must be a non-empty string")
        return value.strip()

    def opt_text(self, name: str) -> str | None:
        """An optional non-empty string."""
        return None if name not in self.raw else self.text(name)

    def integer(self, name: str, low: int, high: int) -> int:
        """A required whole number within [low, high]."""
        value = self._get(name, True)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, "must be a whole number")
        if not low <= value <= high:
            raise self.error(name, f"must be from {low} to {high}")
        return value

    def opt_integer(self, name: str, low: int, high: int) -> int | None:
        """An optional whole number within [low, high]."""
        return None if name not in self.raw else self.integer(name, low, high)

    def number(self, name: str, low: float, high: float) -> float:
        """A required number (whole or decimal) within [low, high]."""
        value = self._get(name, True)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(name, "must be a number")
        if not low <= value <= high:
            raise self.error(name, f"must be from {low} to {high}")
        return float(value)

    def flag(self, name: str) -> bool:
        """A required true/false."""
        value = self._get(name, True)
        if not isinstance(value, bool):
            raise self.error(name, "must be true or false")
        return value

    def opt_flag(self, name: str, default: bool) -> bool:
        """An optional true/false with a default."""
        return default if name not in self.raw else self.flag(name)

    def texts(self, name: str) -> tuple[str, ...]:
        """A required non-empty list of non-empty strings."""
        value = self._get(name, True)
        if not isinstance(value, list) or not value:
            raise self.error(name, "must be a non-empty list of strings")
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{name}[{index}]", "must be a non-empty string")
        return tuple(item.strip() for item in value)

    def table(self, name: str) -> Table:
        """A required sub-table."""
        return Table(self.path, self.key(name), self._get(name, True))

    def tables(self, name: str) -> list[Table]:
        """A required non-empty array of tables ([[name]])."""
        value = self._get(name, True)
        if not isinstance(value, list) or not value:
            raise self.error(name, "must be a non-empty array of tables")
        return [Table(self.path, f"{self.key(name)}[{i}]", item) for i, item in enumerate(value)]

    def choice(self, name: str, allowed: Iterable[str], what: str) -> str:
        """A required string that must be one of `allowed` (e.g. a known zone)."""
        value = self.text(name)
        options = list(allowed)
        if value not in options:
            raise self.error(name, f"unknown {what} {value!r}; expected one of {', '.join(options)}")
        return value

    def finish(self) -> None:
        """Raise for the first key that no reader asked for (unknown keys are errors)."""
        for name in self.raw:
            if name not in self._seen:
                raise self.error(name, "unknown key")


def unique_ids(tables: list[Table], field: str = "id") -> list[str]:
    """Read the id of each table; raise on a duplicate, naming its key."""
    seen: list[str] = []
    for table in tables:
        value = table.text(field)
        if value in seen:
            raise table.error(field, f"duplicate id {value!r}")
        seen.append(value)
    return seen
