"""The therapist's timeline written in runs (Timeline.blocks): the same markup as a loop over every entry wrote."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest

from selfcare import accounts
from selfcare.models import utcnow
from selfcare.services.timeline import Run, Timeline, build_timeline
from selfcare.therapist.forms import acknowledge_form
from tests.factories import make_patient, make_profile, make_therapist
from tests.test_therapist_patient import fill

# _timeline.html's loop before the runs: one turn per entry.
OLD_LOOP = """{% autoescape true %}
      {% for entry in timeline.entries %}
        {% if entry.kind.value == 'alert' %}
          {% set alert = entry.alert %}
          {% set form = failed_ack[1] if failed_ack and failed_ack[0] == alert.id else none %}
          {% set message = none %}
          {% include "therapist/_alert.html" %}
        {% else %}{{ entry.item_html }}        {% endif %}
      {% endfor %}
{% endautoescape %}"""

NEW_LOOP = OLD_LOOP.replace("timeline.entries", "timeline.blocks").replace("entry.kind.value == 'alert'", "entry.alert")


@pytest.fixture
def entries(app: Any) -> tuple[list[Any], list[Any]]:
    """(alerts, other entries) of a patient with one entry of every kind: one alert open, one acknowledged."""
    therapist = make_therapist(email="pt@example.com", name="Dana Physio")
    patient = make_patient(email="pat@example.com", name="Ana")
    make_profile(patient)
    accounts.link(therapist, patient)
    fill(patient, therapist, utcnow() - timedelta(minutes=5))
    with app.app_context():
        built = build_timeline(patient).entries
    alerts = [e for e in built if e.alert is not None]
    assert len(alerts) == 2 and any(a.alert.acknowledged for a in alerts) and not all(a.alert.acknowledged for a in alerts)
    return alerts, [e for e in built if e.alert is None]


def orders(alerts: list[Any], others: list[Any]) -> list[list[Any]]:
    """Timelines of every shape: empty, only alerts, none, alerts first, last, between and side by side."""
    a, b = alerts
    return [[], [a], [a, b], others[:1], others, [a, *others], [*others, b], [others[0], a, *others[1:3], b, others[3]],
            [*others[:2], a, b, *others[2:]], list(itertools.chain.from_iterable(zip(others, [a, b, a, b])))]


def test_blocks_are_written_as_the_loop_over_entries_wrote_them(app: Any, entries: tuple[list[Any], list[Any]]) -> None:
    """Byte for byte, for every shape, with no form failed and with one (the open alert's)."""
    alerts, others = entries
    old, new = app.jinja_env.from_string(OLD_LOOP), app.jinja_env.from_string(NEW_LOOP)
    open_alert = next(a for a in alerts if not a.alert.acknowledged)
    with app.test_request_context("/"):
        for shown in orders(alerts, others):
            for failed in (None, (open_alert.alert.id, acknowledge_form(open_alert.alert.id))):
                timeline = Timeline(shown, False, 50, "UTC")
                context = {"timeline": timeline, "failed_ack": failed, "ack_form": acknowledge_form}
                assert new.render(**context) == old.render(**context), [e.kind.value for e in shown]


def test_blocks_keep_each_alert_alone_and_join_the_rest(entries: tuple[list[Any], list[Any]]) -> None:
    """Alerts stay entries (their form is written per view); entries between them become one run each."""
    alerts, others = entries
    a, b = alerts
    blocks = Timeline([others[0], a, others[1], others[2], b], False, 50, "UTC").blocks
    assert [type(x).__name__ for x in blocks] == ["Run", "Entry", "Run", "Entry"]
    assert blocks[1] is a and blocks[3] is b and isinstance(blocks[2], Run) and blocks[2].alert is None
    assert Timeline([], False, 50, "UTC").blocks == []
