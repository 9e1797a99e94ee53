"""The page a patient lands on after logging in is controlled by the service worker at once, so its pages can be
kept for no signal from the first visit. Its request can leave while the new worker is still starting and miss the
worker's claim (clients.claim takes only the pages open then); the page then asks the worker to take it (app.js).
Logging in is quick enough here to hit that moment in about one try in eight (measured before the fix): eight
tries per run."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page

from tests.browser.conftest import log_in, wait_until
from tests.factories import make_onboarded_patient


@pytest.mark.parametrize("attempt", range(8))
def test_the_page_after_logging_in_is_controlled_by_the_worker(page: Page, base: str, live_app: Flask,
                                                               attempt: int) -> None:
    make_onboarded_patient(email="first@example.com", region="UK")
    log_in(page, base, "first@example.com")
    assert page.url.endswith("/today")
    wait_until(page, "navigator.serviceWorker.controller !== null", timeout=8.0)
