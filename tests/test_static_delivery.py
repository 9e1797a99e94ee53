"""Delivery to a slow phone (issue 9): compressed text, long caches for versioned files only, and the
first load of a patient's pages within the byte budgets."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bench.timing import decoded
from selfcare.db import close_database
from tests.conftest import Auth, make_test_app
from tests.factories import make_onboarded_patient

KB = 1024
OWN_JS_BUDGET = 15 * KB  # our own scripts on one page, gzip -9
# The offline player carries every screen for no signal: the clinical core's port (triage with the combinations and
# the history, the plan holds and clearances), the outbox and the alert screens. The service worker keeps it, so a
# phone loads it once per release, not per visit. Its own, larger budget, so growth there is still a decision.
OFFLINE_PLAYER_JS_BUDGET = 18 * KB
FIRST_LOAD_BUDGET = 60 * KB  # the page, its stylesheet and every script it names, each gzip -9
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """Headers and sizes do not depend on the database: SQLite only."""
    yield make_test_app(f"sqlite:///{tmp_path / 'selfcare.db'}", tmp_path / "instance")
    close_database()


@pytest.fixture
def phone(app: Flask, client: FlaskClient) -> FlaskClient:
    """A signed-in patient's phone."""
    make_onboarded_patient(email="p@example.com", region="UK")
    assert Auth(client).login("p@example.com").status_code == 303
    return client


def subresources(html: str) -> list[str]:
    """The same-origin stylesheets and scripts a page names (the manifest and icons are not counted)."""
    return re.findall(r'<link rel="stylesheet" href="(/[^"]+)"', html) + re.findall(r'<script src="(/[^"]+)"', html)


def masked(body: bytes) -> bytes:
    """A body with its CSRF tokens blanked (the forms' and htmx's header): they carry a time to the second, so two
    fetches can differ."""
    body = re.sub(rb'(name="csrf_token"[^>]*value=")[^"]*', rb"\1", body)
    return re.sub(rb'("X-CSRFToken": ")[^"]*', rb"\1", body)


def plain(client: FlaskClient, url: str) -> bytes:
    """A response body as the server has it, uncompressed."""
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers, url
    return response.get_data()


def gzip9(data: bytes) -> int:
    """Size after gzip -9."""
    return len(gzip.compress(data, 9))


def versioned(phone: FlaskClient, name: str) -> str:
    """The versioned URL of one of our static files, as the Today page names it."""
    html = phone.get("/today").get_data(as_text=True)
    return re.search(rf'"(/static/{re.escape(name)}\?v=[0-9a-f]+)"', html).group(1)


def test_versioned_files_are_kept_a_year_and_others_briefly(phone: FlaskClient) -> None:
    for url in (versioned(phone, "css/app.css"), versioned(phone, "js/app.js"), "/assets/htmx-2.0.3.1.min.js"):
        assert phone.get(url).headers["Cache-Control"] == IMMUTABLE, url
    for url in ("/static/css/app.css", "/static/css/app.css?v=0ld", "/manifest.webmanifest"):
        cache = phone.get(url).headers["Cache-Control"]
        assert "immutable" not in cache and re.search(r"max-age=(\d+)", cache), url
        assert int(re.search(r"max-age=(\d+)", cache).group(1)) <= 3600, url
    assert phone.get("/sw.js").headers["Cache-Control"] == "no-cache"


def test_pages_stay_private(phone: FlaskClient) -> None:
    assert phone.get("/today").headers["Cache-Control"] == "private, no-cache"
    assert phone.get("/offline/sync").headers["Cache-Control"] == "no-store"  # a view's own choice stays


@pytest.mark.parametrize("name", ["css/app.css", "js/app.js", "page"])
@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_text_is_compressed_only_for_a_browser_that_accepts_it(phone: FlaskClient, name: str, encoding: str) -> None:
    url = "/today" if name == "page" else versioned(phone, name)
    body = plain(phone, url)
    response = phone.get(url, headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.data) < len(body) / 2
    assert masked(decoded(response.data, encoding)) == masked(body)
    assert "Accept-Encoding" in phone.get(url).headers["Vary"]  # the plain answer says it depends on it too


