"""Content loading: every file loads; each kind of mistake fails naming the file and the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from selfcare.clinical import (
    FLAG_LEVELS,
    HISTORY_LEVELS,
    Content,
    ContentError,
    Level,
    RuleId,
    load_content,
    load_regions,
)

# Words that would mean medicine or dose advice slipped into patient text (seeds README).
FORBIDDEN = re.compile(
    r"\b(ibuprofen|naproxen|diclofenac|paracetamol|acetaminophen|opioid|gabapentin|pregabalin|"
    r"nsaid|muscle relaxant|\d+\s?mg|milligram|dose|dosage|tablet a day)\b",
    re.IGNORECASE,
)


def test_every_content_file_is_used(content_dir: Path) -> None:
    """Every TOML and Markdown file in content/ is one the loader reads."""
    known = {
        "zones.toml", "red_flags.toml", "response.toml", "trend.toml", "protocol.toml",
        "reevaluation.toml", "advice.toml", "nerve_roots.toml", "regions.toml",
    }
    assert {p.name for p in content_dir.glob("*.toml")} == known
    assert len(list((content_dir / "education").glob("*.md"))) >= 4


def test_loads(content: Content) -> None:
    """The repository's content loads, with every part filled."""
    assert [s.id for s in content.plan.steps] == ["prone_lying", "prone_on_elbows", "press_ups", "walk_recheck"]
    assert {q.id for q in content.red_flags.questions} == set(FLAG_LEVELS)
    assert {q.id for q in content.red_flags.history} == set(HISTORY_LEVELS)
    assert set(content.red_flags.actions) == set(Level)
    assert {r.id for r in content.reevaluation} == set(RuleId)
    assert {a.id for a in content.advice} >= {"sitting_breaks", "hip_hinge", "walking_exposure", "sleep_positions", "heat_then_walk"}
    assert {r.id for r in content.roots} == {"L4", "L5", "S1"}
    assert {p.slug for p in content.pages} >= {"what_is_sciatica", "nerve_roots", "what_to_expect", "treatments"}
    assert set(content.regions) == {"US", "CA", "UK", "EU", "AU"}


def test_default_dir_is_used_when_none_given(content: Content) -> None:
    """load_content() with no argument finds the repository's content/."""
    assert load_content() == content


def test_levels_in_content_match_code(content: Content) -> None:
    """The wording file repeats the code's levels exactly."""
    assert {q.id: q.level for q in content.red_flags.questions} == dict(FLAG_LEVELS)


def test_every_rule_has_a_source(content: Content) -> None:
    """Every rule and page names its source."""
    sources = [q.source for q in content.red_flags.questions + content.red_flags.history]
    sources += [a.source for a in content.red_flags.actions.values()]
    sources += [s.source for s in content.plan.steps] + [content.plan.source, content.plan.progression.source]
    sources += [r.source for r in content.reevaluation] + [a.source for a in content.advice]
    sources += [r.source for r in content.roots] + [t.source for t in content.tests]
    sources += [content.trend_text.source, content.response_text.source]
    assert all(s.strip() for s in sources)
    assert all(p.sources for p in content.pages)


def test_no_medicines_or_doses(content_dir: Path) -> None:
    """No medicine names or doses in any content file."""
    for path in sorted(content_dir.rglob("*")):
        if path.suffix in {".toml", ".md"}:
            match = FORBIDDEN.search(path.read_text(encoding="utf-8"))
            assert match is None, f"{path.name}: {match.group(0) if match else ''}"


@pytest.mark.parametrize("region", ["US", "CA", "UK", "EU", "AU"])
@pytest.mark.parametrize("level", ["emergency", "urgent", "contact_pt"])
def test_level_action_renders_numbers(content: Content, region: str, level: str) -> None:
    """Each action names the region's emergency number and leaves no placeholder behind."""
    place = content.regions[region]
    text = content.red_flags.action(level).render(place)
    assert place.emergency in text and "{" not in text
    if place.urgent_advice and level == "urgent":
        assert place.urgent_advice in text


