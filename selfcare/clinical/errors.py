"""Errors raised by the clinical core."""

from __future__ import annotations

from pathlib import Path


class ContentError(ValueError):
    """A content file is malformed; the message names the file and the key."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        self.path = Path(path)
        self.key = key
        self.problem = problem
        super().__init__(f"{self.path.name}: {key}: {problem}")
