"""The therapist's patient page written from kept pieces: the same page as the template wrote it whole."""

from __future__ import annotations

from typing import Any

import pytest
from flask import g, url_for
from flask_wtf.csrf import generate_csrf

from selfcare import accounts
from selfcare.clinical import Level
from selfcare.models import Alert, utcnow
from selfcare.services.care import NotLinked, end_link, linked_patient, linked_patient_with_profile
from selfcare.services.open_alerts import OpenAlert, OpenAlerts
from selfcare.services.profiles import get_profile
from selfcare.therapist.forms import NoteForm
from selfcare.pieces import PLACE
from selfcare.therapist.patient_page import CSRF_PLACE, LINKS, _link_makers, patient_links, patient_page, render_patient_page
from selfcare.urls import template_url_for
from tests.factories import make_patient, make_profile
from tests.test_therapist_patient import page_path, setup  # noqa: F401  (the fixture)


def whole(patient: Any) -> bytes:
    """The page as the template writes it whole: a fresh note form through the field macro, no kept piece."""
    html, _ = render_patient_page(patient, note_form=NoteForm(formdata=None))
    return html.encode()


@pytest.mark.parametrize("days", ["", "?days=7", "?days=365"])
def test_the_page_is_written_as_the_template_wrote_it_whole(app: Any, setup: dict[str, Any], days: str) -> None:  # noqa: F811
    """Byte for byte against the whole template in the same request (the same CSRF token): with an open alert in the
    timeline (its form and token), under another script root (the links in it and in the history section), in
    requests one after another (a kept piece with a new token each), then with every alert acknowledged."""
    patient = setup["patient"]
    with app.test_request_context(page_path(patient) + days, base_url="http://localhost/clinic/"):
        g._login_user = setup["therapist"]  # current_user, without a login session
        page = patient_page(patient.id)
        assert b'action="/clinic/therapist/alerts/' in page and b'href="/clinic/therapist/patients/' in page
        assert page == whole(patient)
    tokens = set()
    for _ in range(3):
        with app.test_request_context(page_path(patient) + days):
            g._login_user = setup["therapist"]
            page = patient_page(patient.id)
            token = generate_csrf()
            tokens.add(token)
            assert b'class="ack-form"' in page and PLACE.encode() not in page and CSRF_PLACE.encode() not in page
            assert page.count(token.encode()) == 6  # page, log out, end link, assessed sign, note, the open alert's form
            assert page == patient_page(patient.id) == whole(patient)
    assert len(tokens) == 3
    Alert.update(acknowledged_at=utcnow(), acknowledged_by=setup["therapist"], acknowledgement="Seen").execute()
    with app.test_request_context(page_path(patient) + days):
        g._login_user = setup["therapist"]
        for _ in range(2):
            page = patient_page(patient.id)
            assert b'class="ack-form"' not in page and b"Acknowledged by" in page and PLACE.encode() not in page
            assert page == whole(patient)


def test_a_record_with_nothing_in_it_is_written_as_the_template_wrote_it(app: Any, setup: dict[str, Any]) -> None:  # noqa: F811
    """No charts and no timeline entries: nothing kept but the note field."""
    patient = make_patient(email="new@example.com", name="Nell <New> & Co")
    make_profile(patient)
    accounts.link(setup["therapist"], patient)
    with app.test_request_context(page_path(patient)):
        g._login_user = setup["therapist"]
        page = patient_page(patient.id)
        assert b"Nothing recorded yet." in page and b"Nell &lt;New&gt; &amp; Co" in page
        assert page == whole(patient)


def test_a_fresh_note_form_is_written_as_the_macro_wrote_it(app: Any, setup: dict[str, Any]) -> None:  # noqa: F811
    """The kept note field (and the token written beside it) against field(NoteForm().text) and the form's own token."""
    patient = setup["patient"]
    with app.test_request_context(page_path(patient)):
        g._login_user = setup["therapist"]
        kept, _ = render_patient_page(patient)
        again, _ = render_patient_page(patient)
        fresh, _ = render_patient_page(patient, note_form=NoteForm(formdata=None))
    assert 'id="text"' in kept and 'id="csrf_token"' in kept
    assert kept == again == fresh


@pytest.mark.parametrize("script_root", ["", "/clinic"])
def test_the_links_are_url_for_s(app: Any, script_root: str) -> None:
    """Each link (and the banner's link to a patient's page) against url_for for several ids, under two script roots,
    kept or not."""
    with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
        for patient_id in (1, 7, 13, 2**40):
            links = patient_links(patient_id)
            assert set(links) == set(LINKS)
            makers = _link_makers()
            assert makers is not None
            assert makers["patient_page"](patient_id) == url_for("therapist.patient_page", patient_id=patient_id)
            for name in LINKS:
                assert links[name] == url_for(f"therapist.{name}", patient_id=patient_id), (name, patient_id)
                assert links[name].startswith(script_root + "/therapist/patients/")


ALERTS = [
    OpenAlert(7, 3, "Ana", Level.EMERGENCY, "Emergency", "just now"),
    OpenAlert(12, 40, "O'Brien & <Sons> \"Jr\"", Level.URGENT, "Urgent (same day)", "2 hours ago"),
    OpenAlert(1, 1, "Zoë Ünal", Level.CONTACT_PT, "Contact your therapist", "1 day ago"),
]


@pytest.mark.parametrize("shown", [OpenAlerts(0, []), OpenAlerts(1, ALERTS[:1]), OpenAlerts(3, ALERTS), OpenAlerts(54, ALERTS)])
@pytest.mark.parametrize("script_root", ["", "/clinic"])
def test_the_banner_is_written_as_the_template_wrote_it(app: Any, shown: OpenAlerts, script_root: str) -> None:
    """OpenAlerts.banner_html with the page's kept links against _open_alerts.html (id_url, url_for): none, one, all
    shown, more than shown; names escaped; under two script roots."""
    with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
        makers = _link_makers()
        assert makers is not None
        written = shown.banner_html(makers["patient_page"], template_url_for("therapist.open_alerts"))
        assert str(written) == app.jinja_env.get_template("therapist/_open_alerts.html").render(open_alerts=shown)
        assert f'hx-get="{script_root}/therapist/' in written


def test_the_patient_and_their_profile_in_one_query(app: Any, setup: dict[str, Any]) -> None:  # noqa: F811
    """linked_patient_with_profile: linked_patient's patient and get_profile's profile (None before onboarding), else NotLinked."""
    therapist, patient = setup["therapist"], setup["patient"]
    new = make_patient(email="new@example.com", name="Not Onboarded")
    accounts.link(therapist, new)
    stranger = make_patient(email="other@example.com")
    with app.app_context():
        found, profile = linked_patient_with_profile(therapist, patient.id)
        assert found.__data__ == linked_patient(therapist, patient.id).__data__
        assert profile is not None and profile.__data__ == get_profile(patient).__data__  # type: ignore[union-attr]
        assert linked_patient_with_profile(therapist, new.id)[1] is None
        end_link(therapist, new)
        for other in (new.id, stranger.id, 10**9):
            with pytest.raises(NotLinked):
                linked_patient_with_profile(therapist, other)
