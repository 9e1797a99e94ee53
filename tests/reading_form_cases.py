"""Bodies posted to the reading forms (check-in, start of a set, re-check): a good check-in, then each bad value."""

from __future__ import annotations

from typing import Any

from selfcare.patient import forms

BASE = {"zone": "calf", "side": "left", "leg_pain": "6", "back_pain": "3", "sensations": ["pain", "tingling"],
        "worse_with": ["sitting"], "walk_minutes": "12", "walk_onset_minutes": "5",
        "entry_id": "0b5f4e0e-8a43-4d5e-9a43-0d3f4c1f0a11"}
CHANGES: list[dict[str, Any] | None] = [
    {}, None,  # None: nothing posted (the page as first shown)
    {"zone": "nowhere"}, {"zone": ""}, {"zone": "none", "side": ""}, {"side": "up"}, {"leg_pain": "11"}, {"leg_pain": "-1"},
    {"leg_pain": "²"}, {"back_pain": ""}, {"sensations": ["x"]}, {"sensations": ["pain", "pain", "weakness"]},
    {"worse_with": []}, {"walk_minutes": "-3"}, {"walk_minutes": "301"}, {"walk_minutes": "1e3"}, {"walk_minutes": ""},
    {"walk_onset_minutes": "13"}, {"walk_onset_minutes": "4", "walk_minutes": ""}, {"walk_onset_minutes": "abc"},
    {"entry_id": "not-a-uuid"}, {"entry_id": ""}, {"rf_fever": "yes"}, {"rf_fever": "maybe"}, {"rf_fever": ""},
    {"zone": "\x00calf"}, {"walk_minutes": " 007 "},
]


def posted(change: dict[str, Any] | None, questions: tuple[Any, ...]) -> dict[str, Any] | None:
    """The body a browser sends with `change` on a good check-in (None: nothing posted)."""
    if change is None:
        return None
    body: dict[str, Any] = {**BASE, **{forms.red_flag_field_name(q): "no" for q in questions}}
    body.update(change)
    return {k: v for k, v in body.items() if v != "" or k in change}