def _break(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# (file, text to find, replacement, key that must be named, problem words)
BROKEN = [
    # missing key
    ("protocol.toml", "seconds = 120\nstop_rule", "stop_rule", "step[0].seconds", "missing key"),
    ("red_flags.toml", 'level = "urgent"\nquestion = "Do you have a fever', 'question = "Do you have a fever', "flag[7].level", "missing key"),
    ("zones.toml", 'name = "Thigh"\n', "", "zone[3].name", "missing key"),
    ("reevaluation.toml", "after_days = 14\n", "", "rule[0].after_days", "missing key"),
    ("advice.toml", 'title = "Break up sitting"\n', "", "advice[0].title", "missing key"),
    ("regions.toml", 'emergency = "000"\n', "", "region[4].emergency", "missing key"),
    ("education/treatments.md", "order = 4\n", "", "order", "missing key"),
    # unknown key
    ("protocol.toml", "reps = 10\n", "reps = 10\nrepetitions = 10\n", "step[2].repetitions", "unknown key"),
    ("red_flags.toml", 'id = "falls"\n', 'id = "falls"\nurgency = "high"\n', "flag[6].urgency", "unknown key"),
    ("trend.toml", "min_readings = 3\n", "min_readings = 3\nmax_readings = 9\n", "rule.max_readings", "unknown key"),
    ("education/what_to_expect.md", "order = 3\n", "order = 3\nauthor = \"me\"\n", "author", "unknown key"),
    ("nerve_roots.toml", 'id = "L4"\n', 'id = "L4"\nreflex = "knee"\n', "root[0].reflex", "unknown key"),
    # wrong type
    ("protocol.toml", "seconds = 120", 'seconds = "two minutes"', "step[0].seconds", "whole number"),
    ("protocol.toml", "sets = 1\n", "sets = 1.5\n", "plan.sets", "whole number"),
    ("red_flags.toml", "pt_alert = true", 'pt_alert = "yes"', "level[0].pt_alert", "true or false"),
    ("reevaluation.toml", "min_gain = 5", 'min_gain = "five"', "rule[0].min_gain", "number"),
    ("education/nerve_roots.md", "order = 2", 'order = "two"', "order", "whole number"),
    ("response.toml", "noise_points = 2", "noise_points = [2]", "rule.noise_points", "whole number"),
    ("regions.toml", 'emergency = "911"', "emergency = 911", "region[0].emergency", "non-empty str"),
    # duplicate id
    ("red_flags.toml", 'id = "trauma"', 'id = "fever"', "flag[10].id", "duplicate id"),
    ("protocol.toml", 'id = "prone_on_elbows"', 'id = "prone_lying"', "step[1].id", "duplicate id"),
    ("advice.toml", 'id = "hip_hinge"', 'id = "sitting_breaks"', "advice[1].id", "duplicate id"),
    ("reevaluation.toml", 'id = "function_2_4w"', 'id = "walking_2w"', "rule[1].id", "duplicate id"),
    ("regions.toml", 'code = "CA"', 'code = "US"', "region[1].code", "duplicate id"),
    # unknown zone (and other unknown ids)
    ("zones.toml", 'id = "calf"', 'id = "knee"', "zone[4].id", "unknown zone"),
    ("nerve_roots.toml", 'zones = ["thigh", "calf", "foot"]', 'zones = ["thigh", "shin", "foot"]', "root[0].zones[1]", "unknown zone"),
    ("red_flags.toml", 'id = "trauma"', 'id = "car_crash"', "flag[10].id", "unknown red-flag id"),
    ("red_flags.toml", 'level = "emergency"\nquestion = "Have you fallen', 'level = "urgent"\nquestion = "Have you fallen', "flag[6].level", "differs from the code table"),
    ("protocol.toml", 'kind = "reps"', 'kind = "circuit"', "step[2].kind", "unknown step kind"),
    ("nerve_roots.toml", 'feeling = ["top_of_foot", "shin"]', 'feeling = ["knee", "shin"]', "root[1].feeling[0]", "unknown area"),
]


@pytest.mark.parametrize(("name", "old", "new", "key", "problem"), BROKEN, ids=[f"{b[0]}:{b[3]}:{b[4]}" for b in BROKEN])
def test_broken_content_names_file_and_key(content_copy: Path, name: str, old: str, new: str, key: str, problem: str) -> None:
    """Each broken copy fails start-up with 'file: key: problem'."""
    _break(content_copy, name, old, new)
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    message = str(caught.value)
    assert message.startswith(f"{Path(name).name}: {key}: "), message
    assert problem in message
    assert caught.value.key == key


def test_missing_file(content_copy: Path) -> None:
    """A missing file is named."""
    (content_copy / "advice.toml").unlink()
    with pytest.raises(ContentError, match=r"^advice.toml: \(file\): file is missing"):
        load_content(content_copy)


def test_bad_toml_syntax(content_copy: Path) -> None:
    """Broken TOML is named with the parser's reason."""
    (content_copy / "trend.toml").write_text("[rule\nmin_readings = 3\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"^trend.toml: \(file\): not valid TOML"):
        load_content(content_copy)


def test_missing_question_for_a_code_id(content_copy: Path) -> None:
    """Dropping a red-flag question is caught, so no flag goes unasked."""
    text = (content_copy / "red_flags.toml").read_text(encoding="utf-8")
    start = text.index('[[flag]]\nid = "falls"')
    end = text.index("[[flag]]", start + 1)
    (content_copy / "red_flags.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ContentError, match=r"red_flags.toml: flag: missing key: no question for falls"):
        load_content(content_copy)


def test_page_without_header(content_copy: Path) -> None:
    """An education page must start with its +++ header."""
    (content_copy / "education" / "extra.md").write_text("# Hello\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"^extra.md: \(header\)"):
        load_content(content_copy)


def test_placeholder_typo(content_copy: Path) -> None:
    """A misspelled placeholder in an action is caught."""
    _break(content_copy, "red_flags.toml", "Call {emergency}", "Call {emergancy}")
    with pytest.raises(ContentError, match=r"^red_flags.toml: level\[0\].action: "):
        load_content(content_copy)


def test_load_regions_still_works(content_dir: Path, content: Content) -> None:
    """The web layer's load_regions(path) keeps working and agrees with Content.regions."""
    regions = load_regions(content_dir / "regions.toml")
    assert regions == content.regions
    assert regions["UK"].emergency == "999" and regions["UK"].urgent_advice == "111"
