"""Load and validate everything in content/ once, at start-up, into one frozen Content object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from selfcare.clinical.education import Page, load_pages
from selfcare.clinical.errors import ContentError
from selfcare.clinical.protocol import Plan, load_plan
from selfcare.clinical.redflag_content import RedFlagContent, load_red_flags
from selfcare.clinical.reevaluation import ReevalRule, RuleId, RuleKind
from selfcare.clinical.regions import Region, load_regions, worded_text
from selfcare.clinical.response import NOISE_POINTS
from selfcare.clinical.selfcheck import Area, StrengthTest
from selfcare.clinical.trend import TrendRule
from selfcare.clinical.validate import Table, read_toml, unique_ids
from selfcare.clinical.zones import Side, Zone


def default_content_dir() -> Path:
    """The content/ folder of this source checkout (next to the selfcare package)."""
    return Path(__file__).resolve().parents[2] / "content"


@dataclass(frozen=True)
class ZoneInfo:
    """Display name, description and SNOMED CT body-site code of a zone."""

    zone: Zone
    name: str
    description: str
    snomed: str | None


@dataclass(frozen=True)
class Advice:
    """One piece of everyday activity advice."""

    id: str
    title: str
    text: str
    source: str


@dataclass(frozen=True)
class AreaInfo:
    """A numb-area choice for the self-check."""

    area: Area
    name: str


@dataclass(frozen=True)
class StrengthTestInfo:
    """A strength test of the self-check, with instructions."""

    test: StrengthTest
    name: str
    instructions: str
    source: str


@dataclass(frozen=True)
class NerveRoot:
    """Which skin areas, strength tests and zones one nerve root usually affects."""

    id: str
    feeling: tuple[Area, ...]
    strength: tuple[StrengthTest, ...]
    zones: tuple[Zone, ...]
    summary: str
    source: str


@dataclass(frozen=True)
class RuleText:
    """A rule's plain-language statement, its reasoning and its source."""

    summary: str
    reasoning: str
    source: str


@dataclass(frozen=True)
class Content:
    """Everything in content/, validated."""

    plan: Plan
    zones: tuple[ZoneInfo, ...]
    side_snomed: dict[Side, str]
    red_flags: RedFlagContent
    noise_points: int
    response_text: RuleText
    trend_rule: TrendRule
    trend_text: RuleText
    reevaluation: tuple[ReevalRule, ...]
    advice: tuple[Advice, ...]
    areas: tuple[AreaInfo, ...]
    tests: tuple[StrengthTestInfo, ...]
    roots: tuple[NerveRoot, ...]
    pages: tuple[Page, ...]
    regions: dict[str, Region]

    def zone(self, zone: Zone | str) -> ZoneInfo:
        """Display information for one zone."""
        return next(z for z in self.zones if z.zone == Zone(zone))

    def page(self, slug: str) -> Page:
        """The education page with this slug; KeyError if none."""
        for page in self.pages:
            if page.slug == slug:
                return page
        raise KeyError(slug)


def _enum_list(table: Table, name: str, kind: type[Zone] | type[Area] | type[StrengthTest], what: str) -> list[str]:
    values = table.texts(name)
    allowed = [member.value for member in kind]
    for index, value in enumerate(values):
        if value not in allowed:
            raise table.error(f"{name}[{index}]", f"unknown {what} {value!r}; expected one of {', '.join(allowed)}")
    return list(values)


def _load_zones(path: Path) -> tuple[tuple[ZoneInfo, ...], dict[Side, str]]:
    root = Table(path, "", read_toml(path))
    root.text("source")
    tables = root.tables("zone")
    unique_ids(tables)
    zones = []
    for table in tables:
        zone = Zone(table.choice("id", [z.value for z in Zone], "zone"))
        zones.append(ZoneInfo(zone, table.text("name"), table.text("description"), table.opt_text("snomed")))
        table.finish()
    if [z.zone for z in zones] != list(Zone):
        raise root.error("zone", "zones must list none, back, buttock, thigh, calf, foot in that order")
    sides_table = root.table("sides")
    sides = {side: sides_table.text(side.value) for side in Side}
    sides_table.finish()
    root.finish()
    return tuple(zones), sides


def _load_response(path: Path) -> tuple[int, RuleText]:
    root = Table(path, "", read_toml(path))
    rule = root.table("rule")
    noise = rule.integer("noise_points", 1, 10)
    if noise != NOISE_POINTS:
        raise rule.error("noise_points", f"differs from selfcare.clinical.response.NOISE_POINTS ({NOISE_POINTS})")
    for name in ("peripheralized", "leg_pain_worse", "side_change", "abolished", "centralized"):
        rule.text(name)
    text = RuleText(rule.text("same_zone"), rule.text("reasoning"), rule.text("source"))
    rule.finish()
    root.finish()
    return noise, text


