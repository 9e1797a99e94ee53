"""The protocol through the API: where the patient is now, events sent by id, and the sets done."""

from __future__ import annotations

from flask import Response

from selfcare.api import bp, present
from selfcare.api import schemas as s
from selfcare.api import schemas_care as c
from selfcare.api.access import patient_record
from selfcare.api.entries import PATIENT, conflict, reading_of
from selfcare.api.io import body, reply
from selfcare.api.paging import keyset, list_query
from selfcare.api.problems import Problem, field_error
from selfcare.api.spec import operation
from selfcare.clinical import EventKind
from selfcare.models import ExerciseSet
from selfcare.services import player, sessions
from selfcare.services.entries import EntryConflict

# A start with anything_new false before the whole list was answered today (CLINICAL.md §2: the full list once a day).
FULL_SCREEN_DUE = (
    "No red-flag screen has been answered yet today on the patient's clock: ask every red-flag question and send "
    "the answers in red_flags."
)


@operation(bp, "GET", PATIENT + "/player", summary="Where the patient is in the protocol", tag="Protocol",
           access="signed_in", ok=(200, "The screen to show now, with its step, timer deadline or next set time.", c.SessionOut))
def get_player(patient_id: int) -> Response:
    """The current screen: a step with its deadline, the re-check, the result, or a pause or stop."""
    return reply(present.session(player.load(patient_record(patient_id))))


@operation(bp, "POST", PATIENT + "/player/events", summary="Send a protocol event", tag="Protocol", access="patient",
           ok=(200, "Sent before with the same body: the event as stored, and the session now.", c.EventOut),
           created=(201, "Applied at the time it happened; stop rules and red flags win.", c.EventOut),
           body=c.EventIn, conflict=True)
def add_player_event(patient_id: int) -> Response:
    """Apply one event (start, step_done, timer_ended, symptoms_peripheralized, leg_pain_worse, recheck_done, quit).

    Events are applied in the order they arrive, each at its own `occurred_at`, so an offline app can send
    its queue when the signal returns. An event that does not fit the current screen changes nothing.
    """
    patient = patient_record(patient_id, write=True)
    sent = body(c.EventIn)
    data = sessions.EventData(
        uuid=sent.id, kind=EventKind(sent.kind), occurred_at=sent.occurred_at,
        reading=reading_of(sent.reading) if sent.reading else None,
        red_flags=sent.red_flags.model_dump() if sent.red_flags is not None else None, anything_new=sent.anything_new,
    )
    try:
        applied = sessions.record_event(patient, data)
    except EntryConflict as error:
        raise conflict(error) from None
    except sessions.FullScreenNeeded:  # anything_new true is refused by the schema already: only DUE is left
        raise Problem(422, "validation", FULL_SCREEN_DUE, [field_error("red_flags", FULL_SCREEN_DUE)]) from None
    except player.PausedByTherapist as paused:
        raise Problem(409, "paused", f"Your physical therapist has paused your exercises. {paused}".strip()) from None
    event = applied.event
    out = c.EventOut(
        id=event.uuid, kind=event.kind, occurred_at=present.utc(event.occurred_at), received_at=present.utc(event.received_at),
        alert_id=applied.alert.id if applied.alert else None, session=present.session(applied.view),
    )
    return reply(out, 201 if applied.created else 200)


@operation(bp, "GET", PATIENT + "/sessions", summary="List protocol sessions", tag="Protocol", access="signed_in",
           ok=(200, "Sets, newest first, with the readings before and after and what they meant.", c.SetPage),
           query=s.ListQuery)
def list_sessions(patient_id: int) -> Response:
    """Each set: the reading before, the reading after the re-check walk, the response and why it stopped."""
    patient = patient_record(patient_id)
    query = ExerciseSet.select().where(ExerciseSet.patient == patient.id)
    rows, cursor = keyset(query, ExerciseSet.started_at, ExerciseSet.id, list_query())
    return reply(c.SetPage(items=[present.exercise_set(r) for r in rows], next_cursor=cursor))
