"""The history service (series by day from the daily summary, trend, sessions) and the /history page."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from selfcare.clinical import Change, Response, Trend, Zone
from selfcare.models import utcnow
from selfcare.services.history import build_history, daily_series, fetch
from selfcare.services.history_sets import SETS_PAGE, sets_page
from selfcare.services.periods import parse_days, period_for
from selfcare.timeutil import day_starts, in_zone
from tests.factories import make_onboarded_patient, make_therapist
from tests.history_rows import add_checkin, add_days, add_set, add_walk, count_queries

NOW = datetime(2026, 11, 20, 12, 0)  # stored times are naive UTC; London is on UTC in November


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 30), ("", 30), ("7", 7), ("14", 14), ("90", 90), ("365", 365), ("31", 30), ("0", 30), ("-7", 30),
     ("abc", 30), ("7.0", 30), (" 7", 7), ("1e3", 30), ("9" * 40, 30)],
)
def test_parse_days_only_allows_the_ranges(value, expected):
    assert parse_days(value, default=30) == expected


def test_a_new_patient_has_an_empty_history(app):
    patient = make_onboarded_patient()
    with app.app_context():
        history = build_history(patient, 30, NOW)
    assert history.empty
    assert len(history.series) == 30
    assert history.series[-1].day == date(2026, 11, 20) and history.series[0].day == date(2026, 10, 22)
    assert all(p.zone is None and p.leg_pain is None and p.walk_minutes is None and p.sets_done == 0 for p in history.series)
    assert history.trend.direction == Trend.INSUFFICIENT_DATA
    assert not history.sets.sessions and history.sets_total == 0 and history.sets.older is None


def test_one_day_takes_the_worst_of_the_day(app):
    patient = make_onboarded_patient()
    add_checkin(patient, NOW - timedelta(hours=3), zone="thigh", leg=7, back=2)
    add_checkin(patient, NOW - timedelta(hours=1), zone="buttock", leg=3, back=5)
    add_walk(patient, NOW - timedelta(hours=2), 12, onset=4)
    add_walk(patient, NOW - timedelta(hours=1), 20, onset=9)
    add_set(patient, NOW - timedelta(hours=2), before="calf", after="thigh", response="centralized")
    add_set(patient, NOW - timedelta(minutes=30), before="thigh", after=None, response=None, outcome="quit")
    with app.app_context():
        history = build_history(patient, 7, NOW)
    today = history.series[-1]
    assert not history.empty and len(history.series) == 7
    assert today.zone == Zone.CALF  # the set's before-zone was further down than any check-in
    assert (today.leg_pain, today.back_pain) == (7, 5)  # highest of the day, each on its own
    assert (today.walk_minutes, today.onset_minutes) == (20, 9)  # longest walk and its onset
    assert today.sets_done == 1  # the set without a re-check does not count
    assert all(p.zone is None for p in history.series[:-1])
    assert history.trend.direction == Trend.INSUFFICIENT_DATA
    assert [s.response for s in history.sets.sessions] == [None, Response.CENTRALIZED]  # newest first
    assert history.sets.sessions[0].outcome_words == "Stopped early"
    assert history.sets.sessions[1].when == "Fri 20 Nov 2026, 10:00"


def test_days_follow_the_patients_clock(app):
    patient = make_onboarded_patient(timezone="America/New_York")
    late_evening = datetime(2026, 11, 20, 3, 0)  # 22:00 on 19 November in New York
    add_checkin(patient, late_evening, zone="foot")
    with app.app_context():
        history = build_history(patient, 7, NOW)
    by_day = {p.day: p for p in history.series}
    assert by_day[date(2026, 11, 19)].zone == Zone.FOOT
    assert by_day[date(2026, 11, 20)].zone is None
    assert not history.sets.sessions


def test_a_year_of_data(app):
    patient = make_onboarded_patient()
    add_days(patient, NOW - timedelta(hours=1), 400)  # more than a year: the oldest fall outside
    with app.app_context():
        history = build_history(patient, 365, NOW)
    weeks = [p.day for p in history.series]  # a year goes week by week: each point is a week, named by its Monday
    assert weeks == history.period.weeks() and len(weeks) in (53, 54) and all(d.weekday() == 0 for d in weeks)
    assert weeks[0] <= history.period.first < weeks[0] + timedelta(days=7) and weeks[-1] <= history.period.last
    assert all(p.zone == Zone.CALF and p.leg_pain == 4 for p in history.series)
    # Only the period's days count: the first week holds as many of them as fall on or after its first day.
    assert history.series[0].sets_done == (weeks[0] + timedelta(days=7) - history.period.first).days
    assert sum(p.sets_done for p in history.series) == 365
    assert history.sets_total == 365 and len(history.sets.sessions) == SETS_PAGE and history.sets.older
    assert history.trend.direction == Trend.STABLE


ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham", "America/Santiago"]


@pytest.mark.parametrize("tz_name", ZONES)
def test_the_days_from_the_summary_are_what_the_entries_say(app, tz_name):
    """Clock changes included: entries at each local midnight, the last second of each day, and all through the year."""
    patient = make_onboarded_patient(timezone=tz_name)
    tz = ZoneInfo(tz_name)
    with app.app_context():
        period = period_for(patient, 90, NOW)
        starts = day_starts(tz, period.first, period.days)
        times = [*starts[:-1:3], *(s - timedelta(seconds=1) for s in starts[2::3])]
        times += [period.start + timedelta(minutes=397 * n) for n in range(0, 90 * 24 * 60 // 397, 4)]
        zones = ["back", "buttock", "thigh", "calf", "foot"]
        for n, at in enumerate(sorted(times)):
            if n % 3 == 0:
                add_checkin(patient, at, zone=zones[n % 5], leg=n % 11, back=(n * 7) % 11, walk=None if n % 2 else 5 + n % 40,
                            onset=None if n % 4 else 3)
            elif n % 3 == 1:
                add_walk(patient, at, 1 + (n * 13) % 60, onset=None if n % 5 else 2)
            else:
                after = None if n % 4 == 0 else zones[(n * 7) % 5]
                add_set(patient, at, before=zones[n % 5], after=after, response=None if after is None else "better")
        history = build_history(patient, 90, NOW)
        from_entries = daily_series(patient, period, fetch(patient, period))
    assert list(history.series) == from_entries
    assert history.sets_total == sum(1 for n in range(len(times)) if n % 3 == 2)
    assert [(in_zone(tz, t).date() - period.first).days for t in starts[:-1]] == list(range(period.days))


def test_history_lists_the_newest_sets_and_counts_them_all(app):
    """The first page holds the newest sets; page after page, every set of the period comes once, newest first (sets
    started at the same moment included), and none from before it."""
    patient = make_onboarded_patient(timezone="Europe/London")
    with app.app_context():
        for n in range(60):
            add_set(patient, NOW - timedelta(hours=5 * (n // 2)), response=None if n % 4 else "better",
                    after=None if n % 4 else "thigh")  # two sets at each moment: a page may end between them
        add_set(patient, NOW - timedelta(days=400))  # before the period
        history = build_history(patient, 30, NOW)
        pages = [history.sets]
        while pages[-1].older:
            pages.append(sets_page(patient, history.period, pages[-1].older))
    assert history.sets_total == 60 and [len(page.sessions) for page in pages] == [SETS_PAGE] * 6
    places = [(s.cursor.at, s.cursor.set_id) for page in pages for s in page.sessions]
    assert places == sorted(places, reverse=True) and len(set(places)) == 60
    assert pages[0].sessions[0].started == in_zone(ZoneInfo("Europe/London"), NOW)
    assert sum(p.sets_done for p in history.series) == 15
    assert not history.empty


def _series(patient, zones, leg_pains, walks=None):
    for n, (zone, leg) in enumerate(zip(zones, leg_pains)):
        at = NOW - timedelta(days=len(zones) - 1 - n, hours=2)
        add_checkin(patient, at, zone=zone, leg=leg, walk=None if walks is None else walks[n])


def test_centralizing_trend_in_words(app):
    patient = make_onboarded_patient()
    _series(patient, ["foot", "calf", "calf", "thigh", "buttock", "back"], [8, 7, 6, 5, 4, 3], walks=[5, 6, 8, 10, 14, 18])
    with app.app_context():
        history = build_history(patient, 14, NOW)
    assert history.trend.direction == Trend.CENTRALIZING
    assert history.trend.leg_pain == Change.BETTER and history.trend.walking == Change.BETTER
    assert history.progress.headline == "Getting better"
    assert history.progress.sentences == (
        "Symptoms reach your buttock now; at the start of these 14 days they reached your calf or shin. "
        "Moving up towards your back is usually a good sign.",
        "Leg pain 7.5 → 3.5 out of 10 over the last 14 days (average of the first days and of the last days).",
        "You walk about 16 minutes in one go now; at the start of these 14 days it was about 5.5.",
    )


def test_peripheralizing_trend_in_words(app):
    patient = make_onboarded_patient()
    _series(patient, ["buttock", "buttock", "thigh", "thigh", "calf"], [3, 3, 5, 6, 7])
    with app.app_context():
        history = build_history(patient, 7, NOW)
    assert history.trend.direction == Trend.PERIPHERALIZING
    assert history.progress.headline == "Getting worse"
    words = " ".join(history.trend_sentences)
    assert "Symptoms reach your calf or shin now; at the start of these 7 days they reached your buttock." in words
    assert "Leg pain 3 → 6.5 out of 10 over the last 7 days" in words
    assert words.endswith("Let your physiotherapist know, so they can check your plan.")  # a UK patient's word


def test_two_readings_are_not_a_trend(app):
    patient = make_onboarded_patient()
    _series(patient, ["calf", "back"], [7, 2])
    with app.app_context():
        history = build_history(patient, 7, NOW)
    assert history.trend.direction == Trend.INSUFFICIENT_DATA
    assert history.progress.headline == "Not enough check-ins yet"
    assert history.trend_sentences[0].endswith("You have 2 check-ins on 2 days in the last 7 days.")


# ---- the page ----------------------------------------------------------------------------------


def _login_patient(auth, **overrides):
    patient = make_onboarded_patient(email="pat@example.com", **overrides)
    assert auth.login("pat@example.com").status_code == 303
    return patient


def test_empty_history_page_is_friendly(client, auth):
    _login_patient(auth)
    page = client.get("/history").get_data(as_text=True)
    assert "Nothing here yet" in page
    assert 'role="img"' not in page
    assert 'href="/summary"' in page


def test_history_page_shows_charts_trend_and_sets(client, auth):
    patient = _login_patient(auth)
    now = utcnow()
    for n, zone in enumerate(["calf", "thigh", "thigh", "buttock"]):
        add_checkin(patient, now - timedelta(days=3 - n, minutes=5), zone=zone, leg=6 - n, walk=10 + n, onset=3)
    add_set(patient, now - timedelta(minutes=20))
    response = client.get("/history?days=7")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('role="img"') == 4 and page.count(">Show the numbers</a>") == 4 and "<table" not in page
    assert re.search(r'<a href="/history\?days=7"\s+aria-current="page"><span class="range-n">7</span> days</a>', page)
    assert "<strong>Getting better</strong>" in page  # leg pain fell 2 points; the zone stayed at the thigh
    assert "Leg pain 5.5 → 3.5 out of 10 over the last 7 days" in page
    assert "Symptoms moved up the leg" in page and "Repeat later today" in page
    assert "Leg pain" in page and "Back pain" in page and "Longest walk" in page


def test_one_day_of_data_on_the_page(client, auth):
    patient = _login_patient(auth)
    add_checkin(patient, utcnow() - timedelta(minutes=1), zone="foot", leg=6, walk=7, onset=2)
    page = client.get("/history").get_data(as_text=True)
    assert "Not enough check-ins yet" in page
    assert "Latest: Ankle, foot or toes." in page  # in the zone chart's words
    assert "No sets of exercises in these days yet." in page
    assert page.count(">Show the numbers</a>") == 3  # no numbers under the empty sets chart
    assert 'href="/history/numbers/sets' not in page


def _links(page: str) -> dict[str, str]:
    """Each "Show the numbers" link's chart and URL, as htmx and a plain browser would follow it."""
    found = re.findall(r'<a href="([^"]*/numbers/(\w+)[^"]*)" hx-get="\1" hx-target="closest .chart-data"', page)
    return {chart: url.replace("&amp;", "&") for url, chart in found}


