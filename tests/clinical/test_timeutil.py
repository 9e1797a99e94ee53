"""as_utc: every kind of moment to an aware UTC datetime (an aware UTC one comes back as it is)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from selfcare.clinical.timeutil import as_utc

CASES = [
    (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    (datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    (datetime(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # naive: taken as UTC
    (datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Berlin")), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    (datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(0), "Z")), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    (datetime(2026, 3, 28, 20, 30, tzinfo=timezone(timedelta(hours=-5))), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    (date(2026, 3, 29), datetime(2026, 3, 29, tzinfo=UTC)),
]


@pytest.mark.parametrize("moment, expected", CASES)
def test_as_utc(moment: datetime | date, expected: datetime) -> None:
    """The same instant, with UTC as its time zone."""
    result = as_utc(moment)
    assert result == expected and result.tzinfo is UTC
    assert (result.year, result.month, result.day, result.hour, result.minute) == (
        expected.year, expected.month, expected.day, expected.hour, expected.minute)


def test_not_a_moment() -> None:
    """Anything else is a type error."""
    with pytest.raises(TypeError):
        as_utc("2026-03-29")  # type: ignore[arg-type]
