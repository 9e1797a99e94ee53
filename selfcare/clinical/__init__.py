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
from selfcare.clinical.daily import DayCheckIn, DaySet, DayValues, DayWalk, summarize_day
from selfcare.clinical.education import Page
from selfcare.clinical.errors import ContentError
from selfcare.clinical.protocol import Plan, Progression, Step, StepKind, adjust_plan
from selfcare.clinical.progress import Measure, Progress, Verdict, judge_progress
from selfcare.clinical.redflag_content import Blocks, HeldSign, LevelAction, Question, RedFlagContent, fill
from selfcare.clinical.redflags import (
    CAUDA_EQUINA,
    FLAG_LEVELS,
    HELD_LEVELS,
    HISTORY_LEVELS,
    QUESTION_IDS,
    UNTIL_CLEARED,
    Level,
    Triage,
    needs_clearance,
    triage,
    triage_today,
)
from selfcare.clinical.reevaluation import CheckIn, History, Prompt, ReevalRule, RuleId, RuleKind, due_reevaluations
from selfcare.clinical.regions import ABROAD, UNKNOWN_REGION, Region, load_regions, region_for, valid_emergency_number
from selfcare.clinical.response import NOISE_POINTS, Response, classify_response
from selfcare.clinical.schedule import NO_MORE_SETS_TODAY, held_indefinitely, held_until, set_times, upcoming_set_times
from selfcare.clinical.screening import RECENT_ONSET_DAYS, full_screen_due, onboarding_screen_due, side_answers
from selfcare.clinical.selfcheck import Ability, Area, NerveChange, SelfCheck, StrengthTest, compare_checks
from selfcare.clinical.session import (
    NO_BENEFIT_STOPS_TO_HOLD,
    Event,
    EventKind,
    Outcome,
    Screen,
    ScreenKind,
    advance,
    next_set_time,
    screen_for,
)
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
    "ABROAD",
    "CAUDA_EQUINA",
    "DEFAULT_TREND_RULE",
    "FLAG_LEVELS",
    "HELD_LEVELS",
    "HISTORY_LEVELS",
    "NOISE_POINTS",
    "NO_BENEFIT_STOPS_TO_HOLD",
    "NO_MORE_SETS_TODAY",
    "QUESTION_IDS",
    "RECENT_ONSET_DAYS",
    "UNKNOWN_REGION",
    "UNTIL_CLEARED",
    "Ability",
    "Advice",
    "Area",
    "AreaInfo",
    "Blocks",
    "Change",
    "CheckIn",
    "Content",
    "DayCheckIn",
    "DaySet",
    "DayValues",
    "DayWalk",
    "ContentError",
    "Event",
    "EventKind",
    "HeldSign",
    "History",
    "Level",
    "LevelAction",
    "Measure",
    "NerveChange",
    "NerveRoot",
    "Outcome",
    "Page",
    "Phase",
    "Plan",
    "Progression",
    "Progress",
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
    "Verdict",
    "Zone",
    "ZoneInfo",
    "adjust_plan",
    "advance",
    "classify_response",
    "classify_trend",
    "compare_checks",
    "default_content_dir",
    "due_reevaluations",
    "fill",
    "full_screen_due",
    "held_indefinitely",
    "held_until",
    "judge_progress",
    "load_content",
    "load_regions",
    "needs_clearance",
    "next_set_time",
    "onboarding_screen_due",
    "region_for",
    "screen_for",
    "set_times",
    "side_answers",
    "summarize_day",
    "summarize_trend",
    "triage",
    "triage_today",
    "upcoming_set_times",
    "valid_emergency_number",
]
