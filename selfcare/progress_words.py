"""Progress in words: "getting better / about the same / getting worse", with the time window and the numbers.

The one place that words a `judge_progress` Verdict (CLINICAL.md §3). Today, History, the visit summary, the
therapist's patient page, the caseload and the API summary all show what `describe_progress` returns, so no page
can call a patient improving while another says worse. The rules:
- the headline follows the verdict alone: a patient whose leg pain or walking is clearly worse reads "Getting
  worse", whatever the zones did, and is never praised ("a good sign") on the same card;
- every sentence names its window ("over the last 14 days", "at the start of these 14 days") and its numbers;
- worse says what to do: tell the therapist (in the region's word: physiotherapist, physical therapist).
Numbers are the trend windows' averages (content/trend.toml): whole numbers as they are, others to one decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from selfcare.clinical import (
    DEFAULT_TREND_RULE,
    Measure,
    Progress,
    Trend,
    TrendRule,
    TrendSummary,
    Verdict,
    Zone,
    judge_progress,
)
from selfcare.content import region_of
from selfcare.words import zone_name

HEADLINES = {
    Progress.IMPROVING: "Getting better",
    Progress.SAME: "About the same",
    Progress.WORSE: "Getting worse",
    Progress.UNKNOWN: "Not enough check-ins yet",
}
# The therapist's words for the same verdicts (caseload badges and rows, the patient page).
LABELS = {
    Progress.IMPROVING: "Improving",
    Progress.SAME: "About the same",
    Progress.WORSE: "Getting worse",
    Progress.UNKNOWN: "Not enough data",
}


@dataclass(frozen=True)
class ProgressWords:
    """A verdict in words for one window of `days` days: for patients (headline, sentences, line) and for therapists."""

    progress: Progress
    days: int
    headline: str  # "Getting worse"
    sentences: tuple[str, ...]  # each names the window and its numbers; worse ends with what to do
    line: str  # one line for Today: "Getting worse over the last 14 days: leg pain 3 → 7 out of 10. Let your ... know."
    label: str  # the therapist's label: "Getting worse", "Improving", "About the same", "Not enough data"
    clinical: str  # the therapist's short line, after the label: "leg pain 4→7, walking 20→12 min, 14 days"

    @property
    def worse(self) -> bool:
        """The verdict is "getting worse"."""
        return self.progress == Progress.WORSE


def number(value: float) -> str:
    """An average as people read it: 4, 3.7 (one decimal only when it is not a whole number)."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _join(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _order(verdict: Verdict) -> list[Measure]:
    """Zone, leg pain and walking, the clearly worse ones first (they are what the patient must act on)."""
    natural = [Measure.ZONE, Measure.LEG_PAIN, Measure.WALKING]
    return [m for m in natural if m in verdict.worse] + [m for m in natural if m not in verdict.worse]


def _zone_sentence(verdict: Verdict, days: int) -> str | None:
    s = verdict.summary
    if s.earlier_zone is None or s.recent_zone is None:
        return None
    start = f"at the start of these {days} days"
    before, now = s.earlier_zone, s.recent_zone
    if before == now:
        if now == Zone.NONE:
            return f"You have no symptoms now, as {start}."
        return f"Symptoms reach your {zone_name(now)}, as they did {start}."
    was = "you had no symptoms" if before == Zone.NONE else f"they reached your {zone_name(before)}"
    if now == Zone.NONE:
        sentence = f"You have no symptoms now; {start} {was}."
    else:
        sentence = f"Symptoms reach your {zone_name(now)} now; {start} {was}."
    if verdict.progress == Progress.IMPROVING and s.direction == Trend.CENTRALIZING:  # never while anything is worse
        sentence += " That is a very good sign." if now == Zone.NONE else " Moving up towards your back is usually a good sign."
    return sentence


def _leg_pain_sentence(s: TrendSummary, days: int) -> str | None:
    if s.leg_pain_before is None or s.leg_pain_now is None:
        return None
    return (f"Leg pain {number(s.leg_pain_before)} → {number(s.leg_pain_now)} out of 10 over the last {days} days "
            "(average of the first days and of the last days).")


def _walking_sentence(s: TrendSummary, days: int) -> str | None:
    if s.walk_before is None or s.walk_now is None:
        return None  # only when walks were logged with check-ins at the start and the end
    return (f"You walk about {_plural_minutes(s.walk_now)} in one go now; at the start of these {days} days "
            f"it was about {number(s.walk_before)}.")


def _plural_minutes(value: float) -> str:
    return f"{number(value)} minute" if number(value) == "1" else f"{number(value)} minutes"


