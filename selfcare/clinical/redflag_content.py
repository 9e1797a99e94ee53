"""Red-flag wording, sources and level actions from content/red_flags.toml, checked against the code table."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from selfcare.clinical.redflags import (
    COMBINATIONS,
    FLAG_LEVELS,
    HELD_LEVELS,
    HISTORY_LEVELS,
    UNTIL_CLEARED,
    Combination,
    Level,
)
from selfcare.clinical.regions import PLACEHOLDER, WORDS, Region, unknown_words
from selfcare.clinical.validate import Table, read_toml, unique_ids


def fill(text: str, region: Region) -> str:
    """A content text with the region's words filled in ({emergency}, {therapist}, ...)."""
    words = region.words()
    return PLACEHOLDER.sub(lambda m: words[m.group(1)], text)


class Blocks(StrEnum):
    """What a level does to the exercise plan."""

    TODAY = "today"
    NO = "no"


@dataclass(frozen=True)
class Question:
    """One red-flag or history question in the patient's words, with the sign as listed and as told."""

    id: str
    level: Level
    question: str
    sign: str  # how the warning-signs page lists it
    tell: str  # what to tell the emergency services, as a short statement
    source: str
    history: bool = False
    until_cleared: bool = False  # urgent signs that keep the plan blocked until cleared (fever, trauma)


@dataclass(frozen=True)
class HeldSign:
    """A sign the app raises from what it already holds (a first self-check), with no question of its own."""

    id: str
    level: Level
    sign: str
    tell: str
    source: str


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
        """The action text with the region's numbers and words filled in."""
        return fill(self.action, region)

    def render_title(self, region: Region) -> str:
        """The title with the region's words filled in."""
        return fill(self.title, region)


@dataclass(frozen=True)
class RedFlagContent:
    """All red-flag content: daily questions, history questions, held signs, combinations, level actions."""

    questions: tuple[Question, ...]
    history: tuple[Question, ...]
    held: tuple[HeldSign, ...]
    combinations: tuple[Combination, ...]
    actions: dict[Level, LevelAction]
    public_sources: tuple[str, ...]

    def action(self, level: Level | str) -> LevelAction:
        """The action for a level."""
        return self.actions[Level(level)]

    def tell(self, reasons: tuple[str, ...] | list[str]) -> list[str]:
        """The short statements for these reason ids, in table order (unknown ids are skipped)."""
        by_id = {q.id: q.tell for q in (*self.questions, *self.history)} | {s.id: s.tell for s in self.held}
        return [by_id[r] for r in reasons if r in by_id]

    def sign_words(self) -> dict[str, str]:
        """Every id an alert can name (daily signs, history items, signs the app holds) to its sign in plain words."""
        return {q.id: q.sign for q in (*self.questions, *self.history)} | {s.id: s.sign for s in self.held}

    def signs(self, level: Level | str) -> list[str]:
        """The warning-signs page's list for one level: each daily sign, then each sign the app raises from a first
        self-check ([[held]]), in table order. History items count only in combinations, so they are not listed."""
        wanted = Level(level)
        return [q.sign for q in self.questions if q.level == wanted] + [s.sign for s in self.held if s.level == wanted]


def _level(table: Table, name: str) -> Level:
    return Level(table.choice(name, [lv.value for lv in Level], "level"))


def _checked_words(table: Table, name: str, text: str) -> str:
    if unknown_words(text):
        raise table.error(name, f"only {', '.join('{' + w + '}' for w in WORDS)} may appear in braces")
    return text


def _question(table: Table, history: bool) -> Question:
    qid = table.text("id")
    known = HISTORY_LEVELS if history else FLAG_LEVELS
    if qid not in known:
        raise table.error("id", f"unknown red-flag id {qid!r}")
    level = _level(table, "level_alone" if history else "level")
    if level != known[qid]:
        raise table.error("level_alone" if history else "level", f"{level.value!r} differs from the code table ({known[qid].value!r})")
    until_cleared = table.opt_flag("until_cleared", False)
    if until_cleared != (qid in UNTIL_CLEARED):
        raise table.error("until_cleared", "differs from the code table (UNTIL_CLEARED in selfcare/clinical/redflags.py)")
    question = Question(
        qid, level, table.text("question"), table.text("sign"), table.text("tell"), table.text("source"), history,
        until_cleared,
    )
    table.finish()
    return question


def _held(table: Table) -> HeldSign:
    sid = table.text("id")
    if sid not in HELD_LEVELS:
        raise table.error("id", f"unknown held sign {sid!r}")
    level = _level(table, "level")
    if level != HELD_LEVELS[sid]:
        raise table.error("level", f"{level.value!r} differs from the code table ({HELD_LEVELS[sid].value!r})")
    sign = HeldSign(sid, level, table.text("sign"), table.text("tell"), table.text("source"))
    table.finish()
    return sign


def _action(table: Table) -> LevelAction:
    level = _level(table, "id")
    action = LevelAction(
        level=level,
        title=_checked_words(table, "title", table.text("title")),
        action=_checked_words(table, "action", table.text("action")),
        pt_alert=table.flag("pt_alert"),
        blocks_protocol=Blocks(table.choice("blocks_protocol", [b.value for b in Blocks], "blocking rule")),
        source=table.text("source"),
    )
    table.finish()
    return action


def _combination(table: Table) -> Combination:
    ids = table.texts("ids")
    for index, qid in enumerate(ids):
        if qid not in FLAG_LEVELS and qid not in HISTORY_LEVELS:
            raise table.error(f"ids[{index}]", f"unknown red-flag id {qid!r}")
    if len(set(ids)) < 2:
        raise table.error("ids", "a combination needs at least two different ids")
    combo = Combination(frozenset(ids), _level(table, "level"))
    table.text("source")
    table.finish()
    return combo


def load_red_flags(path: Path) -> RedFlagContent:
    """Read red_flags.toml; every id and level must match selfcare.clinical.redflags exactly."""
    root = Table(path, "", read_toml(path))
    public_sources = root.texts("public_sources")
    flag_tables, history_tables, held_tables = root.tables("flag"), root.tables("history"), root.tables("held")
    unique_ids(flag_tables + history_tables + held_tables)
    questions = tuple(_question(t, False) for t in flag_tables)
    history = tuple(_question(t, True) for t in history_tables)
    held = tuple(_held(t) for t in held_tables)
    for ids, known, name in (
        ([q.id for q in questions], FLAG_LEVELS, "flag"), ([q.id for q in history], HISTORY_LEVELS, "history"),
        ([s.id for s in held], HELD_LEVELS, "held"),
    ):
        missing = set(known) - set(ids)
        if missing:
            raise root.error(name, f"missing key: no entry for {', '.join(sorted(missing))}")
    level_tables = root.tables("level")
    unique_ids(level_tables)
    actions = {a.level: a for a in (_action(t) for t in level_tables)}
    if set(actions) != set(Level):
        missing_levels = ", ".join(lv.value for lv in Level if lv not in actions)
        raise root.error("level", f"missing key: no action for {missing_levels}")
    combos: list[Combination] = []
    for table in root.tables("combination"):
        combo = _combination(table)
        if combo.ids in {c.ids for c in combos}:
            raise table.error("ids", f"duplicate combination {' + '.join(sorted(combo.ids))}")
        combos.append(combo)
    if set(combos) != set(COMBINATIONS):
        raise root.error("combination", "combinations differ from the code table in selfcare/clinical/redflags.py")
    root.finish()
    return RedFlagContent(questions, history, held, tuple(combos), actions, public_sources)