def test_the_numbers_load_on_demand_and_work_as_plain_links(client, auth):
    patient = _login_patient(auth, timezone="Europe/London")
    now = utcnow() - timedelta(minutes=1)
    add_checkin(patient, now - timedelta(days=1), zone="calf", leg=7, back=2, walk=12, onset=None)
    add_checkin(patient, now, zone="thigh", leg=4, back=3, walk=20, onset=6)
    add_set(patient, now, before="thigh", after="back")
    links = _links(client.get("/history?days=14").get_data(as_text=True))
    assert sorted(links) == ["pain", "sets", "walking", "zone"]
    today, yesterday = (in_zone(ZoneInfo("Europe/London"), t) for t in (now, now - timedelta(days=1)))
    label = lambda d: f"{d.day} {d:%b}"  # noqa: E731
    expected = {
        "zone": [("Day", "Furthest point"), (label(yesterday), "Calf or shin"), (label(today), "Thigh")],
        "pain": [("Day", "Leg", "Back"), (label(yesterday), "7", "2"), (label(today), "4", "3")],
        "walking": [("Day", "Walked", "Leg symptoms after"), (label(yesterday), "12 min", "none"), (label(today), "20 min", "6 min")],
        "sets": [("Day", "Sets"), (label(today), "1")],
    }
    for chart, url in links.items():
        fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "<html" not in fragment and f'id="chart-{chart}-table"' in fragment
        rows = [tuple(re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)) for row in fragment.split("</tr>") if "<t" in row]
        assert rows == expected[chart], chart
        whole = client.get(url).get_data(as_text=True)  # without JavaScript: a page of its own, with the way back
        assert "<html" in whole and f'id="chart-{chart}-table"' in whole and 'href="/history?days=14"' in whole


