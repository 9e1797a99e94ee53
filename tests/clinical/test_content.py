"""Content loading: every file loads; each kind of mistake fails naming the file and the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from selfcare.clinical import (
    FLAG_LEVELS,
    HELD_LEVELS,
    HISTORY_LEVELS,
    UNTIL_CLEARED,
    Content,
    ContentError,
    Level,
    RuleId,
    load_content,
    load_regions,
    triage,
)
from selfcare.clinical.redflags import COMBINATIONS

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
    assert set(content.regions) == {"US", "CA", "UK", "EU", "AU", "NZ", "IN", "OTHER"}
    assert {s.id for s in content.red_flags.held} == set(HELD_LEVELS) == {"strength_unable", "strength_weak"}
    assert set(content.red_flags.combinations) == set(COMBINATIONS) and len(content.red_flags.combinations) == 9
    assert {q.id for q in content.red_flags.questions if q.until_cleared} == set(UNTIL_CLEARED) == {"fever", "trauma"}
    assert content.red_flags.public_sources and all(s.strip() for s in content.red_flags.public_sources)


def test_default_dir_is_used_when_none_given(content: Content) -> None:
    """load_content() with no argument finds the repository's content/."""
    assert load_content() == content


def test_levels_in_content_match_code(content: Content) -> None:
    """The wording file repeats the code's levels exactly."""
    assert {q.id: q.level for q in content.red_flags.questions} == dict(FLAG_LEVELS)
    assert {q.id: q.level for q in content.red_flags.history} == dict(HISTORY_LEVELS)
    assert {s.id: s.level for s in content.red_flags.held} == dict(HELD_LEVELS)


def test_every_sign_has_words(content: Content) -> None:
    """Every flag, history item and held sign has its list wording (sign) and a short statement to tell (tell)."""
    rf = content.red_flags
    for item in (*rf.questions, *rf.history, *rf.held):
        assert item.sign.strip() and item.tell.strip(), item.id
    for question in (*rf.questions, *rf.history):
        assert question.question.strip(), question.id


@pytest.mark.parametrize(
    ("reasons", "starts"),
    [
        (("both_legs", "cancer_history"), ["I now have sciatica symptoms in both legs", "I have had cancer"]),
        (("cancer_history", "both_legs"), ["I have had cancer", "I now have sciatica symptoms in both legs"]),
        (("immune_risk", "fever"), ["My immune system is weak", "I have a fever"]),
        (("strength_unable",), ["I cannot walk on my heels or toes"]),
        ((), []),
    ],
)
def test_tell_gives_statements_in_order(content: Content, reasons: tuple[str, ...], starts: list[str]) -> None:
    """tell(reasons) gives the short statements for the emergency screen, in the order of the reasons."""
    told = content.red_flags.tell(reasons)
    assert len(told) == len(starts)
    assert all(t.startswith(w) for t, w in zip(told, starts, strict=True)), told


def test_tell_for_a_combination_names_the_cancer(content: Content) -> None:
    """Cancer history with both legs: the emergency screen can say "tell them you have had cancer"."""
    result = triage({"cancer_history": True, "both_legs": True})
    told = content.red_flags.tell(result.reasons)
    assert result.level == Level.EMERGENCY
    assert any("cancer" in t for t in told) and any("both legs" in t for t in told)


def test_every_rule_has_a_source(content: Content) -> None:
    """Every rule and page names its source."""
    sources = [q.source for q in content.red_flags.questions + content.red_flags.history]
    sources += [a.source for a in content.red_flags.actions.values()]
    sources += [s.source for s in content.plan.steps] + [content.plan.source, content.plan.progression.source]
    sources += [r.source for r in content.reevaluation] + [a.source for a in content.advice]
    sources += [r.source for r in content.roots] + [t.source for t in content.tests]
    sources += [content.trend_text.source, content.response_text.source]
    sources += [h.source for h in content.red_flags.held] + [r.source for r in content.regions.values()]
    assert all(s.strip() for s in sources)
    assert all(p.sources for p in content.pages)


