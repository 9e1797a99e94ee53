"""The home exercise plan as parameters (content/protocol.toml), and a PT's per-patient changes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import time
from enum import StrEnum
from pathlib import Path

from selfcare.clinical.regions import worded_text
from selfcare.clinical.validate import Table, read_toml, unique_ids

# Ranges a PT may set; wider than any sensible plan, narrow enough to catch typing mistakes.
SECONDS_RANGE = (10, 600)
REPS_RANGE = (1, 30)
PAUSE_RANGE = (0, 10)
SETS_RANGE = (1, 5)
REPEAT_RANGE = (60, 480)


class StepKind(StrEnum):
    """How a step is timed: held for a time, done as repetitions, or the walking re-check."""

    HOLD = "hold"
    REPS = "reps"
    WALK = "walk"


@dataclass(frozen=True)
class Step:
    """One exercise step with its dose and stop rule."""

    id: str
    kind: StepKind
    title: str
    instructions: str
    stop_rule: str
    source: str
    seconds: int | None = None
    min_seconds: int | None = None
    reps: int | None = None
    pause_seconds: int | None = None
    per_set: bool = False


@dataclass(frozen=True)
class Progression:
    """When and how to step the plan up (seed 003 step 5)."""

    after_better_sessions: int
    sets: int
    exhale: bool
    instructions: str
    source: str
    enabled: bool = True  # a PT can switch progression off for a patient


@dataclass(frozen=True)
class Plan:
    """The whole plan: steps, sets, how often to repeat, waking hours, progression."""

    title: str
    intro: str
    steps: tuple[Step, ...]
    sets: int
    repeat_every_minutes: int
    repeat_min_minutes: int
    repeat_max_minutes: int
    waking_start: time
    waking_end: time
    unchanged_limit: int
    get_ready_seconds: int
    stop_rule: str
    stop_action: str
    expect: str
    progression: Progression
    source: str

    def step(self, step_id: str) -> Step:
        """The step with this id; KeyError if there is none."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def sets_for(self, progressed: bool) -> int:
        """How many sets of the per-set steps to do, before or after progression."""
        return max(self.sets, self.progression.sets) if progressed and self.progression.enabled else self.sets

    def sets_per_day(self) -> int:
        """How many sets fit in waking hours at the planned interval (the day's target)."""
        start = self.waking_start.hour * 60 + self.waking_start.minute
        end = self.waking_end.hour * 60 + self.waking_end.minute
        return 1 + (end - start) // self.repeat_every_minutes

    def sequence(self, progressed: bool = False) -> tuple[tuple[Step, int], ...]:
        """The steps in the order they are done, each with its set number (1-based)."""
        out: list[tuple[Step, int]] = []
        for step in self.steps:
            repeats = self.sets_for(progressed) if step.per_set else 1
            out.extend((step, number) for number in range(1, repeats + 1))
        return tuple(out)


def _clock(table: Table, name: str) -> time:
    value = table.text(name)
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise table.error(name, "must be a time like 08:00") from None


def _step(table: Table) -> Step:
    kind = StepKind(table.choice("kind", [k.value for k in StepKind], "step kind"))
    step = Step(
        id=table.text("id"),
        kind=kind,
        title=table.text("title"),
        instructions=table.text("instructions"),
        stop_rule=table.text("stop_rule"),
        source=table.text("source"),
        seconds=table.opt_integer("seconds", *SECONDS_RANGE),
        min_seconds=table.opt_integer("min_seconds", *SECONDS_RANGE),
        reps=table.opt_integer("reps", *REPS_RANGE),
        pause_seconds=table.opt_integer("pause_seconds", *PAUSE_RANGE),
        per_set=table.opt_flag("per_set", False),
    )
    if kind in (StepKind.HOLD, StepKind.WALK) and step.seconds is None:
        raise table.error("seconds", "missing key (hold and walk steps are timed)")
    if kind == StepKind.REPS and step.reps is None:
        raise table.error("reps", "missing key (reps steps count repetitions)")
    table.finish()
    return step