@pytest.mark.parametrize("path", ["", "/", "/nope", "/zone%00", "/Zone", "/zone/more"])
def test_numbers_of_no_chart_are_not_found(client, auth, path):
    _login_patient(auth)
    assert client.get(f"/history/numbers{path}?days=7").status_code == 404


class _Elements(HTMLParser):
    """Counts the elements of a page as a browser builds them (every start tag, void ones included)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag, attrs):
        self.count += 1


def test_a_year_of_history_is_at_most_1500_elements(client, auth):
    patient = _login_patient(auth, timezone="UTC")
    # A minute ago, and half an hour before that, on the same day: just after midnight, 00:31 today instead.
    now = max(utcnow() - timedelta(minutes=1), utcnow().replace(hour=0, minute=31, second=0, microsecond=0))
    add_days(patient, now, 365)
    add_days(patient, now - timedelta(minutes=30), 365)  # two of everything each day: the busiest page, not the emptiest
    page = client.get("/history?days=365").get_data(as_text=True)
    weeks = len(period_for(patient, 365).weeks())
    assert f"730 sets in {weeks} of {weeks} weeks" in page and "730 sets in these days, newest first." in page
    parser = _Elements()
    parser.feed(page)
    assert parser.count <= 1500, parser.count


def test_a_year_of_data_on_the_page(client, auth):
    patient = _login_patient(auth)
    add_days(patient, utcnow() - timedelta(minutes=1), 365)
    response = client.get("/history?days=365")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "365 sets in these days, newest first." in page
    weeks = len(period_for(patient, 365).weeks())
    assert f"365 sets in {weeks} of {weeks} weeks" in page
    assert "The furthest point each week." in page and "Furthest point each day" not in page


@pytest.mark.parametrize("days", ["", "abc", "0", "-1", "31", "100000000000000000000000", "7;drop", "%00"])
def test_bad_days_fall_back_to_30(client, auth, days):
    _login_patient(auth)
    response = client.get(f"/history?days={days}")
    assert response.status_code == 200
    assert re.search(r'aria-current="page"><span class="range-n">30</span> days</a>', response.get_data(as_text=True))


@pytest.mark.parametrize("path", ["/history", "/summary", "/summary.pdf"])
def test_only_the_patient_may_see_it(app, auth, path):
    make_therapist(email="pt@example.com")
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    assert auth.login("pt@example.com").status_code == 303
    assert auth.client.get(path).status_code == 403


def test_each_patient_sees_only_their_own(client, auth):
    other = make_onboarded_patient()
    add_checkin(other, utcnow() - timedelta(minutes=1), zone="foot")
    _login_patient(auth)
    assert "Nothing here yet" in client.get("/history").get_data(as_text=True)


def test_queries_do_not_grow_with_the_days(client, auth):
    patient = _login_patient(auth)
    now = utcnow() - timedelta(minutes=1)
    add_days(patient, now, 3)  # enough for a trend (with fewer, its second query is not needed)
    client.get("/history?days=365")  # warm up: anything done once per process
    with count_queries() as few:
        assert client.get("/history?days=365").status_code == 200
    add_days(patient, now - timedelta(days=3), 197)  # 200 days in all
    with count_queries() as many:
        page = client.get("/history?days=365").get_data(as_text=True)
    assert re.search(r"200 sets in (29|30) of 5[34] weeks", page)  # the data really is there (200 days: 29 or 30 weeks)
    assert few.n == many.n
    assert many.n <= 8, many.n
    with count_queries() as numbers:
        assert client.get("/history/numbers/pain?days=365", headers={"HX-Request": "true"}).status_code == 200
    assert numbers.n <= many.n - 2, (numbers.n, many.n)  # the summary rows alone
