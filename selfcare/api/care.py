"""Care through the API: who is calling, alerts and acting on them, the plan, the summary and the caseload."""

from __future__ import annotations

from typing import cast

from flask import Response, request
from pydantic import ValidationError

from selfcare import accounts
from selfcare.api import bp, present
from selfcare.api import schemas as s
from selfcare.api import schemas_care as c
from selfcare.api.access import caller, patient_record
from selfcare.api.entries import PATIENT
from selfcare.api.io import body, reply
from selfcare.api.paging import keyset, list_query, offset
from selfcare.api.problems import Problem, field_error, from_validation
from selfcare.api.spec import operation
from selfcare.clinical import Zone, fill
from selfcare.content import current_content, region_of
from selfcare.models import Alert, CareLink, CheckIn, User
from selfcare.services import alerts, caseload, plans, player, reevaluation, summary
from selfcare.services import open_alerts as therapist_alerts
from selfcare.services.profiles import get_profile

ALERT = "/alerts/<id:alert_id>"


@operation(bp, "GET", "/me", summary="Who is calling", tag="Account", access="signed_in", ok=(200, "The account.", c.Me))
def get_me() -> Response:
    """The signed-in account (or the token's owner); a patient's id is the `patient_id` of their record."""
    user = caller()
    therapists = [c.Person(id=t.id, name=t.name) for t in accounts.linked_therapists(user)] if user.is_patient else []
    return reply(c.Me(id=user.id, email=user.email, name=user.name, role=cast(c.RoleName, user.role), timezone=user.timezone,
                      region=user.region, emergency_number=user.emergency_number, therapists=therapists))


def _names(rows: list[Alert]) -> dict[int, str]:
    """The names of the therapists who acknowledged these alerts (one query)."""
    ids = {a.acknowledged_by_id for a in rows if a.acknowledged_by_id}
    return {u.id: u.name for u in User.select(User.id, User.name).where(User.id.in_(list(ids)))} if ids else {}


@operation(bp, "GET", PATIENT + "/alerts", summary="List a patient's alerts", tag="Alerts", access="signed_in",
           ok=(200, "Alerts, newest first.", c.AlertPage), query=s.ListQuery)
def list_patient_alerts(patient_id: int) -> Response:
    """Every red-flag alert of the patient, with whether they read it and what their therapist did."""
    patient = patient_record(patient_id)
    rows, cursor = keyset(Alert.select().where(Alert.patient == patient.id), Alert.created_at, Alert.id, list_query())
    return reply(c.AlertPage(items=present.alerts(rows, _names(rows)), next_cursor=cursor))


@operation(bp, "GET", "/alerts", summary="List open alerts across the caseload", tag="Alerts", access="therapist",
           ok=(200, "Alerts of linked patients no therapist has acknowledged yet, newest first.", c.AlertPage),
           query=s.ListQuery)
def list_open_alerts() -> Response:
    """What waits for a therapist: unacknowledged alerts of the patients linked to them."""
    query = (
        Alert.select().join(CareLink, on=(CareLink.patient == Alert.patient))
        .where((CareLink.therapist == caller().id) & CareLink.ended_at.is_null() & Alert.acknowledged_at.is_null())
    )
    rows, cursor = keyset(query, Alert.created_at, Alert.id, list_query())
    return reply(c.AlertPage(items=present.alerts(rows, {}), next_cursor=cursor))


def _alert_reply(alert_id: int) -> Response:
    """The alert as it is now."""
    row = Alert.get_by_id(alert_id)
    return reply(present.alerts([row], _names([row]))[0])


@operation(bp, "POST", ALERT + "/acknowledge", summary="Acknowledge an alert", tag="Alerts", access="therapist",
           ok=(200, "Acknowledged with your note.", c.AlertOut), body=c.AcknowledgeIn, conflict=True)
def acknowledge_alert(alert_id: int) -> Response:
    """Record once what you did about an alert of a linked patient; the first acknowledgement stands."""
    alert = therapist_alerts.linked_alert(caller(), alert_id)
    if alert is None:
        raise Problem(404, "not-found", "There is no alert here that you can see.")
    sent = body(c.AcknowledgeIn)
    if not therapist_alerts.acknowledge(caller(), alert, sent.note):
        raise Problem(409, "conflict", "Another therapist already acknowledged this alert. Your note was not saved.")
    return _alert_reply(alert_id)


@operation(bp, "POST", ALERT + "/confirm", summary="Confirm an alert was read", tag="Alerts", access="patient",
           ok=(200, "Confirmed (again is fine): an urgent pause lifts; an emergency still blocks today.", c.AlertOut))
def confirm_alert(alert_id: int) -> Response:
    """The patient says they read their alert and know what to do."""
    alert = alerts.get_own(caller(), alert_id)
    if alert is None:
        raise Problem(404, "not-found", "There is no alert here that you can see.")
    alerts.confirm_read(caller(), alert)
    return _alert_reply(alert_id)