def test_no_medicines_or_doses(content_dir: Path) -> None:
    """No medicine names or doses in any content file."""
    for path in sorted(content_dir.rglob("*")):
        if path.suffix in {".toml", ".md"}:
            match = FORBIDDEN.search(path.read_text(encoding="utf-8"))
            assert match is None, f"{path.name}: {match.group(0) if match else ''}"


@pytest.mark.parametrize("region", ["US", "CA", "UK", "EU", "AU", "NZ", "IN", "OTHER"])
@pytest.mark.parametrize("level", ["emergency", "urgent", "contact_pt", "none"])
def test_level_action_renders_numbers(content: Content, region: str, level: str) -> None:
    """Only the emergency action names the emergency number; urgent gives same-day care; no placeholder is left."""
    place = content.regions[region]
    action = content.red_flags.action(level)
    text = action.render(place)
    title = action.render_title(place)
    assert "{" not in text + title and "}" not in text + title
    if level == "emergency":
        assert (place.emergency or "your local emergency number") in text
    elif place.emergency is not None:
        assert place.emergency not in text + title
    if level == "urgent":
        assert place.same_day in text
        if place.urgent_advice:
            assert place.urgent_advice in text
    if level == "contact_pt":
        assert place.therapist in title and place.therapist in text


def _break(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# (file, text to find, replacement, key that must be named, problem words)
BROKEN = [
    # missing key
    ("protocol.toml", "seconds = 120\nstop_rule", "stop_rule", "step[0].seconds", "missing key"),
    ("red_flags.toml", 'level = "urgent"\nuntil_cleared = true\nquestion = "Today', 'until_cleared = true\nquestion = "Today', "flag[7].level", "missing key"),
    ("red_flags.toml", 'sign = "Falling more than once because of your leg"\n', "", "flag[6].sign", "missing key"),
    ("red_flags.toml", 'tell = "I have had cancer in the past."\n', "", "history[0].tell", "missing key"),
    ("red_flags.toml", "public_sources = [", "sources = [", "public_sources", "missing key"),
    ("regions.toml", 'therapist = "physiotherapist"\n', "", "region[0].therapist", "missing key"),
    ("regions.toml", 'emergency_department = "the ER"\n', "", "region[1].emergency_department", "missing key"),
    ("zones.toml", 'name = "Thigh"\n', "", "zone[3].name", "missing key"),
    ("reevaluation.toml", "after_days = 14\n", "", "rule[0].after_days", "missing key"),
    ("advice.toml", 'title = "Break up sitting"\n', "", "advice[0].title", "missing key"),
    ("regions.toml", 'emergency = "000"\n', "", "region[4].emergency", "give an emergency number, or typed_number = true"),
    ("regions.toml", "\ntyped_number = true\n", '\ntyped_number = true\nemergency = "123"\n', "region[7].emergency", "not both"),
    ("regions.toml", 'emergency = "112"', 'emergency = "1a2"', "region[3].emergency", "2 to 6 digits"),
    ("regions.toml", 'emergency = "111"', 'emergency = "1"', "region[5].emergency", "2 to 6 digits"),
    ("education/treatments.md", "order = 4\n", "", "order", "missing key"),
    # unknown key
    ("protocol.toml", "reps = 10\n", "reps = 10\nrepetitions = 10\n", "step[2].repetitions", "unknown key"),
    ("red_flags.toml", 'id = "falls"\n', 'id = "falls"\nurgency = "high"\n', "flag[6].urgency", "unknown key"),
    ("red_flags.toml", 'id = "strength_weak"\n', 'id = "strength_weak"\nquestion = "Weak?"\n', "held[1].question", "unknown key"),
    ("red_flags.toml", 'ids = ["immune_risk", "fever"]\n', 'ids = ["immune_risk", "fever"]\nwhy = "infection"\n', "combination[0].why", "unknown key"),
    ("regions.toml", 'code = "NZ"\n', 'code = "NZ"\nambulance = "111"\n', "region[5].ambulance", "unknown key"),
    ("trend.toml", "min_readings = 3\n", "min_readings = 3\nmax_readings = 9\n", "rule.max_readings", "unknown key"),
    ("education/what_to_expect.md", "order = 3\n", "order = 3\nauthor = \"me\"\n", "author", "unknown key"),
    # patient texts filled with the region's words: only those words may be in braces
    ("protocol.toml", "tell your {therapist}.", "tell your {physio}.", "plan.stop_action", "may appear in braces"),
    ("reevaluation.toml", "check the plan with your {therapist}.", "check the plan with your {pt}.", "rule[0].patient_text", "may appear in braces"),
    ("advice.toml", "lower back for 10 to 15", "lower back for {10 to 15}", "advice[4].text", "may appear in braces"),
    ("education/treatments.md", "a {doctor} or {therapist} may", "a {gp} may", "summary", "may appear in braces"),
    ("education/treatments.md", "ask your\n{doctor} or pharmacist", "ask your\n{gp} or pharmacist", "(body)", "unknown words in braces: gp"),
    ("nerve_roots.toml", 'id = "L4"\n', 'id = "L4"\nreflex = "knee"\n', "root[0].reflex", "unknown key"),
    # wrong type
    ("protocol.toml", "seconds = 120", 'seconds = "two minutes"', "step[0].seconds", "whole number"),
    ("protocol.toml", "sets = 1\n", "sets = 1.5\n", "plan.sets", "whole number"),
    ("red_flags.toml", "pt_alert = true", 'pt_alert = "yes"', "level[0].pt_alert", "true or false"),
    ("reevaluation.toml", "min_gain = 5", 'min_gain = "five"', "rule[0].min_gain", "number"),
    ("education/nerve_roots.md", "order = 2", 'order = "two"', "order", "whole number"),
    ("response.toml", "noise_points = 2", "noise_points = [2]", "rule.noise_points", "whole number"),
    ("regions.toml", 'emergency = "911"', "emergency = 911", "region[1].emergency", "non-empty str"),
    ("red_flags.toml", "until_cleared = true", 'until_cleared = "yes"', "flag[7].until_cleared", "true or false"),
    ("red_flags.toml", 'ids = ["immune_risk", "fever"]', 'ids = "immune_risk, fever"', "combination[0].ids", "list of strings"),
    ("regions.toml", "\ntyped_number = true\n", '\ntyped_number = "yes"\n', "region[7].typed_number", "true or false"),
    # duplicate id
    ("red_flags.toml", 'id = "trauma"', 'id = "fever"', "flag[10].id", "duplicate id"),
    ("protocol.toml", 'id = "prone_on_elbows"', 'id = "prone_lying"', "step[1].id", "duplicate id"),
    ("advice.toml", 'id = "hip_hinge"', 'id = "sitting_breaks"', "advice[1].id", "duplicate id"),
    ("reevaluation.toml", 'id = "function_2_4w"', 'id = "walking_2w"', "rule[1].id", "duplicate id"),
    ("regions.toml", 'code = "CA"', 'code = "US"', "region[2].code", "duplicate id"),
    ("red_flags.toml", 'id = "strength_weak"', 'id = "cancer_history"', "held[1].id", "duplicate id"),
    ("red_flags.toml", 'ids = ["fever", "numbness_spreading"]', 'ids = ["weakness_new", "fever"]', "combination[2].ids", "duplicate combination"),
    # unknown zone (and other unknown ids)
    ("zones.toml", 'id = "calf"', 'id = "knee"', "zone[4].id", "unknown zone"),
    ("nerve_roots.toml", 'zones = ["thigh", "calf", "foot"]', 'zones = ["thigh", "shin", "foot"]', "root[0].zones[1]", "unknown zone"),
    ("red_flags.toml", 'id = "trauma"', 'id = "car_crash"', "flag[10].id", "unknown red-flag id"),
    ("red_flags.toml", 'level = "emergency"\nquestion = "In the last week, have you fallen', 'level = "urgent"\nquestion = "In the last week, have you fallen', "flag[6].level", "differs from the code table"),
    ("red_flags.toml", 'level_alone = "contact_pt"', 'level_alone = "none"', "history[0].level_alone", "differs from the code table"),
    ("red_flags.toml", 'level_alone = "none"', 'level_alone = "contact_pt"', "history[1].level_alone", "differs from the code table"),
    ("red_flags.toml", 'id = "strength_unable"\nlevel = "urgent"', 'id = "strength_unable"\nlevel = "contact_pt"', "held[0].level", "differs from the code table"),
    ("red_flags.toml", 'level = "urgent"\nuntil_cleared = true\n', 'level = "urgent"\n', "flag[7].until_cleared", "differs from the code table"),
    ("red_flags.toml", 'id = "weight_loss"\nlevel = "urgent"\n', 'id = "weight_loss"\nlevel = "urgent"\nuntil_cleared = true\n', "flag[8].until_cleared", "differs from the code table"),
    ("red_flags.toml", 'ids = ["cancer_history", "night_pain"]\nlevel = "urgent"', 'ids = ["cancer_history", "night_pain"]\nlevel = "contact_pt"', "combination", "combinations differ from the code table"),
    ("red_flags.toml", 'ids = ["immune_risk", "fever"]', 'ids = ["immune_risk", "night_pain"]', "combination", "combinations differ from the code table"),
    ("red_flags.toml", 'id = "strength_weak"', 'id = "strength_gone"', "held[1].id", "unknown held sign"),
    ("red_flags.toml", 'ids = ["immune_risk", "fever"]', 'ids = ["immune_risk", "fevr"]', "combination[0].ids[1]", "unknown red-flag id"),
    ("red_flags.toml", 'ids = ["immune_risk", "fever"]', 'ids = ["fever", "fever"]', "combination[0].ids", "at least two different ids"),
    ("red_flags.toml", 'ids = ["immune_risk", "fever"]\nlevel = "emergency"', 'ids = ["immune_risk", "fever"]\nlevel = "severe"', "combination[0].level", "unknown level"),
    ("red_flags.toml", 'title = "Let your {therapist} know"', 'title = "Let your {therapst} know"', "level[2].title", "may appear in braces"),
    ("protocol.toml", 'kind = "reps"', 'kind = "circuit"', "step[2].kind", "unknown step kind"),
    ("nerve_roots.toml", 'feeling = ["shin", "top_of_foot", "inner_foot_big_toe"]', 'feeling = ["knee", "shin"]', "root[1].feeling[0]", "unknown area"),
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
    with pytest.raises(ContentError, match=r"red_flags.toml: flag: missing key: no entry for falls"):
        load_content(content_copy)


@pytest.mark.parametrize(
    ("start", "section", "missing"),
    [
        ('[[history]]\nid = "immune_risk"', "history", "immune_risk"),
        ('[[held]]\nid = "strength_unable"', "held", "strength_unable"),
    ],
)
def test_missing_history_or_held_entry(content_copy: Path, start: str, section: str, missing: str) -> None:
    """Dropping a history item or a held sign is caught, so none goes without its words."""
    path = content_copy / "red_flags.toml"
    text = path.read_text(encoding="utf-8")
    begin = text.index(start)
    end = text.index("\n[[", begin) + 1  # the next table, whatever its kind
    path.write_text(text[:begin] + text[end:], encoding="utf-8")
    with pytest.raises(ContentError, match=rf"red_flags.toml: {section}: missing key: no entry for {missing}"):
        load_content(content_copy)


def test_missing_combination(content_copy: Path) -> None:
    """Dropping a combination from the wording file is caught: file and code must list the same ones."""
    path = content_copy / "red_flags.toml"
    text = path.read_text(encoding="utf-8")
    begin = text.index('[[combination]]\nids = ["cancer_history", "both_legs"]')
    end = text.index("[[combination]]", begin + 1)
    path.write_text(text[:begin] + text[end:], encoding="utf-8")
    with pytest.raises(ContentError, match=r"red_flags.toml: combination: combinations differ from the code table"):
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
