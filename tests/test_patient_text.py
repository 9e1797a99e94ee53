"""What patients read (CLINICAL.md §4c): public sources only, never internal documents; the standard dermatome map;
no heat on numb skin; "up to 9 in 10" said to be about sciatica in general; and their region's words for the
people who care for them (physiotherapist, GP, A&E in the UK; physical therapist, doctor, the ER in the US)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask

from selfcare import accounts
from selfcare.clinical import default_content_dir, fill, load_content
from selfcare.models import Alert, SelfCheck
from tests.factories import make_onboarded_patient, make_therapist
from tests.patient_helpers import check_in

pytestmark = pytest.mark.one_database  # no database behaviour here: SQLite only (tests/conftest.py)

CONTENT = load_content(default_content_dir())
INTERNAL = ("seed", "clinical.md", ".toml")  # internal documents and file names, in any case
HEAT_RULE = "Do not use heat on skin that feels numb."


def text_of(html: str) -> str:
    """The page's text without tags or repeated spaces, as a reader would see it."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def patient_with_a_record(client, auth, region: str) -> dict[str, str]:
    """A signed-in patient in `region` with a contact_pt alert, a self-check and an invite: their pages' URL values."""
    therapist = make_therapist(email=f"pt-{region}@example.com")
    make_onboarded_patient(email=f"pat-{region}@example.com", region=region)
    assert auth.login(f"pat-{region}@example.com").status_code == 303
    assert check_in(client, rf_numbness_spreading="yes").status_code == 303
    html = client.get("/self-check").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(r'name="csrf_token" value="([^"]+)"', html)
    uuid = re.search(r'name="uuid" type="hidden" value="([^"]+)"', html)
    form = {"csrf_token": token.group(1), "uuid": uuid.group(1), "heel_walk": "normal", "toe_walk": "normal",
            "big_toe_lift": "normal", "numb_areas": ["inner_shin"]}
    assert client.post("/self-check", data=form).status_code == 303
    return {
        "alert_id": str(Alert.select().order_by(Alert.id.desc()).get().id),
        "check_id": str(SelfCheck.select().get().id),
        "code": accounts.create_invite(therapist).code,
        "chart": "pain",  # the numbers behind one of History's charts
    }


def patient_pages(app: Flask, args: dict[str, str]) -> list[str]:
    """Every page a patient opens (GET, HTML): the patient blueprint, Settings, the warning signs, each Learn page."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or not (rule.endpoint.startswith("patient.") or rule.endpoint in (
                "settings.index", "home.warning_signs", "pwa.offline")):
            continue
        if rule.endpoint.startswith("patient.export") or rule.endpoint.endswith("_pdf"):
            continue  # downloads of the patient's own data, not pages
        if "slug" in rule.arguments:
            urls += [rule.rule.replace("<slug>", page.slug) for page in CONTENT.pages]
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", args[name], url)
        urls.append(url)
    return sorted(set(urls))


def test_no_patient_page_names_an_internal_document(app, client, auth):
    """Every patient page and Learn page, for a signed-in patient with a record, cites no seed, CLINICAL.md or file."""
    args = patient_with_a_record(client, auth, "UK")
    pages = patient_pages(app, args)
    assert len(pages) > 20 and "/learn/what_to_expect" in pages and "/warning-signs" in pages
    for url in pages:
        response = client.get(url, follow_redirects=True)
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True).lower()
        assert response.status_code < 500, url
        assert [word for word in INTERNAL if word in html] == [], url


@pytest.mark.parametrize("page", CONTENT.pages, ids=lambda page: page.slug)
def test_learn_pages_cite_public_sources(page):
    """Each Learn page's sources are public ones a person can look up (NICE, NHS, NINDS, ...), no internal notes."""
    assert page.sources
    for source in page.sources:
        assert not any(word in source.lower() for word in INTERNAL), source
        assert re.search(r"NICE|NHS|NINDS|AAFP|ACR|JOSPT|ISNCSCI|Spine|Manual Therapy", source), source


def test_the_nerve_map_follows_isncsci_on_the_learn_page_and_the_self_check(client, auth):
    """L4: inner shin; L5: outer lower leg, top of the foot and the big toe; S1: outer foot and sole (not "L4: big toe")."""
    make_onboarded_patient(email="pat@example.com")
    assert auth.login("pat@example.com").status_code == 303
    html = client.get("/learn/nerve_roots").get_data(as_text=True)
    rows = {root: text_of(row) for root, row in re.findall(r"<tr>\s*<td><strong>(L4|L5|S1)</strong></td>(.*?)</tr>", html, re.DOTALL)}
    assert set(rows) == {"L4", "L5", "S1"}
    assert "Inner side of the lower leg" in rows["L4"] and "big toe" not in rows["L4"].split("|")[0]
    assert "Walking on your heels" in rows["L4"]
    assert "top of the foot and the big toe" in rows["L5"]
    assert "Outer edge of the foot, the sole" in rows["S1"]
    check = text_of(client.get("/self-check").get_data(as_text=True))
    assert "Inner side of the lower leg, down to the ankle" in check and "Big toe" in check
    assert "Inner side of the foot and the big toe" not in check


