"""The warning-signs page: every sign under its one action in the reader's region words, its public sources, open
to anyone, kept on a patient's phone for use with no signal, and linked from the pages where a patient needs it."""

from __future__ import annotations

import re
from html import unescape

import pytest

from selfcare.clinical import ABROAD, Level, default_content_dir, load_content
from tests.factories import make_onboarded_patient, make_therapist
from tests.patient_helpers import check_in

pytestmark = pytest.mark.one_database  # no database behaviour here: SQLite only (tests/conftest.py)

CONTENT = load_content(default_content_dir())
FLAGS = CONTENT.red_flags
COMBINATIONS = (
    ("If you have ever had cancer, new weakness, spreading numbness or symptoms in both legs are an emergency: "
     "tell them about the cancer."),
    "With a weak immune system, a fever is an emergency.",
)


def text_of(html: str) -> str:
    """The page's text without tags or repeated spaces, as a reader would see it."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def section(html: str, level: str) -> str:
    """The HTML of the group for one level (its <section> element)."""
    match = re.search(rf'<section aria-labelledby="signs-{level}".*?</section>', html, re.DOTALL)
    assert match, f"no group for {level}"
    return match.group(0)


def signs_page(client, auth, region: str | None = "UK", number: str | None = None) -> str:
    """The page as a signed-in patient in `region` sees it."""
    make_onboarded_patient(email="signs@example.com", region=region, emergency_number=number)
    assert auth.login("signs@example.com").status_code == 303
    response = client.get("/warning-signs")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_sign_is_listed_once_under_its_level_with_its_sign_words_not_the_question(client, auth):
    """Each daily sign and each sign a first self-check raises sits in its level's group, in the sign's own words."""
    html = signs_page(client, auth)
    groups = {level: text_of(section(html, level.value)) for level in (Level.EMERGENCY, Level.URGENT, Level.CONTACT_PT)}
    listed = [*FLAGS.questions, *FLAGS.held]
    assert len(listed) == 15 and {s.level for s in listed} == set(groups)
    for sign in listed:
        assert [level for level, text in groups.items() if sign.sign in text] == [sign.level], sign.id
    assert "first nerve self-check" in groups[Level.URGENT] and "first nerve self-check" in groups[Level.CONTACT_PT]
    for question in FLAGS.questions:
        assert question.question not in text_of(html)


def test_a_uk_patient_reads_each_action_in_uk_words_with_the_call_button_only_for_emergencies(client, auth):
    """UK: call 999 or go to A&E (with a 999 button and the abroad line), a GP today (no call button), a physiotherapist."""
    html = signs_page(client, auth, "UK")
    emergency, urgent, contact = (section(html, level) for level in ("emergency", "urgent", "contact_pt"))
    assert "<h2 id=\"signs-emergency\">Call 999 or go to A&amp;E now if you have:</h2>" in emergency
    assert 'href="tel:999"' in emergency and ABROAD in text_of(emergency)
    assert "Get help from a doctor today if you have:" in text_of(urgent)
    assert CONTENT.regions["UK"].same_day in text_of(urgent)
    assert "tel:" not in urgent and "tel:" not in contact
    assert "Contact your physiotherapist in the next few days if you have:" in text_of(contact)
    assert "physical therapist" not in text_of(html)


def test_a_us_patient_reads_911_the_er_and_physical_therapist(client, auth):
    """US: call 911 or go to the ER; the same-day sentence names urgent care; a physical therapist."""
    html = signs_page(client, auth, "US")
    assert "Call 911 or go to the ER now if you have:" in text_of(section(html, "emergency"))
    assert 'href="tel:911"' in html
    assert CONTENT.regions["US"].same_day in text_of(section(html, "urgent"))
    assert "Contact your physical therapist in the next few days if you have:" in text_of(section(html, "contact_pt"))
    assert "physiotherapist" not in html


def test_the_other_region_uses_the_number_the_patient_typed(client, auth):
    """"Somewhere else" with a typed number: that number on the button, never another country's."""
    html = signs_page(client, auth, "OTHER", "10111")
    assert "Call 10111 or go to the emergency department now" in text_of(html)
    assert re.findall(r'href="tel:(\d+)"', html) == ["10111"]


def test_a_visitor_is_given_no_number_but_the_local_emergency_number(client):
    """Signed out (no region known): no call button, "your local emergency number", no region authority listed."""
    response = client.get("/warning-signs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "tel:" not in html
    assert "Call your local emergency number or go to the emergency department now if you have:" in text_of(html)
    for region in CONTENT.regions.values():
        assert region.source not in html


def test_signs_that_are_an_emergency_together_are_said_in_plain_words(client, auth):
    """The combinations that raise a level: cancer with a new nerve sign, a weak immune system with a fever."""
    emergency = text_of(section(signs_page(client, auth), "emergency"))
    for sentence in COMBINATIONS:
        assert sentence in emergency
    assert "A fever with new weakness or spreading numbness is an emergency." in emergency


@pytest.mark.parametrize("region", ["UK", "US"])
def test_the_page_cites_its_public_sources_and_the_regions_authority_never_internal_documents(client, auth, region):
    """At the bottom: the public sources of the signs and the authority for the region's emergency number."""
    html = signs_page(client, auth, region)
    sources = text_of(html[html.index('id="sources-heading"'):])
    for source in FLAGS.public_sources:
        assert source in sources
    assert CONTENT.regions[region].source in sources
    for internal in ("seed", "CLINICAL.md", ".toml"):
        assert internal.lower() not in html.lower()


def test_anyone_may_read_it_even_with_an_emergency_waiting(app, client, auth):
    """Public: visitors and therapists read it; a patient whose emergency takes over the app still reaches it."""
    assert app.test_client().get("/warning-signs").status_code == 200
    make_therapist(email="pt@example.com")
    therapist = app.test_client()
    assert type(auth)(therapist).login("pt@example.com").status_code == 303
    assert therapist.get("/warning-signs").status_code == 200
    make_onboarded_patient(email="pat@example.com")
    assert auth.login("pat@example.com").status_code == 303
    assert check_in(client, rf_bladder_change="yes").status_code == 303
    assert client.get("/today").status_code == 302  # the emergency takes over the patient's pages ...
    response = client.get("/warning-signs")
    assert response.status_code == 200 and "Call 999" in response.get_data(as_text=True)  # ... but not this one


def test_the_phone_keeps_it_for_use_with_no_signal(client, auth):
    """The pages the service worker keeps after an online visit include the warning signs."""
    make_onboarded_patient(email="pat@example.com")
    assert auth.login("pat@example.com").status_code == 303
    assert "/warning-signs" in client.get("/offline/sync").get_json()["pages"]


@pytest.mark.parametrize("path", ["/today", "/checkin", "/learn", "/offline", "/"])
def test_it_is_linked_where_a_patient_needs_it(client, auth, path):
    """Today (in "If you need help fast"), the check-in (by the safety questions), Learn, the offline page, home."""
    if path != "/":
        make_onboarded_patient(email="pat@example.com")
        assert auth.login("pat@example.com").status_code == 303
    html = client.get(path).get_data(as_text=True)
    assert 'href="/warning-signs"' in html
    if path == "/today":
        help_card = re.search(r'<section aria-labelledby="help-heading".*?</section>', html, re.DOTALL)
        assert help_card and 'href="/warning-signs"' in help_card.group(0)
    if path == "/checkin":
        assert html.index('href="/warning-signs"') < html.index('class="red-flags"')
