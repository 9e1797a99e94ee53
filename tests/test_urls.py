"""One url_for for many ids (selfcare/urls.py): the same URLs as url_for writes, one by one."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, url_for

from selfcare.urls import MARK, id_url, split_at


@pytest.mark.parametrize(
    ("built", "value", "expected"),
    [
        (f"/therapist/patients/{MARK}", 7, "/therapist/patients/7"),
        (f"/therapist/patients/{MARK}#top", 12, "/therapist/patients/12#top"),
        (f"/therapist/patients/3?days={MARK}", 30, "/therapist/patients/3?days=30"),
        (f"/app/therapist/alerts/{MARK}/acknowledge", 0, "/app/therapist/alerts/0/acknowledge"),
        (f"/therapist/patients/{MARK}", "41", "/therapist/patients/41"),
    ],
)
def test_split_at_puts_the_id_where_the_mark_was(built: str, value: Any, expected: str) -> None:
    """The id goes in place of the mark, the rest of the URL as built."""
    assert split_at(built)(value) == expected


@pytest.mark.parametrize("built", ["/therapist/patients", f"/a/{MARK}/b/{MARK}"])
def test_split_at_needs_the_mark_once(built: str) -> None:
    """A URL without the mark, or with it twice, is refused."""
    with pytest.raises(ValueError):
        split_at(built)


@pytest.mark.parametrize(
    ("endpoint", "name", "values"),
    [
        ("therapist.patient_page", "patient_id", {}),
        ("therapist.patient_page", "patient_id", {"_anchor": "alert-5"}),
        ("therapist.patient_page", "patient_id", {"days": 90}),
        ("therapist.acknowledge_alert", "alert_id", {}),
        ("therapist.edit_plan", "patient_id", {}),
    ],
)
@pytest.mark.parametrize("script_root", ["", "/clinic"])
def test_id_url_matches_url_for(app: Flask, endpoint: str, name: str, values: dict[str, Any], script_root: str) -> None:
    """For every id, what url_for would have written (also under a script root)."""
    with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
        make = id_url(endpoint, name, **values)
        for value in (1, 9, 10, 123456):
            assert make(value) == url_for(endpoint, **{name: value}, **values)


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [
        ("patient.today", {}),
        ("auth.login", {}),
        ("pwa.manifest", {}),
        ("patient.show_alert", {"alert_id": 5}),
        ("patient.today", {"_anchor": "top"}),
        ("patient.today", {"_external": True}),
        ("therapist.patient_page", {"patient_id": 3, "days": 90}),
    ],
)
def test_template_url_for_matches_url_for(app: Flask, endpoint: str, values: dict[str, Any]) -> None:
    """Templates' url_for writes what url_for writes, first and kept, under each script root in turn."""
    from selfcare.urls import template_url_for

    for script_root in ("", "/clinic", ""):
        with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
            for _ in range(2):
                assert template_url_for(endpoint, **values) == url_for(endpoint, **values)


@pytest.mark.parametrize("filename", ["css/app.css", "js/app.js", "icons/icon.svg"])
def test_static_url_matches_url_for(app: Flask, filename: str) -> None:
    """A static file's versioned URL, kept, is url_for's under each script root in turn."""
    from selfcare.assets import _fingerprint, static_url

    for script_root in ("", "/clinic", ""):
        with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
            expected = url_for("static", filename=filename, v=_fingerprint(app.static_folder or "", filename))
            assert static_url(filename) == static_url(filename) == expected