def _short(measure: Measure, verdict: Verdict) -> str | None:
    """A measure in a few words for the one-line version."""
    s = verdict.summary
    if measure == Measure.LEG_PAIN and s.leg_pain_before is not None and s.leg_pain_now is not None:
        return f"leg pain {number(s.leg_pain_before)} → {number(s.leg_pain_now)} out of 10"
    if measure == Measure.WALKING and s.walk_before is not None and s.walk_now is not None:
        return f"walks {number(s.walk_before)} → {_plural_minutes(s.walk_now)}"
    if measure == Measure.ZONE and s.earlier_zone is not None and s.recent_zone is not None:
        if s.recent_zone > s.earlier_zone:
            return f"symptoms reach further down, to your {zone_name(s.recent_zone)}"
        if s.recent_zone < s.earlier_zone:
            return f"symptoms moved up, to your {zone_name(s.recent_zone)}" if s.recent_zone != Zone.NONE else "no symptoms now"
    return None


def _clinical_part(measure: Measure, verdict: Verdict) -> str | None:
    s = verdict.summary
    if measure == Measure.LEG_PAIN and s.leg_pain_before is not None and s.leg_pain_now is not None:
        return f"leg pain {number(s.leg_pain_before)}→{number(s.leg_pain_now)}"
    if measure == Measure.WALKING and s.walk_before is not None and s.walk_now is not None:
        return f"walking {number(s.walk_before)}→{number(s.walk_now)} min"
    if measure == Measure.ZONE and s.earlier_zone is not None and s.recent_zone is not None:
        zones = s.recent_zone.value if s.recent_zone == s.earlier_zone else f"{s.earlier_zone.value}→{s.recent_zone.value}"
        if s.direction == Trend.PERIPHERALIZING:
            return f"zone {zones} (peripheralizing)"
        if s.direction == Trend.CENTRALIZING and verdict.progress == Progress.IMPROVING:
            return f"zone {zones} (centralizing)"
        return f"zone {zones}"
    return None


def _sentence(measure: Measure, verdict: Verdict, days: int) -> str | None:
    if measure == Measure.ZONE:
        return _zone_sentence(verdict, days)
    if measure == Measure.LEG_PAIN:
        return _leg_pain_sentence(verdict.summary, days)
    return _walking_sentence(verdict.summary, days)


def _line(verdict: Verdict, days: int, therapist: str) -> str:
    """The one-line version: the headline, the window and the measures that decided it."""
    window = f"over the last {days} days"
    if verdict.progress == Progress.WORSE:
        parts = [p for p in (_short(m, verdict) for m in verdict.worse) if p]
        return f"Getting worse {window}{': ' + _join(parts) if parts else ''}. Let your {therapist} know."
    if verdict.progress == Progress.IMPROVING:
        parts = [p for p in (_short(m, verdict) for m in verdict.better) if p]
        return f"Getting better {window}{': ' + _join(parts) if parts else ''}."
    return f"About the same {window}."


def describe_progress(verdict: Verdict, days: int, therapist: str = "physical therapist",
                      rule: TrendRule = DEFAULT_TREND_RULE) -> ProgressWords:
    """The verdict over the last `days` days in words; `therapist` is the region's word (words.therapist)."""
    s, progress = verdict.summary, verdict.progress
    headline, label = HEADLINES[progress], LABELS[progress]
    if progress == Progress.UNKNOWN:
        have = f"You have {_plural(s.readings, 'check-in')} on {_plural(s.days, 'day')} in the last {days} days."
        sentences = (f"It takes at least {_plural(rule.min_readings, 'check-in')} on {rule.min_days} different days "
                     f"to see how things are changing. {have}",)
        line = f"Not enough check-ins yet to see how things are changing over the last {days} days."
        clinical = f"{_plural(s.readings, 'check-in')} on {_plural(s.days, 'day')} in {days} days"
        return ProgressWords(progress, days, headline, sentences, line, label, clinical)
    order = _order(verdict)
    said = [sentence for sentence in (_sentence(m, verdict, days) for m in order) if sentence]
    if s.side_changed:  # never better (CLINICAL.md §2): worth telling the therapist whatever the verdict
        said.append(f"Your symptoms are on a different side now than at the start of these {days} days.")
    if progress == Progress.WORSE or s.side_changed:
        said.append(f"Let your {therapist} know, so they can check your plan.")
    clinical_parts = [p for p in (_clinical_part(m, verdict) for m in order) if p]
    if s.side_changed:
        clinical_parts.append("changed side")
    clinical = ", ".join([*clinical_parts, f"{days} days"])
    return ProgressWords(progress, days, headline, tuple(said), _line(verdict, days, therapist), label, clinical)


def progress_words(summary: TrendSummary, days: int, therapist: str = "physical therapist",
                   rule: TrendRule = DEFAULT_TREND_RULE) -> ProgressWords:
    """Judge a trend summary (clinical.judge_progress) and word the verdict over the last `days` days."""
    return describe_progress(judge_progress(summary), days, therapist, rule)


def therapist_word(patient: Any) -> str:
    """The patient's region's word for their therapist ("physiotherapist" in the UK, "physical therapist" in the US)."""
    return region_of(patient).therapist
