"""Learn: education pages from content/, safe Markdown, activity advice, and who may read them."""

from __future__ import annotations

import re
from html import unescape

import pytest

from selfcare.clinical import Page, default_content_dir, fill, load_content
from selfcare.markdown import render, render_page
from tests.factories import make_onboarded_patient, make_therapist

pytestmark = pytest.mark.one_database  # no database behaviour here: SQLite only (tests/conftest.py)

CONTENT = load_content(default_content_dir())
SLUGS = [page.slug for page in CONTENT.pages]


def login_patient(auth, email: str = "pat@example.com"):
    """An onboarded patient, logged in through the real form."""
    patient = make_onboarded_patient(email=email)
    assert auth.login(email).status_code == 303
    return patient


def text_of(html: str) -> str:
    """The page's text without tags or repeated spaces, as a reader would see it."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# --- Markdown rendering (no app needed) ---

@pytest.mark.parametrize(
    "source",
    [
        "<script>alert('x')</script>",
        "Hello <script>alert('x')</script> there",
        "<img src=x onerror=alert(1)>",
        "<div onclick=\"alert(1)\">click</div>",
    ],
)
def test_raw_html_in_markdown_is_escaped_not_run(source):
    html = str(render(source))
    assert "<script" not in html and "<img" not in html and "<div onclick" not in html
    assert "&lt;" in html


def test_javascript_links_are_not_made_into_links():
    html = str(render("[click me](javascript:alert(1))"))
    assert "href" not in html


def test_markdown_tables_render_inside_a_focusable_scroll_region():
    html = str(render("| a | b |\n|---|---|\n| 1 | 2 |\n"))
    assert '<div class="table-scroll" role="region" aria-label="Table" tabindex="0">' in html
    assert "<th>a</th>" in html and "<td>2</td>" in html


def test_page_rendering_drops_the_top_heading():
    page = Page(slug="t", title="T", summary="s", order=1, sources=("x",), body="# T\n\nSome **bold** text.\n")
    assert render_page(page) == "<p>Some <strong>bold</strong> text.</p>\n"


# --- Web pages ---

def test_learn_lists_every_page_in_order_with_advice_and_the_self_check(client, auth):
    login_patient(auth)
    response = client.get("/learn")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    positions = [html.index(f'href="/learn/{page.slug}"') for page in CONTENT.pages]
    assert positions == sorted(positions)
    uk = CONTENT.regions["UK"]  # the patient lives in the UK: their words fill the texts
    for page in CONTENT.pages:
        assert fill(page.title, uk) in html and fill(page.summary, uk) in html
    for item in CONTENT.advice:
        assert fill(item.title, uk) in html
    assert 'href="/self-check"' in html
    assert 'href="/my-data"' in html


@pytest.mark.parametrize("slug", SLUGS)
def test_every_content_page_renders_with_one_heading_and_its_sources(client, auth, slug):
    login_patient(auth)
    page = CONTENT.page(slug)
    response = client.get(f"/learn/{slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert f"<h1>{fill(page.title, CONTENT.regions['UK'])}</h1>" in unescape(html)
    for source in page.sources:
        assert text_of(source) in text_of(html)
    assert "+++" not in html and "\n# " not in html  # header and Markdown markers are gone
    assert "<h2>" in html  # the page's own sections became headings
    assert 'href="/learn"' in html


def test_a_markdown_table_becomes_an_html_table(client, auth):
    login_patient(auth)
    html = client.get("/learn/nerve_roots").get_data(as_text=True)
    assert "<table>" in html and "<th>Nerve</th>" in html and "<strong>L5</strong>" in html


@pytest.mark.parametrize("slug", ["no-such-page", "..", "what_is_sciatica.md", "WHAT_IS_SCIATICA"])
def test_unknown_page_is_a_friendly_404(client, auth, slug):
    login_patient(auth)
    response = client.get(f"/learn/{slug}")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/learn", f"/learn/{SLUGS[0]}"])
def test_only_patients_may_read_learn(app, auth, path):
    make_onboarded_patient(email="pat@example.com")
    make_therapist(email="pt@example.com")
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    therapist = app.test_client()
    assert type(auth)(therapist).login("pt@example.com").status_code == 303
    assert therapist.get(path).status_code == 403
