"""Shared fixtures: the app on SQLite and on a real PostgreSQL server, clients, and logins."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from peewee import AutoField, sort_models

from selfcare import accounts, create_app
from selfcare.db import close_database, db, is_postgresql
from selfcare.models import MODELS, SchemaVersion
from tests.factories import PASSWORD
from tests.pg import postgres_server

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One throwaway PostgreSQL server for the whole run, started on first use."""
    with postgres_server() as url:
        yield url


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked `one_database` checks no database behaviour (page text, headers, limits, who may see a
    route): it runs on SQLite only. Everything that stores, reads or counts rows runs on both."""
    if "database_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker("one_database"):
        metafunc.definition.add_marker(pytest.mark.parametrize("database_url", ["sqlite"], indirect=True))


# scrypt at werkzeug's cost (N=2**15) takes 0.1 s a hash, and most tests make an account and log in: hashing was most
# of the suite's time. Tests hash with the same scrypt at N=2**10 (the same code path, a smaller work factor); a test
# marked `full_password_cost` keeps the app's own (tests/test_accounts.py checks what a real account gets).
CHEAP_PASSWORD_METHOD = "scrypt:1024:8:1"


@pytest.fixture(autouse=True)
def cheap_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test but those marked full_password_cost hashes passwords with the cheaper scrypt."""
    if request.node.get_closest_marker("full_password_cost") is None:
        monkeypatch.setattr(accounts, "PASSWORD_METHOD", CHEAP_PASSWORD_METHOD)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each data-layer and web test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'selfcare.db'}"
    return str(request.getfixturevalue("postgres_url"))


def make_test_app(database_url: str, instance_path: Path, **overrides: Any) -> Flask:
    """An app for tests, on an empty database; its base URL is the test client's own address (http://localhost)."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance_path),
         "MAIL_BACKEND": "memory", "BASE_URL": "http://localhost", **overrides}
    )
    if is_postgresql():  # the server lives for the whole run (one per xdist worker): empty it for each test
        db.execute_sql(EMPTY_POSTGRESQL)
    return app


def _empty_postgresql() -> str:
    """One round trip that empties every table but the schema version and restarts its ids at 1.

    DELETE, children first, is ~30x faster than TRUNCATE on the few rows a test writes (TRUNCATE makes new files)."""
    models = [m for m in reversed(sort_models(MODELS)) if m is not SchemaVersion]
    deletes = [f'DELETE FROM "{m._meta.table_name}";' for m in models]
    restarts = [f"setval(pg_get_serial_sequence('\"{m._meta.table_name}\"', '{m._meta.primary_key.column_name}'), 1, false)"
                for m in models if isinstance(m._meta.primary_key, AutoField)]
    return " ".join(deletes) + " SELECT " + ", ".join(restarts) + ";"


EMPTY_POSTGRESQL = _empty_postgresql()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on an empty database; connections are closed afterwards.

    No app context is held open: requests must not share `g` (logins and CSRF tokens live there).
    """
    yield make_test_app(database_url, tmp_path / "instance")
    close_database()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client with its own cookie jar."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """Runs the flask CLI commands against the test app."""
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered form, as a browser would submit it."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


class Auth:
    """Logs a test client in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **extra: Any) -> Any:
        """Submit the login form like a person would."""
        token = csrf_from(self.client.get("/login").get_data(as_text=True))
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token, **extra})

    def logout(self) -> Any:
        """Press the log-out button."""
        token = csrf_from(self.client.get("/", follow_redirects=True).get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})


def client_for(app: Flask, email: str) -> FlaskClient:
    """A new client logged in as `email` (a second browser or person)."""
    client = app.test_client()
    assert Auth(client).login(email).status_code == 303
    return client


def post_from(client: FlaskClient, path: str, page: str, data: dict[str, Any] | None = None) -> Any:
    """POST `data` to `path` with the CSRF token of the form on `page`, as that page would send it."""
    return client.post(path, data={"csrf_token": csrf_from(client.get(page).get_data(as_text=True)), **(data or {})})


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    """Login helper bound to `client`."""
    return Auth(client)


@pytest.fixture
def new_patient(app: Flask, auth: Auth) -> Any:
    """A patient in the UK, logged in, who has not answered the first questions yet."""
    from tests.factories import make_patient

    user = make_patient(email="new@example.com", region="UK")
    auth.login("new@example.com")
    return user
