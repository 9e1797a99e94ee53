"""flask backup / restore: an online SQLite copy taken while others write, a checked restore, pg_dump advice."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from selfcare.backup import summarize
from selfcare.db import close_database
from selfcare.models import CheckIn, Walk
from selfcare.services import walks
from selfcare.services.checkins import CheckInData, record_checkin
from tests.api_helpers import call, token_for
from tests.conftest import make_test_app
from tests.factories import make_onboarded_patient

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def _checkin(app, patient, zone: str = "calf") -> CheckIn:
    """A check-in stored through the service (in an app context: the day's summary row reads the plan)."""
    from selfcare.clinical import FLAG_LEVELS, Reading, Zone

    data = CheckInData(uuid.uuid4(), datetime.now(UTC), {flag: False for flag in FLAG_LEVELS}, Reading(Zone(zone), 5, 2, "left"))
    with app.app_context():
        return record_checkin(patient, data).checkin


def _api_checkin_ids(client, patient, token) -> set[str]:
    """The check-in ids the app shows the patient through the API."""
    response = call(client, "GET", f"/patients/{patient.id}/checkins?limit=100", token)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()["items"]}


class WalkWriter(threading.Thread):
    """Logs walks through the service on its own connection until stopped."""

    def __init__(self, app, patient) -> None:
        super().__init__()
        self.app, self.patient = app, patient
        self.stop = threading.Event()
        self.written = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        from selfcare.db import db

        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    walks.record_walk(self.patient, walks.WalkData(uuid.uuid4(), datetime.now(UTC), 10, 4))
                    self.written += 1
        except BaseException as error:  # shown by the test
            self.error = error
        finally:
            db.close()


@SQLITE
def test_backup_while_writing_then_restore_brings_the_data_back(app, client, runner, tmp_path):
    patient = make_onboarded_patient()
    token = token_for(patient)
    kept = {str(_checkin(app, patient).uuid) for _ in range(3)}
    writer = WalkWriter(app, patient)
    writer.start()
    try:
        while writer.written < 20 and writer.is_alive():
            threading.Event().wait(0.01)
        before = writer.written
        result = runner.invoke(args=["backup", str(tmp_path / "backup.db")])
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert "schema version" in result.output and "check_in" in result.output
    summary = summarize(tmp_path / "backup.db")
    assert summary.rows["check_in"] == 3
    assert before <= summary.rows["walk"] <= writer.written  # one consistent moment during the writes
    assert not (tmp_path / "backup.db-wal").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup.db")] == []  # the temp file was renamed

    CheckIn.delete().where(CheckIn.uuid == next(iter(kept))).execute()
    added = str(_checkin(app, patient, "foot").uuid)
    Walk.delete().execute()
    assert _api_checkin_ids(client, patient, token) == kept - {next(iter(kept))} | {added}

    restored = runner.invoke(args=["restore", str(tmp_path / "backup.db"), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.output and "before-restore" in restored.output
    assert _api_checkin_ids(client, patient, token) == kept
    assert Walk.select().count() == summary.rows["walk"]
    [previous] = tmp_path.glob("selfcare.db.before-restore-*")
    assert summarize(previous).rows["walk"] == 0  # the database as it was just before the restore
    database = app.config["DATABASE_URL"].split("sqlite:///", 1)[1]
    assert sqlite3.connect(database).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _not_ours(path: Path) -> None:
    """An SQLite database with someone else's tables."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()


def _damaged(path: Path) -> None:
    """A real backup with its pages overwritten after the header."""
    _not_ours(path)
    conn = sqlite3.connect(path)
    conn.executemany("INSERT INTO notes VALUES (?)", [("x" * 500,)] * 200)
    conn.commit()
    conn.close()
    data = bytearray(path.read_bytes())
    data[4096:12288] = b"\xff" * 8192
    path.write_bytes(bytes(data))


@SQLITE
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("patient,zone\n1,calf\n"), "is not an SQLite database"),
        (_not_ours, "not a selfcare one"),
        (_damaged, "damaged"),
        (lambda p: None, "Cannot read"),
    ],
    ids=["text", "other-schema", "damaged", "missing"],
)
def test_restore_refuses_a_file_that_is_not_our_backup(app, client, runner, tmp_path, make, message):
    patient = make_onboarded_patient()
    token = token_for(patient)
    ids = {str(_checkin(app, patient).uuid)}
    bad = tmp_path / "bad.db"
    make(bad)
    result = runner.invoke(args=["restore", str(bad), "--yes"])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert _api_checkin_ids(client, patient, token) == ids
    assert not list(tmp_path.rglob("*.before-restore-*"))


@SQLITE
def test_restore_asks_first(app, runner, tmp_path):
    make_onboarded_patient()
    assert runner.invoke(args=["backup", str(tmp_path / "b.db")]).exit_code == 0
    result = runner.invoke(args=["restore", str(tmp_path / "b.db")], input="n\n")
    assert result.exit_code == 1 and "Nothing restored" in result.output


@SQLITE
def test_backup_does_not_overwrite_without_force(app, runner, tmp_path):
    make_onboarded_patient()
    target = tmp_path / "backup.db"
    target.write_text("an older file")
    refused = runner.invoke(args=["backup", str(target)])
    assert refused.exit_code == 1 and "already exists" in refused.output and "--force" in refused.output
    assert target.read_text() == "an older file"
    forced = runner.invoke(args=["backup", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert summarize(target).rows["user"] == 1


@POSTGRESQL
def test_postgresql_prints_pg_dump_and_pg_restore_without_the_password(database_url, tmp_path):
    parts = urlsplit(database_url)
    with_password = urlunsplit(parts._replace(netloc=f"postgres:s3cret-pw@{parts.hostname}:{parts.port}"))
    app = make_test_app(with_password, tmp_path / "instance")  # the test server trusts loopback: any password works
    try:
        runner = app.test_cli_runner()
        backup = runner.invoke(args=["backup", str(tmp_path / "selfcare.dump")])
        restore = runner.invoke(args=["restore", str(tmp_path / "selfcare.dump"), "--yes"])
    finally:
        close_database()
    assert backup.exit_code == 1 and restore.exit_code == 1
    name = parts.path.lstrip("/")
    assert f"pg_dump -Fc -h 127.0.0.1 -p {parts.port} -U postgres -f {tmp_path / 'selfcare.dump'} {name}" in backup.output
    assert "Nothing was written" in backup.output
    assert f"pg_restore --clean --if-exists --no-owner --single-transaction -h 127.0.0.1 -p {parts.port} -U postgres -d {name}" in restore.output
    for output in (backup.output, restore.output):
        assert "s3cret-pw" not in output and "PGPASSWORD" in output
    assert not (tmp_path / "selfcare.dump").exists()