def test_heat_advice_always_says_not_on_numb_skin(client, auth):
    """Wherever heat is advised (the everyday tips, the treatments page), the same place says not on numb skin."""
    texts = [(item.title, item.text) for item in CONTENT.advice] + [(page.title, page.body) for page in CONTENT.pages]
    heat = [(title, body) for title, body in texts if re.search(r"\bheat\b|warm (\(not hot\) )?pack", body, re.IGNORECASE)]
    assert len(heat) >= 2
    for title, body in heat:
        assert HEAT_RULE in " ".join(body.split()), title
    make_onboarded_patient(email="pat@example.com")
    assert auth.login("pat@example.com").status_code == 303
    learn = client.get("/learn").get_data(as_text=True)
    tip = re.search(r"<h3>Warm up, then walk</h3>\s*<p>(.*?)</p>", learn, re.DOTALL)
    assert tip and HEAT_RULE in " ".join(tip.group(1).split())
    assert HEAT_RULE in text_of(client.get("/learn/treatments").get_data(as_text=True))


def test_recovery_figures_are_about_sciatica_in_general(client, auth):
    """"Up to 9 in 10 get better" is said to be about sciatica in general, not this plan, wherever it is shown."""
    texts = [page.body for page in CONTENT.pages] + [item.text for item in CONTENT.advice]
    texts += [CONTENT.plan.intro, CONTENT.plan.expect]
    figures = [" ".join(t.split()) for t in texts if re.search(r"9 in 10|nine in ten|90 ?%", t, re.IGNORECASE)]
    assert figures
    for text in figures:
        assert "This is about sciatica in general, not about one exercise plan." in text
    make_onboarded_patient(email="pat@example.com")
    assert auth.login("pat@example.com").status_code == 303
    page = text_of(client.get("/learn/what_to_expect").get_data(as_text=True))
    assert ("Most people with sciatica, up to 9 in 10, get better within weeks to months, without an operation. "
            "This is about sciatica in general, not about one exercise plan.") in page
    for url in ("/today", "/exercises", "/"):
        assert "9 in 10" not in client.get(url).get_data(as_text=True)


REGION_PAGES = ["/today", "/checkin", "/exercises", "/learn", *[f"/learn/{p.slug}" for p in CONTENT.pages],
                "/alerts/{alert_id}", "/warning-signs", "/self-check", "/self-check/{check_id}", "/my-data", "/history",
                "/summary", "/link/{code}", "/settings"]


@pytest.mark.parametrize(("region", "says", "never"), [
    ("UK", "physiotherapist", "physical therapist"),
    ("US", "physical therapist", "physiotherapist"),
])
def test_patient_pages_use_the_patients_region_words(client, auth, region, says, never):
    """UK: Today, check-in, player, Learn, alert and the rest say physiotherapist, never physical therapist; US the reverse."""
    args = patient_with_a_record(client, auth, region)
    for url in REGION_PAGES:
        response = client.get(url.format(**args))
        assert response.status_code == 200, url
        text = text_of(response.get_data(as_text=True))
        assert says in text, url
        assert never not in text.lower(), url
    uk = region == "UK"
    footer = text_of(client.get("/today").get_data(as_text=True))
    assert f"It does not replace your {'GP' if uk else 'doctor'} or {says}." in footer
    history = text_of(client.get("/history").get_data(as_text=True))
    assert f"Seeing your {says} or {'GP' if uk else 'doctor'}?" in history


def test_content_texts_are_filled_with_the_region_words_when_shown():
    """The stop action, re-evaluation prompts and Learn pages name {therapist}; every region fills it."""
    texts = [CONTENT.plan.stop_action, *[rule.patient_text for rule in CONTENT.reevaluation]]
    texts += [page.body for page in CONTENT.pages if "{therapist}" in page.body]
    assert all("{therapist}" in text and "physical therapist" not in text for text in texts)
    for region in CONTENT.regions.values():
        for text in texts:
            filled = fill(text, region)
            assert "{" not in filled and region.therapist in filled
