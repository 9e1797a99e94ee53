"""The pages the bench measures, who sees each, how to send it, and the form fields a browser would post."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Callable

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
RED_FLAG_RE = re.compile(r'name="(rf_[a-z_]+)"')
# Issue 20's budgets, as ratios to the floor on (SQLite, PostgreSQL); every page measured cold (nothing rendered is kept).
PATIENT_BUDGET, PATIENT_PAGE_BUDGET, CASELOAD_BUDGET, NOT_MODIFIED_BUDGET = (5.0, 7.0), (6.0, 8.0), (8.0, 10.0), (2.0, 2.0)
HISTORY_GROWTH = 1.5  # History 365 days against History 1 day, on either database
HISTORY_DOM_ELEMENTS = 1500  # elements on History 365 days (the numbers behind each chart load on demand)


@dataclass(frozen=True)
class Page:
    """One measured page: its name, who is logged in (a Clinic attribute), method, path and budget (× floor)."""

    name: str
    user: str | None  # "patient_email", "short_email", "long_email", "therapist_email" or None (anonymous)
    path: str
    method: str = "GET"
    budgets: tuple[float, float] | None = PATIENT_BUDGET  # × floor on SQLite, on PostgreSQL
    lighthouse: bool = False  # also scored by Lighthouse
    after_entry: str | None = None  # a patient (Clinic attribute) who saves a check-in, untimed, before each request
    conditional: bool = False  # asked again with the ETag of the last answer (If-None-Match): a 304 is expected

    def budget(self, database: str) -> float | None:
        """The page's budget on `database` ("sqlite" or "postgresql"), × floor; None for pages shown without one."""
        if self.budgets is None:
            return None
        return self.budgets[0] if database == "sqlite" else self.budgets[1]


def pages(patient_id: int) -> list[Page]:
    """Every measured page, the floor first; then the check-in POST and the pages seen after an entry (they write)."""
    return [
        Page("healthz (floor)", None, "/healthz", budgets=None),
        Page("login", None, "/login", budgets=None, lighthouse=True),
        Page("today", "patient_email", "/today", lighthouse=True),
        Page("history 1 day", "short_email", "/history?days=365"),
        Page("history 365 days", "long_email", "/history?days=365", lighthouse=True),
        Page("player", "patient_email", "/exercises", lighthouse=True),
        Page("caseload 200", "therapist_email", "/therapist/patients", budgets=CASELOAD_BUDGET, lighthouse=True),
        Page("patient page 180 days", "therapist_email", f"/therapist/patients/{patient_id}", budgets=PATIENT_PAGE_BUDGET),
        Page("check-in POST", "patient_email", "/checkin", method="POST"),
        # A repeat view the browser already has: the ETag matches, nothing is rendered (selfcare/http_cache.py).
        Page("today 304", "patient_email", "/today", budgets=NOT_MODIFIED_BUDGET, conditional=True),
        Page("history 365 days 304", "long_email", "/history?days=365", budgets=NOT_MODIFIED_BUDGET, conditional=True),
        Page("caseload 304", "therapist_email", "/therapist/patients", budgets=NOT_MODIFIED_BUDGET, conditional=True),
        Page("patient page 304", "therapist_email", f"/therapist/patients/{patient_id}", budgets=NOT_MODIFIED_BUDGET,
             conditional=True),
        # The first view after new data: the caseload row of that patient (materialized in the database) is made
        # again. Shown beside the view above, without a budget of its own.
        Page("caseload after entry", "therapist_email", "/therapist/patients", budgets=None, after_entry="patient_email"),
    ]


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on the page."""
    match = CSRF_RE.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1) or match.group(2)


def login_form(html: str, email: str, password: str) -> dict[str, str]:
    """The login form as a person fills it."""
    return {"email": email, "password": password, "csrf_token": csrf_from(html)}


def checkin_form(html: str) -> Callable[[], dict[str, object]]:
    """A maker of calm check-in posts from the form page: 'no' to every red flag, a new entry id each time."""
    token, flags = csrf_from(html), sorted(set(RED_FLAG_RE.findall(html)))
    if not flags:
        raise RuntimeError("the check-in page has no red-flag questions: not the form (onboarding? logged out?)")

    def make() -> dict[str, object]:
        return {"csrf_token": token, "entry_id": str(uuid.uuid4()), **{f: "no" for f in flags}, "zone": "calf", "side": "left",
                "leg_pain": "6", "back_pain": "3", "sensations": ["pain", "tingling"], "worse_with": ["sitting"],
                "walk_minutes": "12", "walk_onset_minutes": "5"}

    return make
