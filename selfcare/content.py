"""The clinical content (content/), loaded and validated once at start-up, for the web layer."""

from __future__ import annotations

from pathlib import Path

from typing import Any

from flask import Flask, current_app, has_request_context
from flask_login import current_user

from selfcare.clinical import UNKNOWN_REGION, Content, Region, load_content, region_for

EXTENSION = "selfcare.content"


def init_app(app: Flask) -> None:
    """Load content/ for `app`; a broken file stops start-up with a message naming file and key."""
    app.extensions[EXTENSION] = load_content(Path(app.config["CONTENT_DIR"]))
    app.context_processor(region_words)


def current_content() -> Content:
    """The content loaded for the running app."""
    content: Content = current_app.extensions[EXTENSION]
    return content


def regions() -> dict[str, Region]:
    """The regions a patient can live in, by code, with their emergency numbers."""
    return current_content().regions


def region_of(user: Any) -> Region:
    """The user's region with their own emergency number ("Other"), or UNKNOWN_REGION: never another country's number."""
    if user is None or not getattr(user, "is_authenticated", False):
        return UNKNOWN_REGION
    return region_for(regions(), user.region, getattr(user, "emergency_number", None))


def region_words() -> dict[str, dict[str, str]]:
    """Every template's `words`: the signed-in user's region's words for clinicians and numbers (CLINICAL.md §4c):
    `words.therapist` is "physiotherapist" in the UK and "physical therapist" in the US, `words.emergency_department`
    "A&E" or "the ER", `words.doctor` "GP" or "doctor", `words.emergency` the number or "your local emergency number"."""
    if not has_request_context():
        return {"words": UNKNOWN_REGION.words()}
    return {"words": region_of(current_user).words()}