def load_plan(path: Path) -> Plan:
    """Read and validate content/protocol.toml into the default Plan."""
    root = Table(path, "", read_toml(path))
    plan, prog = root.table("plan"), root.table("progression")
    step_tables = root.tables("step")
    unique_ids(step_tables)
    steps = tuple(_step(t) for t in step_tables)
    if steps[-1].kind != StepKind.WALK:
        raise step_tables[-1].error("kind", "the last step must be the walking re-check (kind = \"walk\")")
    progression = Progression(
        after_better_sessions=prog.integer("after_better_sessions", 1, 20),
        sets=prog.integer("sets", *SETS_RANGE),
        exhale=prog.flag("exhale"),
        instructions=prog.text("instructions"),
        source=prog.text("source"),
    )
    prog.finish()
    result = Plan(
        title=plan.text("title"),
        intro=worded_text(plan, "intro"),
        steps=steps,
        sets=plan.integer("sets", *SETS_RANGE),
        repeat_every_minutes=plan.integer("repeat_every_minutes", *REPEAT_RANGE),
        repeat_min_minutes=plan.integer("repeat_min_minutes", *REPEAT_RANGE),
        repeat_max_minutes=plan.integer("repeat_max_minutes", *REPEAT_RANGE),
        waking_start=_clock(plan, "waking_start"),
        waking_end=_clock(plan, "waking_end"),
        unchanged_limit=plan.integer("unchanged_limit", 1, 20),
        get_ready_seconds=plan.integer("get_ready_seconds", 0, 30),
        stop_rule=plan.text("stop_rule"),
        stop_action=worded_text(plan, "stop_action"),
        expect=worded_text(plan, "expect"),
        progression=progression,
        source=plan.text("source"),
    )
    plan.finish()
    root.finish()
    if not result.repeat_min_minutes <= result.repeat_every_minutes <= result.repeat_max_minutes:
        raise plan.error("repeat_every_minutes", "must lie between repeat_min_minutes and repeat_max_minutes")
    if result.waking_start >= result.waking_end:
        raise plan.error("waking_end", "must be later than waking_start")
    return result


def adjust_plan(plan: Plan, changes: Mapping[str, int | bool]) -> Plan:
    """Apply a PT's per-patient changes, e.g. {"sets": 2, "press_ups.reps": 8}; ValueError if invalid."""
    result = plan
    for key, value in changes.items():
        if isinstance(value, bool) and key not in ("exhale", "progression"):
            raise ValueError(f"{key} must be a whole number")
        if key == "sets":
            result = replace(result, sets=_in_range(key, value, SETS_RANGE))
        elif key == "repeat_every_minutes":
            minutes = _in_range(key, value, (result.repeat_min_minutes, result.repeat_max_minutes))
            result = replace(result, repeat_every_minutes=minutes)
        elif key == "progression":
            if not isinstance(value, bool):
                raise ValueError("progression must be true or false")
            result = replace(result, progression=replace(result.progression, enabled=value))
        elif key == "exhale":
            if not isinstance(value, bool):
                raise ValueError("exhale must be true or false")
            result = replace(result, progression=replace(result.progression, exhale=value))
        elif key == "progression.sets":
            result = replace(result, progression=replace(result.progression, sets=_in_range(key, value, SETS_RANGE)))
        elif "." in key:
            result = _adjust_step(result, key, value)
        else:
            raise ValueError(f"unknown plan setting {key!r}")
    return result


_STEP_FIELDS = {"seconds": SECONDS_RANGE, "reps": REPS_RANGE, "pause_seconds": PAUSE_RANGE}


def _adjust_step(plan: Plan, key: str, value: int) -> Plan:
    step_id, field = key.split(".", 1)
    try:
        step = plan.step(step_id)
    except KeyError:
        raise ValueError(f"unknown step {step_id!r} in plan setting {key!r}") from None
    if field not in _STEP_FIELDS or getattr(step, field) is None:
        raise ValueError(f"step {step_id!r} has no setting {field!r}")
    number = _in_range(key, value, _STEP_FIELDS[field])
    if field == "seconds":
        changed = replace(step, seconds=number)
    elif field == "reps":
        changed = replace(step, reps=number)
    else:
        changed = replace(step, pause_seconds=number)
    if changed.min_seconds is not None and changed.seconds is not None and changed.min_seconds > changed.seconds:
        changed = replace(changed, min_seconds=changed.seconds)
    return replace(plan, steps=tuple(changed if s.id == step_id else s for s in plan.steps))


def _in_range(key: str, value: int, bounds: tuple[int, int]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not bounds[0] <= value <= bounds[1]:
        raise ValueError(f"{key} must be a whole number from {bounds[0]} to {bounds[1]}")
    return value
