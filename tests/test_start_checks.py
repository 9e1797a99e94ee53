"""What start-up refuses or fixes: a missing or badly written base URL, a weak secret key, files others could read;
create-user asks for the password instead of taking it on the command line; the console mailer warns."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest

from selfcare import accounts, create_app
from selfcare.config import LOCAL_BASE_URL, ConfigError, base_url, trusted_hosts
from selfcare.db import close_database
from tests.conftest import make_test_app
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
STRONG = "1eff2f655bdaf6cb1038aa7a0c57f7acfd2493d893e3d6088a5cd48be0cf06b7"  # fixed, so parallel workers collect the same test ids


def production_app(tmp_path: Path, **overrides: Any) -> Any:
    """An app as production starts it (neither debug nor testing), on an SQLite file in `tmp_path`."""
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}", "INSTANCE_PATH": str(tmp_path / "instance"),
                "SECRET_KEY": STRONG, "BASE_URL": "https://selfcare.example.org", "MAIL_BACKEND": "memory", **overrides}
    return create_app(settings)


@pytest.fixture(autouse=True)
def _closed() -> Iterator[None]:
    """Each app made here lets go of its database."""
    yield
    close_database()


# ---- The base URL ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("https://selfcare.example.org", "https://selfcare.example.org"),
    (" https://Selfcare.Example.ORG/ ", "https://selfcare.example.org"),
    ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
    ("https://clinic.example:8443/selfcare/", "https://clinic.example:8443/selfcare"),
])
def test_a_base_url_is_kept_in_one_form(raw, expected):
    assert base_url(raw) == expected


@pytest.mark.parametrize("raw", [
    "selfcare.example.org", "ftp://selfcare.example.org", "https://", "https:///path", "https://selfcare.example.org?x=1",
    "https://selfcare.example.org/#top", "https://me:pw@selfcare.example.org", "https://selfcare.example.org:99999",
    "https://selfcare.example.org:0", "https://[::1]:5000", "https://bad_host.example", "https://exämple.org",
    "https://selfcare.example.org/a path", "javascript:alert(1)", "",
])
def test_a_badly_written_base_url_stops_start_up_even_in_tests(tmp_path, raw):
    with pytest.raises(ConfigError, match="SELFCARE_BASE_URL must be the site's address"):
        base_url(raw)
    if raw:
        with pytest.raises(ConfigError, match="SELFCARE_BASE_URL"):
            make_test_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "instance", BASE_URL=raw)


def test_without_a_base_url_production_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="SELFCARE_BASE_URL is not set"):
        production_app(tmp_path, BASE_URL=None)


@pytest.mark.parametrize("mode", [{"TESTING": True}, {"DEBUG": True}])
def test_in_debug_and_tests_the_base_url_defaults_to_make_runs_address(tmp_path, mode):
    app = production_app(tmp_path, BASE_URL=None, **mode)
    assert app.config["BASE_URL"] == LOCAL_BASE_URL == "http://127.0.0.1:5000"


def test_trusted_hosts_are_the_base_urls_host_and_for_a_local_one_both_loopback_names(tmp_path):
    app = production_app(tmp_path, BASE_URL="https://Selfcare.Example.org:8443/x")
    assert app.config["TRUSTED_HOSTS"] == ["selfcare.example.org"]
    assert trusted_hosts("http://127.0.0.1:5000") == trusted_hosts("http://localhost") == ["localhost", "127.0.0.1"]


def test_make_run_serves_on_the_base_url_it_sets():
    def dry_run(*args: str) -> list[str]:
        done = subprocess.run(["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
                              env={k: v for k, v in os.environ.items() if k != "SELFCARE_BASE_URL"})
        return [line for line in done.stdout.splitlines() if "flask --app selfcare" in line]

    lines = dry_run()
    assert lines and all(line.startswith("SELFCARE_BASE_URL=http://127.0.0.1:5000 ") for line in lines)
    assert dry_run("HOST=0.0.0.0", "PORT=8080")[-1].startswith("SELFCARE_BASE_URL=http://0.0.0.0:8080 ")


# ---- The secret key -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", [
    "x", "dev", "changeme", "CHANGEME", "secret", "production-test-secret", "49de9a4e0476c6b63ef21963ae566c",
    "changemechangemechangemechangeme", "a" * 64, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
])
def test_a_weak_secret_key_stops_production_from_starting(tmp_path, key):
    with pytest.raises(ConfigError, match="SELFCARE_SECRET_KEY is too weak") as refused:
        production_app(tmp_path, SECRET_KEY=key)
    assert "secrets.token_hex(32)" in str(refused.value)


@pytest.mark.parametrize("key", [STRONG, "a long passphrase nobody else has ever typed, 2026"])
def test_a_strong_secret_key_starts(tmp_path, key):
    assert production_app(tmp_path, SECRET_KEY=key).config["SECRET_KEY"] == key


def test_the_generated_instance_key_is_fine_in_production(tmp_path):
    app = production_app(tmp_path, SECRET_KEY=None)
    assert len(app.config["SECRET_KEY"]) == 64
    assert (tmp_path / "instance" / "secret_key").read_text() == app.config["SECRET_KEY"]


def test_tests_and_debug_take_any_key(tmp_path):
    assert production_app(tmp_path, SECRET_KEY="dev", TESTING=True).config["SECRET_KEY"] == "dev"


# ---- Files only their owner can read --------------------------------------------------------------------------

def mode(path: Path) -> int:
    """The permission bits of a path."""
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common umask 022, under which files are made readable by everyone unless made otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_instance_folder_the_database_and_the_key_are_the_owners_only(tmp_path, usual_umask):
    instance = tmp_path / "instance"
    production_app(tmp_path, DATABASE_URL=None, SECRET_KEY=None)
    database = instance / "selfcare.db"
    assert mode(instance) == 0o700
    assert mode(database) == 0o600 and mode(instance / "secret_key") == 0o600
    for companion in (instance / "selfcare.db-wal", instance / "selfcare.db-shm"):
        assert not companion.exists() or mode(companion) == 0o600


def test_an_sqlite_file_named_by_url_is_the_owners_only(tmp_path, usual_umask):
    production_app(tmp_path)
    assert mode(tmp_path / "prod.db") == 0o600


def test_files_others_could_read_are_tightened_at_start_with_a_log_line(tmp_path, usual_umask, caplog):
    instance = tmp_path / "instance"
    production_app(tmp_path, DATABASE_URL=None, SECRET_KEY=None)
    close_database()
    instance.chmod(0o755)
    for name in ("selfcare.db", "secret_key"):
        (instance / name).chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="selfcare.config"):
        production_app(tmp_path, DATABASE_URL=None, SECRET_KEY=None)
    assert (mode(instance), mode(instance / "selfcare.db"), mode(instance / "secret_key")) == (0o700, 0o600, 0o600)
    said = [record.getMessage() for record in caplog.records if "could be read by other users" in record.getMessage()]
    assert len(said) == 3 and any(str(instance / "secret_key") in line for line in said)


# ---- create-user asks for the password ------------------------------------------------------------------------

def test_create_user_asks_for_the_password_hidden_and_twice(app, runner):
    result = runner.invoke(args=["create-user", "--email", "pt@example.com", "--role", "therapist"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat for confirmation:" in result.output
    assert PASSWORD not in result.output  # hidden: not echoed
    assert accounts.authenticate("pt@example.com", PASSWORD) is not None


def test_create_user_asks_again_when_the_two_passwords_differ(app, runner):
    result = runner.invoke(args=["create-user", "--email", "p@example.com"],
                           input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert accounts.authenticate("p@example.com", PASSWORD) is not None


# ---- The console mailer ---------------------------------------------------------------------------------------

def test_the_console_mailer_warns_at_start_outside_debug_and_tests(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="selfcare.mail"):
        production_app(tmp_path, MAIL_BACKEND="console")
    assert any("MAIL_BACKEND=console" in r.getMessage() and "SELFCARE_MAIL_BACKEND=smtp" in r.getMessage()
               for r in caplog.records)
    caplog.clear()
    close_database()
    with caplog.at_level(logging.WARNING, logger="selfcare.mail"):
        production_app(tmp_path, MAIL_BACKEND="console", TESTING=True)
    assert not [r for r in caplog.records if "MAIL_BACKEND" in r.getMessage()]


def test_the_readme_says_the_console_mailer_is_for_development_only():
    readme = (ROOT / "README.md").read_text()
    assert "for development only" in readme and "SELFCARE_MAIL_BACKEND=smtp" in readme
