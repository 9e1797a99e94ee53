"""ETags for pages: a repeat view of a page that would show the same thing is a 304, sent without rendering.

A page's tag is a hash of everything it shows: the patient's data stamps (`patient_stamp.version` and `.shown`,
both bumped by database triggers on every write, selfcare/stamps.py), what the clock changes on the page (the local
date, a timer or a next set coming due, an assessed sign running out, the age of an open alert), the address with
its range or page, the htmx headers that pick a fragment, the release, and what the page writes for this session
(the account, the login session and its CSRF token). A response with a flashed message is never tagged. Pages
stay `private, no-cache`: the browser keeps them for itself and asks each time. The tags are weak: Flask-Compress
adds the encoding to a strong tag, and a compressed page is the same page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from functools import wraps
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from flask import (
    Flask,
    current_app,
    get_flashed_messages,
    make_response,
    request,
    session,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from peewee import JOIN, fn

from selfcare.models import (
    Alert,
    AssessedSign,
    CareLink,
    Notice,
    PatientStamp,
    PlayerState,
    User,
    utcnow,
)
from selfcare.services.caseload_store import MAX_AGE
from selfcare.statements import Statement
from selfcare.timeutil import local_now

KEY = "selfcare.http_cache"  # app.extensions: the release (a hash of the code, templates, static files and content)
HTMX_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")  # a fragment or the whole page
CASELOAD_CLOCK = MAX_AGE  # the caseload computes its clock-only values again this often (services/caseload_store.py)

View = TypeVar("View", bound=Callable[..., Any])
Parts = Sequence[object] | None  # None: this response is not tagged


def release(app: Flask) -> str:
    """This release: selfcare's version and a hash of its files and the content (a new deployment changes every tag)."""
    kept = app.extensions.get(KEY)
    if kept is None:
        digest = hashlib.sha256(metadata.version("selfcare").encode())
        for root in (Path(app.root_path), Path(app.config["CONTENT_DIR"])):
            for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        kept = app.extensions[KEY] = digest.hexdigest()
    return str(kept)


def _session_parts() -> Parts:
    """What every page writes for this request and session; None when a flashed message is waiting."""
    if get_flashed_messages():  # read once per request: the page still shows them
        return None
    user = current_user
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field not in session:
        generate_csrf()  # the session's token, made now (the page would make it), so the tag holds it
    csrf = session.get(field)
    return (release(current_app), request.full_path, [request.headers.get(h) for h in HTMX_HEADERS],
            user.get_id(), user.name, user.role, user.timezone, csrf)


def etag(tag: Callable[..., Parts]) -> Callable[[View], View]:
    """Tag the view's GET pages with `tag(**view_args)`; a request that holds the tag gets a 304 without the view
    running, and writes nothing. `tag` returns None for a page it cannot vouch for (e.g. a therapist who is not
    linked): the view runs and answers as it would.

    A therapist's look at a record is kept when the page is sent (services/care.record_access). A 304 needs no look
    of its own: the tag holds the quarter hour (`_caseload_parts`), so it only ever answers a copy sent, and kept as
    a look, in the same quarter hour by the same login session, as the API keeps its reads once per half hour."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if request.method not in ("GET", "HEAD"):
                return view(*args, **kwargs)
            parts = _session_parts()
            # Read before the page's own rows: a write in between leaves the page newer than its tag, so the next
            # view is a 200 again, never a 304 for something older.
            own = tag(*args, **kwargs) if parts is not None else None
            if parts is None or own is None:
                return view(*args, **kwargs)
            value = hashlib.sha256(repr((parts, own)).encode()).hexdigest()[:32]
            if request.if_none_match.contains_weak(value):
                response = current_app.response_class(status=304)
            else:
                response = make_response(view(*args, **kwargs))
                if response.status_code != 200:
                    return response
            response.set_etag(value, weak=True)
            response.headers["Cache-Control"] = "private, no-cache"
            return response

        return wrapped  # type: ignore[return-value]

    return decorator


def _now() -> datetime:
    """Now, UTC and naive as the database keeps it (tests move it)."""
    return utcnow()


def _reached(moment: str | None, now: datetime) -> bool | None:
    """Whether an ISO time in the player's state has come (None: there is none)."""
    if not moment:
        return None
    when = datetime.fromisoformat(moment)
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)) <= now.replace(tzinfo=timezone.utc)


def _signs_in_force(patient: Any, now: datetime) -> Any:
    """How many assessed signs are in force now (each changes the check-in's wording until it ends)."""
    return (AssessedSign.select(fn.COUNT(AssessedSign.id))
            .where((AssessedSign.patient == patient) & AssessedSign.ended_at.is_null() & (AssessedSign.until > now)))


def _care_team(patient: Any) -> Any:
    """The linked therapists' `shown` counters together (their names are on the patient's pages)."""
    team = PatientStamp.alias()
    return (CareLink.select(fn.SUM(team.shown)).join(team, on=(team.patient_id == CareLink.therapist))
            .where((CareLink.patient == patient) & CareLink.ended_at.is_null()))


def _patient_query(patient_id: int, now: datetime) -> Any:
    """One statement: the patient's stamps, player state, assessed signs in force and care team."""
    return (User.select(PatientStamp.version, PatientStamp.shown, PlayerState.state,
                        _signs_in_force(User.id, now).alias("signs"), _care_team(User.id).alias("team"))
            .join(PatientStamp, JOIN.LEFT_OUTER, on=(PatientStamp.patient_id == User.id))
            .switch(User).join(PlayerState, JOIN.LEFT_OUTER, on=(PlayerState.patient == User.id))
            .where(User.id == patient_id))


