"""Small charts drawn on the server as inline SVG: no script and no chart library (STYLE.md §10).

Each chart is a <figure>: an SVG with role="img" whose <title> sums it up in words, and a legend that
tells lines apart by dash and marker (not by colour alone). The numbers behind each chart are data
(`chart_numbers`), laid out as a table by a template and loaded on demand (a year is over a thousand cells).
The SVG scales to its container through its viewBox, so it fits a 360px-wide phone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta

from markupsafe import Markup, escape

from selfcare.clinical import Zone
from selfcare.services.history_series import DayPoint

WIDTH, HEIGHT = 340, 180
LEFT, RIGHT, TOP, BOTTOM = 58, 10, 10, 24  # room for axis labels
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MARKERS_UP_TO = 31  # more days than this: lines only, markers would pile up
# Colours with at least 4.5:1 contrast on white (text-grade, so lines and markers pass 3:1 easily).
BLUE, BROWN, GRID, INK = "#0b5d7a", "#9a3f00", "#c5ced6", "#4a5560"
ZONE_SHORT = {Zone.NONE: "None", Zone.BACK: "Back", Zone.BUTTOCK: "Buttock", Zone.THIGH: "Thigh",
              Zone.CALF: "Calf", Zone.FOOT: "Foot"}


@dataclass(frozen=True)
class Series:
    """One line: its name, one value per day (None: nothing recorded), and how it looks."""

    label: str
    values: Sequence[float | None]
    colour: str = BLUE
    dash: str = ""  # SVG stroke-dasharray; "" is a solid line
    marker: str = "circle"  # circle or square


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # as %b writes them


def day_label(d: date) -> str:
    """A day as the charts and their tables name it, e.g. '3 Mar'."""
    return f"{d.day} {MONTHS[d.month - 1]}"


_day = day_label


def _x(index: int, count: int) -> float:
    return LEFT + (index + 0.5) * PLOT_W / count


@lru_cache(maxsize=16)
def _x_texts(count: int) -> tuple[str, ...]:
    """Each day's x as the SVG has it, for `count` days (the same for every line of a range)."""
    return tuple(f"{_x(i, count):.1f}" for i in range(count))


@lru_cache(maxsize=16)
def _bar_x_texts(count: int, width: float) -> tuple[str, ...]:
    """Each day's bar's left edge as the SVG has it, for `count` days and bars `width` wide."""
    return tuple(f"{_x(i, count) - width / 2:.1f}" for i in range(count))


def _attrs(**values: object) -> str:
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for k, v in values.items())


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{escape(colour)}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{escape(colour)}"/>'


def _axes(days: Sequence[date], ticks: Sequence[tuple[float, str]]) -> list[str]:
    """Horizontal grid lines with their labels, and the first and last day under the plot."""
    out = []
    for y, label in ticks:
        out.append(f'<line {_attrs(x1=LEFT, x2=WIDTH - RIGHT, y1=f"{y:.1f}", y2=f"{y:.1f}", stroke=GRID)}/>')
        out.append(f'<text {_attrs(x=LEFT - 6, y=f"{y + 4:.1f}", text_anchor="end")}>{escape(label)}</text>')
    base = HEIGHT - 6
    out.append(f'<text {_attrs(x=LEFT, y=base)}>{escape(_day(days[0]))}</text>')
    if len(days) > 1:
        out.append(f'<text {_attrs(x=WIDTH - RIGHT, y=base, text_anchor="end")}>{escape(_day(days[-1]))}</text>')
    return out


def _line(series: Series, y_of: Callable[[float], float]) -> list[str]:
    """A line through the days that have a value (gaps are bridged), with markers for short ranges."""
    count = len(series.values)
    known = [(i, v) for i, v in enumerate(series.values) if v is not None]
    out = []
    if len(known) > 1:
        xs, ys = _x_texts(count), {v: f"{y_of(v):.1f}" for v in set(series.values) if v is not None}  # few distinct values
        path = " ".join([f"{xs[i]},{ys[v]}" for i, v in known])
        style = {"stroke_dasharray": series.dash} if series.dash else {}
        out.append(f'<polyline {_attrs(points=path, fill="none", stroke=series.colour, stroke_width=2.5, **style)}/>')
    if count <= MARKERS_UP_TO or len(known) == 1:  # each point's x and y as numbers only here (up to a month)
        out.extend(_marker(series.marker, _x(i, count), y_of(v), series.colour) for i, v in known)
    return out


