"""What the phone needs to keep going with no signal: the offline player, the red-flag table and the plan.

Everything here comes from content/ (through the loaded content) and the patient's own records, put
into the page as JSON for static/js/protocol.js. The server stays the authority: entries made offline
are sent through the API later and judged there again.
"""

from __future__ import annotations

from datetime import timezone
from typing import Any

from flask import render_template
from flask_login import current_user

from selfcare.access import role_required
from selfcare import accounts
from selfcare.clinical import ABROAD, CAUDA_EQUINA, Level, Plan, RedFlagContent
from selfcare.content import current_content, region_of
from selfcare.models import Role
from selfcare.patient import bp, own_profile
from selfcare.patient.forms import RecheckForm, red_flag_field_name, start_set_form
from selfcare.services import player
from selfcare.services.profiles import history_answers

ALERT_LEVELS = (Level.EMERGENCY, Level.URGENT, Level.CONTACT_PT)


def triage_table(flags: RedFlagContent) -> dict[str, Any]:
    """What protocol.js's triage needs from red_flags.toml: levels, history levels, combinations, table order."""
    return {
        "levels": {q.id: q.level.value for q in flags.questions},
        "history_levels": {q.id: q.level.value for q in flags.history},
        "order": [q.id for q in (*flags.questions, *flags.history)],
        "combinations": [{"ids": sorted(c.ids), "level": c.level.value} for c in flags.combinations],
        "until_cleared": [q.id for q in flags.questions if q.until_cleared],
    }


def red_flag_table() -> dict[str, Any]:
    """red_flags.toml as the phone needs it, with this patient's onboarding legs and history answers."""
    flags = current_content().red_flags
    profile = own_profile()
    return {
        **triage_table(flags),
        "wording": {q.id: q.question for q in (*flags.questions, *flags.history)},
        "tell": {q.id: q.tell for q in (*flags.questions, *flags.history)},
        "sign": {q.id: q.sign for q in (*flags.questions, *flags.history)},
        "cauda_equina": sorted(CAUDA_EQUINA),
        "field": {q.id: red_flag_field_name(q) for q in flags.questions},
        "history": history_answers(profile),
        "legs": profile.legs if profile is not None else None,
    }


def plan_data(plan: Plan) -> dict[str, Any]:
    """The plan as plain data for protocol.js (same names as clinical/protocol.py)."""
    steps = [
        {"id": s.id, "kind": s.kind.value, "title": s.title, "instructions": s.instructions, "stop_rule": s.stop_rule,
         "seconds": s.seconds, "reps": s.reps, "pause_seconds": s.pause_seconds, "per_set": s.per_set}
        for s in plan.steps
    ]
    progression = plan.progression
    return {
        "steps": steps, "sets": plan.sets, "repeat_every_minutes": plan.repeat_every_minutes,
        "waking_start": plan.waking_start.strftime("%H:%M"), "waking_end": plan.waking_end.strftime("%H:%M"),
        "unchanged_limit": plan.unchanged_limit, "get_ready_seconds": plan.get_ready_seconds,
        "progression": {"enabled": progression.enabled, "after_better_sessions": progression.after_better_sessions,
                        "sets": progression.sets, "exhale": progression.exhale},
    }


def alert_context() -> dict[str, Any]:
    """What the offline alert screens show: each level's title and action for the patient's region (never another
    country's number: region_of), who is linked to see it, and the red-flag table showAlert reads."""
    content = current_content()
    actions = {level.value: content.red_flags.action(level) for level in ALERT_LEVELS}
    return {"offline_region": region_of(current_user), "offline_actions": actions, "abroad": ABROAD,
            "offline_therapists": accounts.linked_therapists(current_user), "red_flag_table": red_flag_table()}


@bp.route("/exercises/offline")
@role_required(Role.PATIENT)
def player_offline() -> str:
    """The player for no signal: every screen in one page, driven on the phone by protocol.js.

    The service worker keeps this page and opens it for /exercises when there is no connection.
    """
    view = player.load(current_user)
    content = current_content()
    return render_template(
        "patient/offline_player.html", plan=view.plan, state=view.state.to_dict(),
        plan_json={**plan_data(view.plan), "zone_names": {z.zone.value: z.name.lower() for z in content.zones}},
        # When the server's state last changed: the phone keeps its own state if it saved it later (an event it has
        # not sent yet, or one still on its way when the page reloaded), else takes the server's.
        state_at=view.updated_at.replace(tzinfo=timezone.utc).isoformat() if view.updated_at else "",
        paused=view.paused_by_therapist, pause_message=view.setting.pause_message if view.setting else None,
        noise=content.noise_points, form=start_set_form(), recheck=RecheckForm(prefix="after"),
        questions=content.red_flags.questions, red_flag_name=red_flag_field_name, user_id=current_user.id,
        **alert_context(),
    )