def _load_trend(path: Path) -> tuple[TrendRule, RuleText]:
    root = Table(path, "", read_toml(path))
    rule = root.table("rule")
    try:
        trend = TrendRule(
            min_readings=rule.integer("min_readings", 2, 100),
            min_days=rule.integer("min_days", 2, 100),
            min_span_hours=rule.integer("min_span_hours", 0, 24 * 100),
            window_fraction=rule.number("window_fraction", 0.01, 0.5),
            pain_noise_points=rule.number("pain_noise_points", 0.5, 10),
            walk_noise_minutes=rule.number("walk_noise_minutes", 0.5, 120),
        )
    except ValueError as exc:
        raise rule.error("(rule)", str(exc)) from None
    text = RuleText(rule.text("summary"), rule.text("reasoning"), rule.text("source"))
    rule.finish()
    root.finish()
    return trend, text


def _load_reevaluation(path: Path) -> tuple[ReevalRule, ...]:
    root = Table(path, "", read_toml(path))
    tables = root.tables("rule")
    unique_ids(tables)
    rules = []
    for table in tables:
        rule_id = RuleId(table.choice("id", [r.value for r in RuleId], "re-evaluation rule"))
        kind = RuleKind(table.choice("kind", [k.value for k in RuleKind], "rule kind"))
        timed = kind == RuleKind.TIMED
        needs_gain = rule_id in (RuleId.WALKING_2W, RuleId.FUNCTION_2_4W)
        rules.append(
            ReevalRule(
                id=rule_id,
                kind=kind,
                patient_text=worded_text(table, "patient_text"),
                pt_text=table.text("pt_text"),
                source=table.text("source"),
                recent_days=table.integer("recent_days", 1, 60),
                after_days=table.integer("after_days", 1, 365) if timed else None,
                baseline_days=table.integer("baseline_days", 1, 60) if needs_gain else None,
                min_gain=table.number("min_gain", 0, 120) if needs_gain else None,
            )
        )
        table.finish()
    missing = set(RuleId) - {r.id for r in rules}
    if missing:
        raise root.error("rule", f"missing key: no rule for {', '.join(sorted(missing))}")
    root.finish()
    return tuple(rules)


def _load_advice(path: Path) -> tuple[Advice, ...]:
    root = Table(path, "", read_toml(path))
    tables = root.tables("advice")
    unique_ids(tables)
    advice = []
    for table in tables:
        advice.append(Advice(table.text("id"), worded_text(table, "title"), worded_text(table, "text"), table.text("source")))
        table.finish()
    root.finish()
    return tuple(advice)


def _load_roots(path: Path) -> tuple[tuple[AreaInfo, ...], tuple[StrengthTestInfo, ...], tuple[NerveRoot, ...]]:
    root = Table(path, "", read_toml(path))
    area_tables, test_tables, root_tables = root.tables("area"), root.tables("test"), root.tables("root")
    for group in (area_tables, test_tables, root_tables):
        unique_ids(group)
    areas = []
    for t in area_tables:
        areas.append(AreaInfo(Area(t.choice("id", [a.value for a in Area], "area")), t.text("name")))
        t.finish()
    tests = []
    for t in test_tables:
        test = StrengthTest(t.choice("id", [x.value for x in StrengthTest], "test"))
        tests.append(StrengthTestInfo(test, t.text("name"), t.text("instructions"), t.text("source")))
        t.finish()
    roots = []
    for t in root_tables:
        roots.append(
            NerveRoot(
                id=t.text("id"),
                feeling=tuple(Area(a) for a in _enum_list(t, "feeling", Area, "area")),
                strength=tuple(StrengthTest(x) for x in _enum_list(t, "strength", StrengthTest, "test")),
                zones=tuple(Zone(z) for z in _enum_list(t, "zones", Zone, "zone")),
                summary=t.text("summary"),
                source=t.text("source"),
            )
        )
        t.finish()
    if {a.area for a in areas} != set(Area) or {x.test for x in tests} != set(StrengthTest):
        raise root.error("area", "every self-check area and test needs an entry")
    root.finish()
    return tuple(areas), tuple(tests), tuple(roots)


def load_content(content_dir: Path | None = None) -> Content:
    """Load and validate all content files; raise ContentError naming the file and key on any problem."""
    folder = Path(content_dir) if content_dir is not None else default_content_dir()
    if not folder.is_dir():
        raise ContentError(folder, "(folder)", "content folder not found")
    zones, sides = _load_zones(folder / "zones.toml")
    noise, response_text = _load_response(folder / "response.toml")
    trend_rule, trend_text = _load_trend(folder / "trend.toml")
    areas, tests, roots = _load_roots(folder / "nerve_roots.toml")
    return Content(
        plan=load_plan(folder / "protocol.toml"),
        zones=zones,
        side_snomed=sides,
        red_flags=load_red_flags(folder / "red_flags.toml"),
        noise_points=noise,
        response_text=response_text,
        trend_rule=trend_rule,
        trend_text=trend_text,
        reevaluation=_load_reevaluation(folder / "reevaluation.toml"),
        advice=_load_advice(folder / "advice.toml"),
        areas=areas,
        tests=tests,
        roots=roots,
        pages=load_pages(folder / "education"),
        regions=_regions(folder / "regions.toml"),
    )


def _regions(path: Path) -> dict[str, Region]:
    if not path.is_file():
        raise ContentError(path, "(file)", "file is missing")
    return load_regions(path)
