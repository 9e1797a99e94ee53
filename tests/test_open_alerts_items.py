"""The open-alerts banner's items written in Python (OpenAlerts.items_html): the markup _open_alerts.html's loop wrote."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.clinical import Level
from selfcare.services.open_alerts import OpenAlert, OpenAlerts
from selfcare.urls import id_url

# _open_alerts.html's loop before items_html, one url_for per alert.
OLD_LOOP = """{% autoescape true %}{% for a in open_alerts.alerts %}
        <li class="open-alert open-alert-{{ a.level.value }}">
          <a href="{{ url_for('therapist.patient_page', patient_id=a.patient_id, _anchor='alert-' ~ a.id) }}"><strong>{{ a.level_name }}</strong>: {{ a.patient_name }}</a>
          <span class="muted">{{ a.age }}</span>
        </li>
      {% endfor %}{% endautoescape %}"""

NEW = "{% autoescape true %}{{ open_alerts.items_html(id_url('therapist.patient_page', 'patient_id')) }}{% endautoescape %}"

ALERTS = [
    OpenAlert(7, 3, "Ana", Level.EMERGENCY, "Emergency", "just now"),
    OpenAlert(12, 40, "O'Brien & <Sons> \"Jr\"", Level.URGENT, "Urgent (same day)", "2 hours ago"),
    OpenAlert(1, 1, "Zoë Ünal", Level.CONTACT_PT, "Contact your therapist", "1 day ago"),
]


@pytest.mark.parametrize("alerts", [[], ALERTS[:1], ALERTS])
@pytest.mark.parametrize("script_root", ["", "/clinic"])
def test_items_are_written_as_the_loop_wrote_them(app: Any, alerts: list[OpenAlert], script_root: str) -> None:
    """Byte for byte: names and words escaped as Jinja escaped them, links as url_for wrote them."""
    shown = OpenAlerts(len(alerts), alerts)
    with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
        old = app.jinja_env.from_string(OLD_LOOP).render(open_alerts=shown)
        new = app.jinja_env.from_string(NEW).render(open_alerts=shown, id_url=id_url)
    assert new == old