def _plan(patient: User) -> c.PlanOut:
    """The patient's plan as the API shows it."""
    setting = player.plan_setting(patient)
    plan = player.plan_for(patient, setting)
    return c.PlanOut(
        settings=plans.plan_values(plan), defaults=plans.plan_values(current_content().plan),
        sets_per_day=plan.sets_per_day(), paused=bool(setting and setting.paused),
        pause_message=setting.pause_message if setting and setting.paused else None,
        steps=[present.step(step) for step in plan.steps], updated_at=present.utc(setting.updated_at) if setting else None,
    )


@operation(bp, "GET", PATIENT + "/plan", summary="Read the plan", tag="Plan", access="signed_in",
           ok=(200, "The protocol with this patient's settings.", c.PlanOut))
def get_plan(patient_id: int) -> Response:
    """The steps, doses and sets per day the patient follows, and any pause their therapist set."""
    return reply(_plan(patient_record(patient_id)))


@operation(bp, "PUT", PATIENT + "/plan", summary="Change the plan", tag="Plan", access="therapist",
           ok=(200, "Saved and recorded with who and when; the patient sees it at once.", c.PlanOut), body=c.PlanIn)
def put_plan(patient_id: int) -> Response:
    """Set a linked patient's plan: settings not sent go back to the protocol's own values. Saving re-enables a plan
    held after a stop, or paused after fever or trauma until cleared (today's pause still lasts the day)."""
    patient = patient_record(patient_id)
    sent = body(c.PlanIn)
    errors = plans.setting_errors(sent.settings)
    if sent.paused and not (sent.pause_message or "").strip():
        errors["pause_message"] = "Tell the patient why, and what to do, when you pause the exercises."
    if errors:
        raise Problem(422, "validation", "Check these settings: " + ", ".join(errors) + ".",
                      [field_error(f"settings.{k}" if k != "pause_message" else k, v) for k, v in errors.items()])
    plans.change_plan(caller(), patient, sent.settings, sent.paused, sent.pause_message)
    return reply(_plan(patient))


LAST_READINGS = 5


def _last_readings(patient: User) -> list[s.ReadingOut]:
    """The latest check-in readings (one query)."""
    rows = CheckIn.select().where(CheckIn.patient == patient.id).order_by(CheckIn.recorded_at.desc(), CheckIn.id.desc())
    return [
        s.ReadingOut(at=present.utc(r.recorded_at), source="checkin", entry_id=r.uuid, zone=Zone(r.zone), side=present.side_of(r.side),
                     leg_pain=r.leg_pain, back_pain=r.back_pain)
        for r in rows.limit(LAST_READINGS)
    ]


@operation(bp, "GET", PATIENT + "/summary", summary="How the patient is doing", tag="Care", access="signed_in",
           ok=(200, "The trend, re-evaluation prompts and the latest readings.", c.SummaryOut), query=s.SummaryQuery)
def get_summary(patient_id: int) -> Response:
    """Getting better, about the same or getting worse over the period (with the numbers), the zone trend, walking
    against the baseline, and what is due."""
    patient = patient_record(patient_id)
    try:
        days = s.SummaryQuery.model_validate(request.args.to_dict()).days
    except ValidationError as error:
        raise from_validation(error, "query") from None
    made = summary.build_summary(patient, days)
    profile = get_profile(patient)
    for_patient = caller().is_patient
    return reply(c.SummaryOut(
        patient_id=patient.id, days=days, progress=made.progress.progress.value, progress_headline=made.progress.headline,
        progress_text=list(made.progress.sentences), trend=made.trend.direction.value, trend_text=list(made.progress.sentences),
        checkins=made.checkins, furthest_zone=made.furthest, sets_done=made.sets_done,
        best_walk_minutes=made.best_walk.minutes if made.best_walk else None,
        baseline_walk_minutes=profile.baseline_walk_minutes if profile else None,
        prompts=[
            c.PromptOut(rule=p.rule.value, due_since=present.utc(p.due_since), text=fill(p.patient_text, region_of(patient)) if for_patient else p.pt_text)
            for p in reevaluation.due_prompts(patient)
        ],
        last_readings=_last_readings(patient),
    ))


@operation(bp, "GET", "/caseload", summary="The caseload", tag="Care", access="therapist",
           ok=(200, "Linked patients in triage order: emergencies first, improving last.", c.CaseloadPage),
           query=s.ListQuery)
def get_caseload() -> Response:
    """The same list and order as the caseload page, with the reason each patient sits where they do."""
    built = caseload.build_caseload(caller())
    rows, cursor = offset(built.rows, list_query())
    return reply(c.CaseloadPage(total=built.total, next_cursor=cursor, items=[
        c.CaseloadRow(
            patient_id=r.patient_id, name=r.name, group=r.group.name.lower(), reason=r.reason, also=list(r.also),
            days_in_program=r.days_in_program, zone=r.zone, trend=r.trend.value, progress=r.progress.value,
            walk_best_minutes=r.walk_best,
            walk_baseline_minutes=r.walk_baseline, sets_done_7_days=r.sets_done, sets_planned_7_days=r.sets_planned,
            paused=r.paused, open_alert=r.open_alert, silent=r.silent,
        )
        for r in rows
    ]))