def _patient_parts(row: tuple[Any, ...], patient: Any, now: datetime, timer_on_page: bool) -> Parts:
    """A patient's data and clock parts from their row; None while a timer runs on a page that shows it."""
    version, shown, state, signs, team = row
    state = state or {}
    if timer_on_page and state.get("deadline"):
        return None  # the timer is drawn against the server's clock at render time
    return (version, shown, signs, team, local_now(patient, now).date().isoformat(),
            _reached(state.get("next_at"), now), _reached(state.get("deadline"), now))


PATIENT = Statement(lambda patient_id, now: _patient_query(patient_id, now).limit(1))


def patient_page(timer_on_page: bool = False) -> Callable[..., Parts]:
    """The tag of a page that shows the signed-in patient their own data (Today, check-in, player, History)."""

    def tag(*args: Any, **kwargs: Any) -> Parts:
        patient, now = current_user, _now()
        row = PATIENT.first(patient_id=patient.id, now=now)
        return None if row is None else _patient_parts(row, patient, now, timer_on_page)

    return tag


CASELOAD_COLUMNS = ("links", "newest_link", "versions", "shown", "open_alerts", "notices", "newest_notice")


def caseload_query(therapist: Any) -> Any:
    """The therapist's linked patients' stamps together, their open alerts and the therapist's notices: one row of
    seven aggregates (`therapist`: an id, or a subquery that gives one). The login session reads it for its user
    (services/login_sessions.py), so a caseload's repeat view is one statement."""
    linked = (CareLink.therapist == therapist) & CareLink.ended_at.is_null()
    link = CareLink.alias()
    open_alerts = (Alert.select(fn.COUNT(Alert.id)).join(link, on=(link.patient == Alert.patient))
                   .where((link.therapist == therapist) & link.ended_at.is_null() & Alert.acknowledged_at.is_null()))
    notices = Notice.select(fn.COUNT(Notice.id)).where((Notice.therapist == therapist) & Notice.read_at.is_null())
    newest_notice = Notice.select(fn.MAX(Notice.id)).where(Notice.therapist == therapist)
    return (CareLink.select(fn.COUNT(CareLink.id).alias("links"), fn.MAX(CareLink.id).alias("newest_link"),
                            fn.SUM(PatientStamp.version).alias("versions"), fn.SUM(PatientStamp.shown).alias("shown"),
                            open_alerts.alias("open_alerts"), notices.alias("notices"), newest_notice.alias("newest_notice"))
            .join(PatientStamp, JOIN.LEFT_OUTER, on=(PatientStamp.patient_id == CareLink.patient))
            .where(linked))


def _therapist_clock(now: datetime, open_alerts: int) -> object:
    """The minute while an alert is open (the banner says how long it has waited), else nothing."""
    return now.strftime("%Y-%m-%d %H:%M") if open_alerts else None


def _caseload_parts(row: tuple[Any, ...], therapist: Any, now: datetime) -> Parts:
    """The caseload's parts from its row (the _caseload_query's seven values) and the clock."""
    quarter = int(now.replace(tzinfo=timezone.utc).timestamp() // CASELOAD_CLOCK.total_seconds())
    return (row, quarter, _therapist_clock(now, row[4]), local_now(therapist, now).date().isoformat())


CASELOAD = Statement(lambda therapist: caseload_query(therapist).limit(1))


def caseload(*args: Any, **kwargs: Any) -> Parts:
    """The tag of the caseload: every linked patient's stamps, the open alerts, the notices, and the clock in
    quarter hours (days since the last check-in and the like; every time zone's midnight falls on one)."""
    therapist, now = current_user, _now()
    return _caseload_parts(_caseload_row(therapist), therapist, now)


def _caseload_row(therapist: Any) -> tuple[Any, ...]:
    """The caseload's seven aggregates: as read with the login session (`caseload_row`), else by CASELOAD."""
    row = getattr(therapist, "caseload_row", None) or CASELOAD.first(therapist=therapist.id)
    assert row is not None  # one row of aggregates, whatever the caseload holds
    return tuple(row)


def _linked_patient_query(patient_id: Any, therapist: Any, now: Any) -> Any:
    """A linked patient's stamps and time zone; no row if not linked (the caseload's part came with the session)."""
    linked = (CareLink.select(CareLink.id).where((CareLink.patient == User.id) & (CareLink.therapist == therapist)
                                                 & CareLink.ended_at.is_null()))
    return _patient_query(patient_id, now).select_extend(User.timezone).where(fn.EXISTS(linked)).limit(1)


LINKED_PATIENT = Statement(_linked_patient_query)


def therapist_patient_page(patient_id: int, **kwargs: Any) -> Parts:
    """The tag of a linked patient's page (None when not linked: the view answers 404): the patient's stamps and
    clock, and the caseload's (the banner of open alerts), read with the login session."""
    therapist, now = current_user, _now()
    row = LINKED_PATIENT.first(patient_id=patient_id, therapist=therapist.id, now=now)
    if row is None:
        return None
    patient = User(id=patient_id, timezone=row[5])
    return (_patient_parts(row[:5], patient, now, False), _caseload_parts(_caseload_row(therapist), therapist, now))
