"""The history page's trend, charts and sets are rendered once per kept history (patient/history.py shown_html):
the page must be the one the template it replaces wrote, byte for byte, for every shape of history."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import render_template_string
from flask_login import current_user

from selfcare.content import current_content
from selfcare.models import User, utcnow
from selfcare.patient import history as history_view
from selfcare.pieces import PLACE
from selfcare.services.history import ALLOWED_DAYS, parse_days
from selfcare.services.history_cache import history_with_charts
from tests.factories import make_onboarded_patient
from tests.history_rows import add_checkin, add_days, add_set, add_walk

# patient/history.html as it was before the piece was kept: the charts inline, the sets as an include.
OLD_PAGE = """{% extends "base.html" %}
{% block title %}Your history{% endblock %}
{% block content %}
<h1>Your history</h1>
{% set range_endpoint = 'patient.history' %}
{% include "patient/_history_ranges.html" %}
<p class="muted period">{{ history.period.text }}</p>

{% if history.empty %}
  <section class="card history-empty" aria-labelledby="empty-heading">
    <h2 id="empty-heading">Nothing here yet</h2>
    <p>Nothing was recorded in {{ "this year" if days == 365 else "these " ~ days ~ " days" }}.</p>
    <p>When you do a check-in, log a walk or do your exercises, you will see here how things change.</p>
    <p><a class="button" href="{{ url_for('patient.checkin') }}">Do a check-in</a></p>
  </section>
{% else %}
  <section class="card trend trend-{{ history.progress.progress.value }}" aria-labelledby="trend-heading">
    <h2 id="trend-heading">How things are changing</h2>
    <p class="trend-headline"><strong>{{ history.progress.headline }}</strong></p>
    {% for sentence in history.progress.sentences %}<p>{{ sentence }}</p>{% endfor %}
  </section>

  <section class="history-chart" aria-labelledby="zone-heading">
    <h2 id="zone-heading">Where symptoms reached</h2>
    <p class="hint">The furthest point each day. Lower on the chart means further down the leg.</p>
    {{ charts.zone }}
  </section>
  <section class="history-chart" aria-labelledby="pain-heading">
    <h2 id="pain-heading">Pain</h2>
    <p class="hint">The highest score each day, from 0 (no pain) to 10 (worst pain).</p>
    {{ charts.pain }}
  </section>
  <section class="history-chart" aria-labelledby="walking-heading">
    <h2 id="walking-heading">Walking</h2>
    <p class="hint">Your longest walk each day, and after how many minutes leg symptoms started.</p>
    {{ charts.walking }}
  </section>
  <section class="history-chart" aria-labelledby="sets-heading">
    <h2 id="sets-heading">Exercise sets</h2>
    <p class="hint">Sets you finished and re-checked each day.</p>
    {{ charts.sets }}
  </section>

  {% include "patient/_history_sessions.html" %}
{% endif %}

<section class="card card-tool" aria-labelledby="visit-heading">
  <h2 id="visit-heading">Seeing your {{ words.therapist }} or {{ words.doctor }}?</h2>
  <p>Make a short summary of these facts to take with you.</p>
  <p><a class="button" href="{{ url_for('patient.summary') }}">Make a visit summary</a></p>
</section>
{% endblock %}"""


def _masked(html: str) -> str:
    html = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", html)
    return re.sub(r'("X-CSRFToken": ")[^"]*', r"\1", html)


def _old_history() -> str:
    """What the old view rendered (same values, the old template)."""
    from flask import request

    days = parse_days(request.args.get("days"), default=30)
    shown = history_with_charts(current_user, days)
    names = {info.zone: info.name for info in current_content().zones}
    return render_template_string(OLD_PAGE, history=shown.history, charts=shown.charts, days=days, ranges=ALLOWED_DAYS,
                                  zone_names=names)


def _year(patient: User) -> None:
    add_days(patient, utcnow() - timedelta(minutes=1), 365)  # more sets than the page lists


def _mixed(patient: User) -> None:
    now = utcnow()
    for n, zone in enumerate(["calf", "thigh", "thigh", "buttock"]):
        add_checkin(patient, now - timedelta(days=3 - n, minutes=5), zone=zone, leg=6 - n, walk=10 + n, onset=3)
    add_set(patient, now - timedelta(minutes=20))
    add_set(patient, now - timedelta(minutes=10), before="thigh", after=None, response=None, outcome=None)
    add_set(patient, now - timedelta(minutes=5), before="foot", after="calf", response="worse", outcome="some_new_end")
    add_set(patient, now - timedelta(minutes=4), before="back", after="none", response="abolished", outcome="quit")


SHAPES: dict[str, Callable[[User], object]] = {
    "nothing": lambda p: None,
    "one check-in": lambda p: add_checkin(p, utcnow() - timedelta(minutes=1), zone="foot", leg=6, walk=7, onset=2),
    "only a walk": lambda p: add_walk(p, utcnow() - timedelta(hours=2), 12),
    "only a set": lambda p: add_set(p, utcnow() - timedelta(hours=1), after=None, response=None, outcome="stop_contact_pt"),
    "mixed": _mixed,
    "a year": _year,
}


@pytest.mark.parametrize("shape", [*SHAPES, "a name like the place"])
def test_the_page_is_the_old_templates_byte_for_byte(app, client, auth, shape):
    new_view = app.view_functions["patient.history"]
    name = f"{PLACE}0-->" if shape not in SHAPES else "Pat Example"  # escaped on the page: never the place
    patient = make_onboarded_patient(email="pat@example.com", timezone="Europe/London", name=name)
    SHAPES.get(shape, _mixed)(patient)
    assert auth.login("pat@example.com").status_code == 303
    for days in ALLOWED_DAYS:
        new = client.get(f"/history?days={days}").get_data(as_text=True)
        assert _masked(client.get(f"/history?days={days}").get_data(as_text=True)) == _masked(new)  # kept: the same again
        app.view_functions["patient.history"] = _old_history  # the same endpoint (the menu marks it)
        try:
            old = client.get(f"/history?days={days}").get_data(as_text=True)
        finally:
            app.view_functions["patient.history"] = new_view
        assert _masked(new) == _masked(old), days
        assert ("Nothing here yet" in new) == (shape == "nothing") and PLACE not in new
        assert shape in SHAPES or "&lt;!--selfcare piece 0--&gt;" in new


def test_the_piece_is_rendered_once_per_kept_history_and_template(app, client, auth, monkeypatch):
    patient = make_onboarded_patient(email="pat@example.com", timezone="Europe/London")
    _mixed(patient)
    assert auth.login("pat@example.com").status_code == 303
    renders = []
    template = type(app.jinja_env.get_template(history_view.SHOWN))
    real = template.render

    def counting(self, *args, **kwargs):
        if self.name == history_view.SHOWN:
            renders.append(self.name)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(template, "render", counting)
    first = client.get("/history").get_data(as_text=True)
    assert client.get("/history").get_data(as_text=True) == first and len(renders) == 1
    client.get("/history?days=7")
    assert len(renders) == 2  # another range is another kept history
    add_checkin(patient, utcnow() - timedelta(minutes=1), zone="foot")
    assert "Ankle, foot or toes" in client.get("/history").get_data(as_text=True) and len(renders) == 3
    app.jinja_env.cache.clear()  # as when the template file changes and is loaded again
    client.get("/history")
    assert len(renders) == 4
