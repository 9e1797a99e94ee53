"""The red-flag part of the start screen before a set (CLINICAL.md §2, "How the questions are asked").

The whole list once a day: the check-in, or the first set of the day with no check-in. Before each later set one
question, "Since you last answered, has anything on this list started or got worse?", with the list under it; "yes"
brings back the whole list. A sign the therapist assessed is asked as "has it got worse since". The offline player
always asks the whole list (templates/patient/offline_player.html).
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from selfcare.patient.checkin import assessed_questions
from selfcare.patient.forms import SinceLastForm, ask_assessed, start_set_form
from selfcare.services import screens

# Said over the whole list when the patient expected the one question.
SAID_YES = "You said something has started or got worse. Please answer each question."
FIRST_TODAY = "This is your first set today, so please answer each question."


def full_form(assessed: dict[str, str] | None = None) -> Any:
    """The start form with every red-flag question (signs the therapist assessed asked as "has it got worse")."""
    return ask_assessed(start_set_form(), assessed_questions(current_user) if assessed is None else assessed)


def start_form() -> Any:
    """The start screen's form: the whole list when it is due today, else the one question."""
    full = full_form()  # made either way: the page runs the same queries whichever it shows
    return full if screens.full_due(current_user) else SinceLastForm()


def since_last_posted(form_data: Any) -> bool:
    """The start form sent was the one question (its hidden `asked` field)."""
    return bool(form_data.get("asked") == screens.Asked.SINCE_LAST.value)