def _legend(series: Sequence[Series]) -> str:
    """A visible key: a small sample of each line's dash and marker, then its name."""
    items = []
    for s in series:
        dash = f' stroke-dasharray="{escape(s.dash)}"' if s.dash else ""
        sample = (f'<svg class="chart-key" viewBox="0 0 36 12" width="36" height="12" aria-hidden="true" focusable="false">'
                  f'<line x1="0" y1="6" x2="36" y2="6" stroke="{s.colour}" stroke-width="2.5"{dash}/>'
                  f'{_marker(s.marker, 18, 6, s.colour)}</svg>')
        items.append(f"<li>{sample} {escape(s.label)}</li>")
    return f'<ul class="chart-legend">{"".join(items)}</ul>'


def _figure(chart_id: str, alt: str, body: Sequence[str], after: str) -> Markup:
    svg = (f'<svg class="chart-svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
           f'aria-labelledby="{chart_id}-title" focusable="false">'
           f'<title id="{chart_id}-title">{escape(alt)}</title>'
           f'<g font-size="13" fill="{INK}">{"".join(body)}</g></svg>')
    return Markup(f'<figure class="chart" id="{chart_id}">{svg}{after}</figure>')


def _empty(text: str) -> Markup:
    return Markup(f'<p class="chart-empty">{escape(text)}</p>')


def _fmt(value: float | None, unit: str = "") -> str:
    return "–" if value is None else f"{value:g}{unit}"


def _known(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None]


_ZONE_RANKS = {z: float(z.rank) for z in Zone}


def _on(count: int, unit: str) -> str:
    """How many points had a value, in words: 'on 3 days', 'in 3 weeks'."""
    return f"{'in' if unit == 'week' else 'on'} {count} {unit}s"


def zone_chart(chart_id: str, days: Sequence[date], zones: Sequence[Zone | None], names: dict[Zone, str],
               unit: str = "day") -> Markup:
    """The furthest point symptoms reached each day (or week: `unit`); foot at the bottom means further down the leg."""
    rank = _ZONE_RANKS  # a dict, not the enum's rank property a thousand times in a year
    ranks = [None if z is None else rank[z] for z in zones]
    known = [z for z in zones if z is not None]
    if not known:
        return _empty("No symptom check-ins in these days yet.")
    step = PLOT_H / (len(Zone) - 1)
    ticks = [(TOP + z.rank * step, ZONE_SHORT[z]) for z in Zone]
    body = _axes(days, ticks) + _line(Series("Furthest point", ranks), lambda r: TOP + r * step)
    alt = (f"Chart of where symptoms reached, {len(days)} {unit}s. Recorded {_on(len(known), unit)}. "
           f"First: {names[known[0]]}. Latest: {names[known[-1]]}. Furthest: {names[max(known, key=rank.__getitem__)]}.")
    return _figure(chart_id, alt, body, "")


def pain_chart(chart_id: str, days: Sequence[date], leg: Sequence[int | None], back: Sequence[int | None],
               unit: str = "day") -> Markup:
    """Leg and back pain 0-10, the highest each day (or week): a solid line with circles and a dashed one with squares."""
    legs, backs = _known(leg), _known(back)
    if not legs and not backs:
        return _empty("No pain scores in these days yet.")
    series = [Series("Leg pain", leg), Series("Back pain", back, BROWN, "6 4", "square")]

    def y_of(v: float) -> float:
        return TOP + (10 - v) / 10 * PLOT_H

    body = _axes(days, [(y_of(v), str(v)) for v in (0, 5, 10)])
    for s in reversed(series):  # leg pain on top: where both meet, the circle shows inside the square
        body += _line(s, y_of)
    alt = f"Chart of leg and back pain from 0 to 10, highest each {unit}, {len(days)} {unit}s."
    if legs:
        alt += f" Leg pain went from {legs[0]:g} to {legs[-1]:g}."
    if backs:
        alt += f" Back pain went from {backs[0]:g} to {backs[-1]:g}."
    return _figure(chart_id, alt, body, _legend(series))


