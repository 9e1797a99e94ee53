"""Red-flag wording, sources and level actions from content/red_flags.toml, checked against the code table."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from selfcare.clinical.redflags import COMBINATIONS, FLAG_LEVELS, HISTORY_LEVELS, Combination, Level
from selfcare.clinical.regions import Region
from selfcare.clinical.validate import Table, read_toml, unique_ids

PLACEHOLDERS = ("{emergency}", "{urgent_advice}")


class Blocks(StrEnum):
    """What a level does to the exercise plan."""

    TODAY = "today"
    UNTIL_CONFIRMED = "until_confirmed"
    NO = "no"


@dataclass(frozen=True)
class Question:
    """One red-flag or history question in the patient's words."""

    id: str
    level: Level
    question: str
    source: str
    history: bool = False


@dataclass(frozen=True)
class LevelAction:
    """What a triage level tells the patient to do."""

    level: Level
    title: str
    action: str
    pt_alert: bool
    blocks_protocol: Blocks
    source: str

    def render(self, region: Region) -> str:
        """The action text with the region's emergency (and urgent-advice) numbers filled in."""
        advice = f", or call {region.urgent_advice} for advice" if region.urgent_advice else ""
        return self.action.replace("{emergency}", region.emergency).replace("{urgent_advice}", advice)


@dataclass(frozen=True)
class RedFlagContent:
    """All red-flag content: today's questions, history questions, combinations, level actions."""

    questions: tuple[Question, ...]
    history: tuple[Question, ...]
    combinations: tuple[Combination, ...]
    actions: dict[Level, LevelAction]

    def action(self, level: Level | str) -> LevelAction:
        """The action for a level."""
        return self.actions[Level(level)]


def _level(table: Table, name: str) -> Level:
    return Level(table.choice(name, [lv.value for lv in Level], "level"))


def _question(table: Table, history: bool) -> Question:
    qid = table.text("id")
    known = HISTORY_LEVELS if history else FLAG_LEVELS
    if qid not in known:
        raise table.error("id", f"unknown red-flag id {qid!r}")
    level = _level(table, "level_alone" if history else "level")
    if level != known[qid]:
        raise table.error("level_alone" if history else "level", f"{level.value!r} differs from the code table ({known[qid].value!r})")
    question = Question(qid, level, table.text("question"), table.text("source"), history)
    table.finish()
    return question


def _action(table: Table) -> LevelAction:
    level = _level(table, "id")
    action = LevelAction(
        level=level,
        title=table.text("title"),
        action=table.text("action"),
        pt_alert=table.flag("pt_alert"),
        blocks_protocol=Blocks(table.choice("blocks_protocol", [b.value for b in Blocks], "blocking rule")),
        source=table.text("source"),
    )
    leftover = action.action
    for placeholder in PLACEHOLDERS:
        leftover = leftover.replace(placeholder, "")
    if "{" in leftover or "}" in leftover:
        raise table.error("action", f"only {', '.join(PLACEHOLDERS)} may appear in braces")
    table.finish()
    return action


def load_red_flags(path: Path) -> RedFlagContent:
    """Read red_flags.toml; every id and level must match selfcare.clinical.redflags exactly."""
    root = Table(path, "", read_toml(path))
    flag_tables, history_tables = root.tables("flag"), root.tables("history")
    unique_ids(flag_tables + history_tables)
    questions = tuple(_question(t, False) for t in flag_tables)
    history = tuple(_question(t, True) for t in history_tables)
    for ids, known, name in ((questions, FLAG_LEVELS, "flag"), (history, HISTORY_LEVELS, "history")):
        missing = set(known) - {q.id for q in ids}
        if missing:
            raise root.error(name, f"missing key: no question for {', '.join(sorted(missing))}")
    level_tables = root.tables("level")
    unique_ids(level_tables)
    actions = {a.level: a for a in (_action(t) for t in level_tables)}
    if set(actions) != set(Level):
        missing_levels = ", ".join(lv.value for lv in Level if lv not in actions)
        raise root.error("level", f"missing key: no action for {missing_levels}")
    combos: list[Combination] = []
    for table in root.tables("combination"):
        combo = Combination(
            table.choice("history", list(HISTORY_LEVELS), "history id"),
            table.choice("sign", list(FLAG_LEVELS), "red-flag id"),
            _level(table, "level"),
        )
        table.text("source")
        table.finish()
        if combo in combos:
            raise table.error("sign", f"duplicate combination {combo.history} + {combo.sign}")
        combos.append(combo)
    if set(combos) != set(COMBINATIONS):
        raise root.error("combination", "combinations differ from the code table in selfcare/clinical/redflags.py")
    root.finish()
    return RedFlagContent(questions, history, tuple(combos), actions)
