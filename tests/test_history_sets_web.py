"""History lists the exercise sets a page at a time: the newest ten, then "Older sets" (htmx adds the next page to the
list; without script the link is a page of its own), until every set of the range has been shown once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from selfcare.models import utcnow
from selfcare.services.history_sets import SETS_PAGE
from tests.factories import make_onboarded_patient
from tests.history_rows import add_set

HTMX = {"HX-Request": "true"}
WHEN = re.compile(r'<p class="session-when">([^<]+)</p>')
OLDER = re.compile(r'id="sets-older-link" href="([^"]+)"')


def _patient_with_sets(auth, count: int, email: str = "pat@example.com"):
    """A logged-in patient with `count` sets, two at each moment (a page may end between them), newest first."""
    patient = make_onboarded_patient(email=email, timezone="UTC")
    now = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=1)
    for n in range(count):
        add_set(patient, now - timedelta(hours=3 * (n // 2)), outcome="quit" if n % 2 else "repeat_later")
    assert auth.login(email).status_code == 303
    return patient


def _unescape(url: str) -> str:
    return url.replace("&amp;", "&")


def test_history_shows_the_newest_ten_and_a_link_to_the_older_ones(client, auth):
    _patient_with_sets(auth, 25)
    page = client.get("/history?days=30").get_data(as_text=True)
    assert "25 sets in these days, newest first." in page
    times = WHEN.findall(page)
    assert len(times) == SETS_PAGE
    link = OLDER.search(page)
    assert link and 'hx-target="#sets-list"' in page and 'hx-swap="beforeend"' in page
    assert "days=30" in link.group(1)


def test_without_script_each_older_page_is_a_page_and_every_set_comes_once(client, auth):
    _patient_with_sets(auth, 25)
    page = client.get("/history?days=30").get_data(as_text=True)
    seen = [WHEN.findall(page)]
    url = _unescape(OLDER.search(page).group(1))
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "<h1>Older exercise sets</h1>" in page and 'href="/history?days=30"' in page
        seen.append(WHEN.findall(page))
        found = OLDER.search(page)
        url = _unescape(found.group(1)) if found else ""
    assert [len(times) for times in seen] == [10, 10, 5]
    assert "That is every set in these days." in page
    assert [t for times in seen for t in times] == [t for times in seen for t in times]  # in the order shown
    # 25 sets, two at each moment: 13 different times, each shown once per set, newest first across the pages.
    shown = [t for times in seen for t in times]
    assert len(shown) == 25 and len(set(shown)) == 13 and shown == sorted(shown, key=shown.index)


def test_with_htmx_the_answer_is_the_next_sets_and_the_next_control(client, auth):
    _patient_with_sets(auth, 12)
    page = client.get("/history?days=30").get_data(as_text=True)
    url = _unescape(OLDER.search(page).group(1))
    answer = client.get(url, headers=HTMX).get_data(as_text=True)
    assert "<html" not in answer and "<h1" not in answer
    assert len(WHEN.findall(answer)) == 2
    assert 'id="sets-older" hx-swap-oob="true"' in answer and "That is every set in these days." in answer
    assert not OLDER.search(answer)


def test_the_whole_list_page_starts_with_the_newest(client, auth):
    _patient_with_sets(auth, 3)
    page = client.get("/history/sets?days=7").get_data(as_text=True)
    assert "<h1>Your exercise sets</h1>" in page and len(WHEN.findall(page)) == 3
    assert "That is every set in these days." in page


@pytest.mark.parametrize("before", ["abc", "2026-01-01T00:00:00~x", "2026-01-01T00:00:00+00:00~1", "~", "1~2~3", ""])
def test_a_place_no_link_names_is_not_found(client, auth, before):
    _patient_with_sets(auth, 1)
    assert client.get("/history/sets", query_string={"days": 30, "before": before}).status_code == 404


def test_a_place_shows_only_ones_own_sets(app, client, auth):
    """A place is only a time and an id: with another patient's, a patient still sees only their own sets."""
    other = make_onboarded_patient(email="other@example.com", timezone="UTC")
    theirs = add_set(other, utcnow() - timedelta(days=1))
    _patient_with_sets(auth, 2)
    page = client.get("/history/sets", query_string={"days": 30, "before": f"{utcnow().isoformat()}~{theirs.id + 1}"})
    assert page.status_code == 200
    assert len(WHEN.findall(page.get_data(as_text=True))) == 2