def _top(values: Sequence[float], at_least: int, unit: int) -> int:
    """A round top for the y axis: at least `at_least`, the next multiple of `unit` (doubled past 30 units)."""
    biggest = max([*values, at_least])
    step = unit if biggest <= unit * 6 else unit * 2
    return int(-(-biggest // step) * step)


def _ticks(top: int) -> tuple[float, ...]:
    """Whole-number grid lines: 0, the middle (when it is whole) and the top."""
    return (0, top // 2, top) if top % 2 == 0 else (0, top)


def walking_chart(chart_id: str, days: Sequence[date], minutes: Sequence[int | None], onset: Sequence[int | None],
                  unit: str = "day") -> Markup:
    """The longest walk each day or week (solid, circles) and when leg symptoms started on it (dashed, squares)."""
    walked = _known(minutes)
    if not walked:
        return _empty("No walks in these days yet.")
    top = _top(walked, 10, 10)
    series = [Series("Longest walk", minutes), Series("Leg symptoms started", onset, BROWN, "6 4", "square")]

    def y_of(v: float) -> float:
        return TOP + (top - v) / top * PLOT_H

    body = _axes(days, [(y_of(v), f"{v:g} min") for v in _ticks(top)])
    for s in series:
        body += _line(s, y_of)
    alt = (f"Chart of the longest walk each {unit}, {len(days)} {unit}s. Walks {_on(len(walked), unit)}. "
           f"Best: {max(walked):g} minutes. Latest: {walked[-1]:g} minutes.")
    return _figure(chart_id, alt, body, _legend(series))


def sets_chart(chart_id: str, days: Sequence[date], sets: Sequence[int], unit: str = "day") -> Markup:
    """Sets of exercises done each day (or week), as bars."""
    total = sum(sets)
    if not total:
        return _empty("No sets of exercises in these days yet.")
    top = _top(sets, 4, 2)
    slot = PLOT_W / len(days)
    width = max(slot * 0.7, 1.0)
    body = _axes(days, [(TOP + (top - v) / top * PLOT_H, f"{v:g}") for v in _ticks(top)])
    # All bars are one path (a rectangle per day with sets: move, across, up, back, close): a year is one element.
    xs, bottom = _bar_x_texts(len(days), width), TOP + PLOT_H
    bars = [f"M{xs[i]} {bottom:.1f}h{width:.1f}v{-n / top * PLOT_H:.1f}h{-width:.1f}z" for i, n in enumerate(sets) if n]
    body.append(f'<path class="chart-bars" d="{"".join(bars)}" fill="{BLUE}"/>')
    active = sum(1 for n in sets if n)
    alt = (f"Bar chart of sets done each {unit}, {len(days)} {unit}s. "
           f"{total} sets {'in' if unit == 'week' else 'on'} {active} of {len(days)} {unit}s.")
    return _figure(chart_id, alt, body, "")


def history_charts(series: Sequence[DayPoint], names: dict[Zone, str], unit: str = "day") -> dict[str, Markup]:
    """The four history charts for a series of days (or of weeks: `unit`, each point's `day` its Monday), by name."""
    days = [p.day for p in series]
    walks, onsets = [p.walk_minutes for p in series], [p.onset_minutes for p in series]
    return {
        "zone": zone_chart("chart-zone", days, [p.zone for p in series], names, unit),
        "pain": pain_chart("chart-pain", days, [p.leg_pain for p in series], [p.back_pain for p in series], unit),
        "walking": walking_chart("chart-walking", days, walks, onsets, unit),
        "sets": sets_chart("chart-sets", days, [p.sets_done for p in series], unit),
    }


@dataclass(frozen=True)
class Numbers:
    """The numbers behind one chart, as a table shows them: a caption, column heads, and a row per day with a value."""

    chart: str  # the chart's name: zone, pain, walking or sets
    caption: str
    head: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]  # the day's label first


CHARTS = ("zone", "pain", "walking", "sets")


def charted(series: Sequence[DayPoint]) -> frozenset[str]:
    """The charts that have a value on some day (the others show a line saying so, and no numbers)."""
    has = {"zone": False, "pain": False, "walking": False, "sets": False}
    for p in series:
        has["zone"] = has["zone"] or p.zone is not None
        has["pain"] = has["pain"] or p.leg_pain is not None or p.back_pain is not None
        has["walking"] = has["walking"] or p.walk_minutes is not None
        has["sets"] = has["sets"] or p.sets_done > 0
    return frozenset(name for name, value in has.items() if value)


def chart_numbers(series: Sequence[DayPoint], names: dict[Zone, str], unit: str = "day") -> dict[str, Numbers]:
    """The numbers behind each of the four history charts, by chart name (only days, or weeks, with a value)."""
    label = day_label if unit == "day" else (lambda monday: f"Week of {day_label(monday)}")
    zone = [(label(p.day), names[p.zone]) for p in series if p.zone is not None]
    pain = [(label(p.day), _fmt(p.leg_pain), _fmt(p.back_pain)) for p in series
            if p.leg_pain is not None or p.back_pain is not None]
    walking = [(label(p.day), _fmt(p.walk_minutes, " min"), "none" if p.onset_minutes is None else f"{p.onset_minutes} min")
               for p in series if p.walk_minutes is not None]
    sets = [(label(p.day), str(p.sets_done)) for p in series if p.sets_done]
    first = unit.capitalize()
    return {
        "zone": Numbers("zone", f"Furthest point each {unit}", (first, "Furthest point"), zone),
        "pain": Numbers("pain", f"Highest pain each {unit} (0 to 10)", (first, "Leg", "Back"), pain),
        "walking": Numbers("walking", f"Longest walk each {unit}", (first, "Walked", "Leg symptoms after"), walking),
        "sets": Numbers("sets", f"Sets done each {unit}", (first, "Sets"), sets),
    }


SPARK_STEP, SPARK_H, SPARK_PAD = 8, 30, 3  # one day every 8 units; foot at the bottom, as in zone_chart
SPARK_RANK = {z: z.rank for z in Zone}  # nearest the back first
# Each zone's height as the SVG has it (numbers only: nothing in a sparkline's drawing needs escaping).
SPARK_STEP_Y = (SPARK_H - 2 * SPARK_PAD) / (len(Zone) - 1)
SPARK_Y = {z: f"{SPARK_PAD + n * SPARK_STEP_Y:.1f}" for z, n in SPARK_RANK.items()}


def sparkline(first: date, zones: Sequence[Zone | None], names: dict[Zone, str]) -> Markup:
    """A tiny zone-per-day line for one caseload row, `zones` from the day `first` on; its text alternative says the
    same in words. Each day with a check-in is a dot: one path of zero-length strokes with round ends (SVG draws each
    as a circle), not an element per day: fifty rows of fourteen days are 150 elements, not 750."""
    known = [z for z in zones if z is not None]
    if not known:
        return Markup('<span class="sparkline-empty">No check-ins in these days</span>')
    width = SPARK_STEP * len(zones)
    points = [(i * SPARK_STEP + SPARK_STEP // 2, SPARK_Y[z]) for i, z in enumerate(zones) if z is not None]
    body = [f'<line x1="0" x2="{width}" y1="{SPARK_H - SPARK_PAD}" y2="{SPARK_H - SPARK_PAD}" stroke="{GRID}"/>']
    if len(points) > 1:
        path = " ".join(f"{x},{y}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    dots = "".join(f"M{x},{y}h0" for x, y in points)
    body.append(f'<path d="{dots}" stroke="{BLUE}" stroke-width="5" stroke-linecap="round"/>')
    last = first + timedelta(days=len(zones) - 1)
    alt = escape(f"Furthest point each day, {_day(first)} to {_day(last)}: recorded on {len(known)} of {len(zones)} "
                 f"days, first {names[known[0]]}, latest {names[known[-1]]}, "
                 f"furthest {names[max(known, key=lambda z: SPARK_RANK[z])]}.")
    return Markup(f'<svg class="sparkline" role="img" aria-label="{alt}" viewBox="0 0 {width} {SPARK_H}" '
                  f'width="{width}" height="{SPARK_H}" focusable="false"><title>{alt}</title>{"".join(body)}</svg>')
