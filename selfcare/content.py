"""The clinical content (content/), loaded and validated once at start-up, for the web layer."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context
from flask_login import current_user
from markupsafe import Markup, escape

from selfcare.clinical import UNKNOWN_REGION, Content, Region, fill, load_content, region_for
from selfcare.clinical.regions import PLACEHOLDER

EXTENSION = "selfcare.content"
DIGEST = "selfcare.content_digest"  # a short hash of the content loaded


def init_app(app: Flask) -> None:
    """Load content/ for `app`; a broken file stops start-up with a message naming file and key."""
    content = app.extensions[EXTENSION] = load_content(Path(app.config["CONTENT_DIR"]))
    app.extensions[DIGEST] = hashlib.sha256(repr(content).encode("utf-8")).hexdigest()[:16]
    app.context_processor(region_words)
    app.add_template_filter(in_region_words, "fill")


def current_content() -> Content:
    """The content loaded for the running app."""
    content: Content = current_app.extensions[EXTENSION]
    return content


def content_digest() -> str:
    """A short hash of the content loaded for the running app, taken at start-up (a new content release changes it)."""
    return str(current_app.extensions[DIGEST])


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


def current_region() -> Region:
    """The signed-in user's region (UNKNOWN_REGION outside a request or for a visitor)."""
    return region_of(current_user) if has_request_context() else UNKNOWN_REGION


def in_region_words(text: str) -> str:
    """Templates' `|fill`: a content text with the reader's region words filled in ("Tell your {therapist}" reads
    "Tell your physiotherapist" in the UK, "Tell your physical therapist" in the US; CLINICAL.md §4c)."""
    return fill(text, current_region())


def fill_html(html: Markup, region: Region) -> Markup:
    """Rendered content HTML (an education page) with the region's words filled in, each escaped ("A&E")."""
    words = region.words()
    return Markup(PLACEHOLDER.sub(lambda m: str(escape(words[m.group(1)])), str(html)))