@pytest.mark.parametrize(("accept", "sent"), [
    ("gzip, deflate, br, zstd", "zstd"),  # Chrome, Edge, Firefox: the quickest to make
    ("gzip, deflate, br", "br"),  # Safari
    ("gzip, deflate", "gzip"),
    ("br;q=1, zstd;q=0.5", "br"),  # a browser's own preference wins
])
def test_each_browser_gets_the_best_encoding_it_asks_for(phone: FlaskClient, accept: str, sent: str) -> None:
    response = phone.get("/today", headers={"Accept-Encoding": accept})
    assert response.headers["Content-Encoding"] == sent
    assert masked(decoded(response.data, sent)) == masked(plain(phone, "/today"))


def test_images_and_tiny_answers_are_sent_as_they_are(phone: FlaskClient) -> None:
    for url in ("/static/icons/icon-512.png", "/offline/sync"):
        response = phone.get(url, headers={"Accept-Encoding": "gzip, br"})
        assert response.status_code == 200 and "Content-Encoding" not in response.headers, url


def test_a_compressed_static_file_still_answers_304(phone: FlaskClient) -> None:
    for url in (versioned(phone, "css/app.css"), "/sw.js", "/manifest.webmanifest"):
        first = phone.get(url, headers={"Accept-Encoding": "gzip"})
        etag = first.headers["ETag"]
        again = phone.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", url
        unzipped = phone.get(url, headers={"If-None-Match": phone.get(url).headers["ETag"]})
        assert unzipped.status_code == 304, url


def test_the_worker_and_the_manifest_are_compressed(phone: FlaskClient) -> None:
    for url in ("/sw.js", "/manifest.webmanifest"):
        response = phone.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip", url
        assert gzip.decompress(response.data) == plain(phone, url)


@pytest.mark.parametrize("page", ["/today", "/checkin", "/exercises", "/exercises/offline"])
def test_a_first_load_fits_the_budget(phone: FlaskClient, page: str) -> None:
    html = plain(phone, page)
    urls = subresources(html.decode())
    assert all(url.startswith(("/static/", "/assets/")) for url in urls)
    own_js = sum(gzip9(plain(phone, url)) for url in urls if url.startswith("/static/js/"))
    budget = OFFLINE_PLAYER_JS_BUDGET if page == "/exercises/offline" else OWN_JS_BUDGET
    assert own_js <= budget, f"{page}: our scripts are {own_js} bytes gzipped"
    first_load = gzip9(html) + sum(gzip9(plain(phone, url)) for url in urls)
    assert first_load <= FIRST_LOAD_BUDGET, f"{page}: first load is {first_load} bytes gzipped"


def test_only_the_pages_that_need_them_load_the_player_and_the_protocol(phone: FlaskClient) -> None:
    scripts = {page: {url.split("?")[0] for url in subresources(plain(phone, page).decode())}
               for page in ("/today", "/checkin", "/exercises", "/exercises/offline")}
    assert {"/static/js/app.js", "/static/js/offline.js"} <= scripts["/today"]
    assert not {"/static/js/player.js", "/static/js/protocol.js"} & scripts["/today"]
    assert {"/static/js/protocol.js", "/static/js/checkin.js"} <= scripts["/checkin"]
    assert "/static/js/player.js" in scripts["/exercises"]
    assert {"/static/js/protocol.js", "/static/js/player.js", "/static/js/offline_player.js"} <= scripts["/exercises/offline"]


def test_no_script_blocks_rendering(phone: FlaskClient) -> None:
    html = plain(phone, "/exercises/offline").decode()
    for tag in re.findall(r"<script src=[^>]*>", html):
        assert " defer" in tag, tag
    assert len(re.findall(r'<link rel="stylesheet"', html)) == 1  # one small stylesheet, no web fonts
