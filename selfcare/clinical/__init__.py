"""The pure clinical core of selfcare: standard library only (see CLINICAL.md).

The names CLINICAL.md marks as interface are `Reading`, `triage`, `classify_response` and
`classify_trend`; everything else here is what the web layer uses.
"""

from __future__ import annotations

from selfcare.clinical.content import (
    Advice,
    AreaInfo,
    Content,
    NerveRoot,
    RuleText,
    StrengthTestInfo,
    ZoneInfo,
    default_content_dir,
    load_content,
)
from selfcare.clinical.education import Page
from selfcare.clinical.errors import ContentError
from selfcare.clinical.protocol import Plan, Progression, Step, StepKind, adjust_plan
from selfcare.clinical.redflag_content import Blocks, LevelAction, Question, RedFlagContent
from selfcare.clinical.redflags import FLAG_LEVELS, HISTORY_LEVELS, QUESTION_IDS, Level, Triage, triage
from selfcare.clinical.reevaluation import CheckIn, History, Prompt, ReevalRule, RuleId, RuleKind, due_reevaluations
from selfcare.clinical.regions import Region, load_regions
from selfcare.clinical.response import NOISE_POINTS, Response, classify_response
from selfcare.clinical.schedule import NO_MORE_SETS_TODAY, held_until, set_times, upcoming_set_times
from selfcare.clinical.selfcheck import Ability, Area, NerveChange, SelfCheck, StrengthTest, compare_checks
from selfcare.clinical.session import Event, EventKind, Outcome, Screen, ScreenKind, advance, next_set_time, screen_for
from selfcare.clinical.session_state import Phase, SessionState, StopReason
from selfcare.clinical.trend import (
    DEFAULT_TREND_RULE,
    Change,
    Trend,
    TrendRule,
    TrendSummary,
    classify_trend,
    summarize_trend,
)
from selfcare.clinical.zones import Reading, Side, Zone

__all__ = [
    "DEFAULT_TREND_RULE",
    "FLAG_LEVELS",
    "HISTORY_LEVELS",
    "NOISE_POINTS",
    "NO_MORE_SETS_TODAY",
    "QUESTION_IDS",
    "Ability",
    "Advice",
    "Area",
    "AreaInfo",
    "Blocks",
    "Change",
    "CheckIn",
    "Content",
    "ContentError",
    "Event",
    "EventKind",
    "History",
    "Level",
    "LevelAction",
    "NerveChange",
    "NerveRoot",
    "Outcome",
    "Page",
    "Phase",
    "Plan",
    "Progression",
    "Prompt",
    "Question",
    "Reading",
    "RedFlagContent",
    "ReevalRule",
    "Region",
    "Response",
    "RuleId",
    "RuleKind",
    "RuleText",
    "Screen",
    "ScreenKind",
    "SelfCheck",
    "SessionState",
    "Side",
    "Step",
    "StepKind",
    "StopReason",
    "StrengthTest",
    "StrengthTestInfo",
    "Trend",
    "TrendRule",
    "TrendSummary",
    "Triage",
    "Zone",
    "ZoneInfo",
    "adjust_plan",
    "advance",
    "classify_response",
    "classify_trend",
    "compare_checks",
    "default_content_dir",
    "due_reevaluations",
    "held_until",
    "load_content",
    "load_regions",
    "next_set_time",
    "screen_for",
    "set_times",
    "summarize_trend",
    "triage",
    "upcoming_set_times",
]
