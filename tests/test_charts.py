"""The history charts say what each day's values are, however many days: the points, markers, bars and the numbers
behind them (their tables, loaded on demand) are checked against each value written the plain way."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from markupsafe import escape

from selfcare.charts import (
    CHARTS, MARKERS_UP_TO, PLOT_H, PLOT_W, TOP, _x, chart_numbers, charted, pain_chart, sets_chart, walking_chart, zone_chart,
)
from selfcare.clinical import Zone
from selfcare.services.history_series import DayPoint

NAMES = {z: f"{z.value.title()} & co" for z in Zone}


def _series(count: int, seed: int, values: list[object], gaps: float) -> list:
    rng = random.Random(seed)
    return [None if rng.random() < gaps else rng.choice(values) for _ in range(count)]


def _days(count: int) -> list[date]:
    return [date(2026, 1, 1) + timedelta(days=n) for n in range(count)]


CASES = [(count, seed, gaps) for count in (1, 2, 7, 31, 32, 90, 365) for seed in (1, 2) for gaps in (0.0, 0.5, 0.97)]


def _polyline(chart: str, n: int) -> str:
    return re.findall(r'<polyline points="([^"]*)"', chart)[n]


def _day(d: date) -> str:
    return f"{d.day} {d:%b}"


def _fmt(value: object, unit: str = "") -> str:
    return "–" if value is None else f"{value}{unit}"


def _markers(count: int, known: list[tuple[int, float]], kind: str, y_of) -> list[str]:
    if not (count <= MARKERS_UP_TO or len(known) == 1):
        return []
    if kind == "square":
        return [f'<rect x="{_x(i, count) - 3.5:.1f}" y="{y_of(v) - 3.5:.1f}" width="7" height="7"' for i, v in known]
    return [f'<circle cx="{_x(i, count):.1f}" cy="{y_of(v):.1f}" r="3.5"' for i, v in known]


@pytest.mark.parametrize(("count", "seed", "gaps"), CASES)
def test_zone_chart_points_table_and_words(count, seed, gaps):
    zones = _series(count, seed, list(Zone), gaps)
    chart = str(zone_chart("z", _days(count), zones, NAMES))
    known = [(i, z) for i, z in enumerate(zones) if z is not None]
    if not known:
        assert "chart-empty" in chart
        return
    step = PLOT_H / (len(Zone) - 1)
    points = [(i, float(z.rank)) for i, z in known]
    if len(known) > 1:
        assert _polyline(chart, 0) == " ".join(f"{_x(i, count):.1f},{TOP + r * step:.1f}" for i, r in points)
    for marker in _markers(count, points, "circle", lambda r: TOP + r * step):
        assert marker in chart
    assert chart.count("<circle") == len(_markers(count, points, "circle", lambda r: 0))
    assert str(escape(f"Furthest: {NAMES[max(z for _, z in known)]}.")) in chart  # the title, escaped
    assert "<table" not in chart and "<td" not in chart  # the numbers load on demand


@pytest.mark.parametrize(("count", "seed", "gaps"), CASES)
def test_pain_and_walking_charts_points_and_tables(count, seed, gaps):
    days = _days(count)
    leg, back = _series(count, seed, list(range(11)), gaps), _series(count, seed + 7, list(range(11)), gaps)
    chart = str(pain_chart("p", days, leg, back))
    if any(v is not None for v in leg + back):
        lines = [s for s in (back, leg) if sum(v is not None for v in s) > 1]  # back pain drawn first
        for n, values in enumerate(lines):
            assert _polyline(chart, n) == " ".join(f"{_x(i, count):.1f},{TOP + (10 - v) / 10 * PLOT_H:.1f}"
                                                   for i, v in enumerate(values) if v is not None)
        for kind, values in (("square", back), ("circle", leg)):
            for marker in _markers(count, [(i, v) for i, v in enumerate(values) if v is not None], kind,
                                   lambda v: TOP + (10 - v) / 10 * PLOT_H):
                assert marker in chart
    minutes, onset = _series(count, seed, [5, 12, 30, 75], gaps), _series(count, seed + 3, [None, 2, 9], 0.0)
    walks = str(walking_chart("w", days, minutes, onset))
    assert ("chart-empty" in walks) == all(m is None for m in minutes)


@pytest.mark.parametrize(("count", "seed", "gaps"), CASES)
def test_sets_chart_bars_and_table(count, seed, gaps):
    days = _days(count)
    sets = [v or 0 for v in _series(count, seed, [1, 2, 3, 9], gaps)]
    chart = str(sets_chart("s", days, sets))
    if not any(sets):
        assert "chart-empty" in chart
        return
    width, top = max(PLOT_W / count * 0.7, 1.0), max(4, *sets)
    top = -(-top // 2) * 2 if top <= 12 else -(-top // 4) * 4
    bars = re.findall(r"M([\d.]+) ([\d.]+)h([\d.]+)v(-[\d.]+)h(-[\d.]+)z", re.search(r'<path class="chart-bars" d="([^"]*)"', chart)[1])
    assert bars == [(f"{_x(i, count) - width / 2:.1f}", f"{TOP + PLOT_H:.1f}", f"{width:.1f}", f"{-n / top * PLOT_H:.1f}",
                     f"{-width:.1f}") for i, n in enumerate(sets) if n]
    assert chart.count("<rect") == 0  # one path for all the bars, however many days


@pytest.mark.parametrize(("count", "seed", "gaps"), CASES)
def test_the_numbers_behind_the_charts_are_each_days_values(count, seed, gaps):
    rng = random.Random(seed)
    series = [
        DayPoint(d, rng.choice(list(Zone)), rng.randint(0, 10), rng.choice([None, rng.randint(0, 10)]), rng.choice([None, 5, 40]),
                 rng.choice([None, 3]), rng.choice([0, 0, 1, 4]))
        if rng.random() >= gaps else DayPoint(d, None, None, None, None, None, 0)
        for d in _days(count)
    ]
    numbers = chart_numbers(series, NAMES)
    assert list(numbers) == list(CHARTS)
    assert numbers["zone"].rows == [(_day(p.day), NAMES[p.zone]) for p in series if p.zone is not None]
    assert numbers["pain"].rows == [(_day(p.day), _fmt(p.leg_pain), _fmt(p.back_pain)) for p in series
                                    if p.leg_pain is not None or p.back_pain is not None]
    assert numbers["walking"].rows == [(_day(p.day), f"{p.walk_minutes} min", "none" if p.onset_minutes is None else f"{p.onset_minutes} min")
                                       for p in series if p.walk_minutes is not None]
    assert numbers["sets"].rows == [(_day(p.day), str(p.sets_done)) for p in series if p.sets_done]
    assert charted(series) == {name for name, n in numbers.items() if n.rows}
