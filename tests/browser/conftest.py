"""Browser tests: Playwright driving Debian's Chromium on a phone profile, against a live server."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from selfcare.db import close_database
from tests.conftest import make_test_app
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything in tests/browser is a browser test."""
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium (Playwright's own download is not available here)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], playwright: Any) -> dict[str, Any]:
    """A phone: Pixel 7 touch, user agent and pixel density, on the narrowest common width (360 px)."""
    return {**browser_context_args, **playwright.devices["Pixel 7"], "viewport": {"width": 360, "height": 780}}


class LiveServer:
    """The app served on a loopback port in a thread; it can be stopped (no signal) and started again."""

    def __init__(self, app: Any) -> None:
        self.app, self.port = app, 0
        self.server: Any = None
        self.thread: threading.Thread | None = None
        self.busy = 0  # requests inside the app now (each in its own thread)
        self.idle = threading.Condition()

    def counted(self, environ: Any, start_response: Any) -> Any:
        """The app, counting the requests inside it (the whole answer is made before the count drops)."""
        with self.idle:
            self.busy += 1
        try:
            return list(self.app(environ, start_response))
        finally:
            with self.idle:
                self.busy -= 1
                self.idle.notify_all()

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.counted, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            if self.thread is not None:
                self.thread.join(5)
            self.server = None
        # A request the browser sent last (the service worker's, say) may still be running in its thread: wait for it,
        # or closing the database's connections under it crashes the process (sqlite3 closed from another thread).
        with self.idle:
            self.idle.wait_for(lambda: self.busy == 0, timeout=10)


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[Any]:
    """The app on a fresh SQLite database, served on a free loopback port in a thread."""
    app = make_test_app(f"sqlite:///{tmp_path / 'browser.db'}", tmp_path / "instance")
    live = LiveServer(app)
    live.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{live.port}"
    app.config["BASE_URL"] = app.config["LIVE_URL"]  # emailed and shared links lead to the live server (known once it listens)
    app.config["LIVE_SERVER"] = live
    yield app
    live.stop()
    close_database()


@pytest.fixture
def base(live_app: Any) -> str:
    """The live server's root URL."""
    return str(live_app.config["LIVE_URL"])


# Every page records what its Content-Security-Policy blocked (an inline script or style, eval, another host).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile || location.href}:${e.lineNumber}`));
"""


@pytest.fixture(autouse=True)
def watch_csp(context: Any) -> None:
    """Record Content-Security-Policy violations in every page of the test's browser context."""
    context.add_init_script(WATCH_CSP)


def csp_violations(page: Any) -> list[str]:
    """What the page's Content-Security-Policy has blocked since it loaded."""
    return list(page.evaluate("window.__cspViolations || []"))


def wait_until(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression until it is true. Playwright's wait_for_function compiles its predicate
    with eval, which the app's Content-Security-Policy rightly refuses; page.evaluate is not affected."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(100)


_axe = Axe()


def assert_accessible(page: Any) -> None:
    """axe-core finds no violations on the page as it is now, nothing spills off a 360 px screen, and the
    Content-Security-Policy blocked nothing the page tried to load or run."""
    assert csp_violations(page) == [], page.url
    results = _axe.run(page)
    assert results.violations_count == 0, results.generate_report()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def log_in(page: Any, base: str, email: str) -> None:
    """Log in through the form, as a person would."""
    from playwright.sync_api import expect

    page.goto(base + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".who")).to_contain_text("Logged in as")
