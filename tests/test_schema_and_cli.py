"""Schema creation, the CLI commands and configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfcare import config as config_module
from selfcare.db import make_database
from selfcare.models import Role, SchemaVersion, User
from selfcare.schema import LATEST, create_schema
from tests.factories import PASSWORD


def test_init_db_is_idempotent(app, runner):
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert f"schema version {LATEST}" in result.output
    assert SchemaVersion.select().count() == LATEST
    assert create_schema() == LATEST


def test_an_up_to_date_database_gets_no_schema_statement_at_start(app, caplog):
    """Every gunicorn worker runs create_schema as it starts, beside workers already serving writes. On PostgreSQL even
    CREATE INDEX IF NOT EXISTS takes a share lock on its table before it looks (a replacement worker deadlocked with
    live requests in the load test), so an up-to-date database must get no DDL at all."""
    with caplog.at_level("DEBUG", logger="peewee"):
        assert create_schema() == LATEST
    statements = [str(record.msg) for record in caplog.records if record.name == "peewee"]
    assert statements and not [s for s in statements if any(word in s.upper() for word in ("CREATE", "ALTER", "DROP"))]


def test_create_user_makes_a_therapist_who_can_log_in(app, runner, auth):
    result = runner.invoke(args=["create-user", "--role", "therapist", "--email", "pt@example.com", "--password", PASSWORD, "--name", "Dana"])
    assert result.exit_code == 0, result.output
    user = User.get(User.email == "pt@example.com")
    assert (user.role, user.name) == (Role.THERAPIST.value, "Dana")
    response = auth.login("pt@example.com")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_create_user_can_make_a_patient(app, runner):
    result = runner.invoke(args=["create-user", "--email", "p@example.com", "--password", PASSWORD, "--region", "US", "--timezone", "America/Denver"])
    assert result.exit_code == 0, result.output
    user = User.get()
    assert (user.role, user.name, user.region, user.timezone) == ("patient", "p", "US", "America/Denver")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "bad", "--password", PASSWORD], "Enter an email address"),
        (["--email", "p@example.com", "--password", "short"], "at least 10 characters"),
        (["--email", "p@example.com", "--password", PASSWORD, "--region", "XX"], "choose one of"),
        (["--email", "p@example.com", "--password", PASSWORD, "--timezone", "Nowhere/Town"], "not an IANA time zone"),
        (["--email", "p@example.com", "--password", PASSWORD, "--role", "admin"], "admin"),
    ],
)
def test_create_user_rejects_bad_input(app, runner, args, message):
    result = runner.invoke(args=["create-user", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert User.select().count() == 0


def test_create_user_rejects_a_duplicate(app, runner):
    args = ["create-user", "--email", "p@example.com", "--password", PASSWORD]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert "already an account" in result.output
    assert User.select().count() == 1


def test_demo_creates_linked_accounts_once(app, runner):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == second.exit_code == 0
    assert first.output == second.output
    assert "sam.therapist@example.com" in first.output
    assert User.select().where(User.role == "patient").count() >= 3
    assert User.select().where(User.role == "therapist").count() == 1


def test_config_layers_defaults_environment_and_overrides():
    environ = {"SELFCARE_DATABASE_URL": "postgresql://x/y", "SELFCARE_SESSION_COOKIE_SECURE": "true", "SELFCARE_DB_POOL_SIZE": "3", "OTHER": "1"}
    merged = config_module.load_config(environ, {"DB_POOL_SIZE": 5})
    assert merged["DATABASE_URL"] == "postgresql://x/y"
    assert merged["SESSION_COOKIE_SECURE"] is True
    assert merged["DB_POOL_SIZE"] == 5
    assert merged["SESSION_COOKIE_HTTPONLY"] is True
    assert "OTHER" not in merged
    with pytest.raises(ValueError, match="SELFCARE_SESSION_COOKIE_SECURE"):
        config_module.load_config({"SELFCARE_SESSION_COOKIE_SECURE": "maybe"})


def test_secret_key_is_generated_once_and_kept(tmp_path: Path):
    first = config_module.instance_secret_key(tmp_path / "instance")
    assert len(first) == 64
    assert config_module.instance_secret_key(tmp_path / "instance") == first
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0


def test_database_urls(tmp_path: Path):
    assert make_database(None, tmp_path).database == str(tmp_path / "selfcare.db")
    assert make_database(f"sqlite:///{tmp_path}/x.db", tmp_path).database == f"{tmp_path}/x.db"
    pg = make_database("postgresql://me:secret@db.example:5433/care", tmp_path, pool_size=4)
    assert (pg.database, pg.connect_params["host"], pg.connect_params["port"], pg._max_connections) == ("care", "db.example", 5433, 4)
    with pytest.raises(ValueError, match="SELFCARE_DATABASE_URL"):
        make_database("mysql://x/y", tmp_path)


def test_broken_content_stops_start_up_naming_file_and_key(tmp_path: Path):
    import shutil

    from selfcare import create_app
    from selfcare.clinical import ContentError
    from selfcare.config import default_content_dir

    content = tmp_path / "content"
    shutil.copytree(default_content_dir(), content)
    regions = content / "regions.toml"
    regions.write_text(regions.read_text().replace('emergency = "999"', 'emergency = 999'))
    with pytest.raises(ContentError, match=r"regions\.toml: region\[0\]\.emergency"):
        create_app({"TESTING": True, "CONTENT_DIR": str(content), "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
                    "INSTANCE_PATH": str(tmp_path)})


def _v6_index_names() -> dict[str, set[str]]:
    """The index names on the tables version 6 indexes."""
    from selfcare.db import db
    from selfcare.schema import V6_INDEXES

    return {table: {index.name for index in db.get_indexes(table)} for table, _ in V6_INDEXES}


def _back_to_version_5() -> list[int]:
    """Drop version 6's indexes and forget versions 6 and later (as a version 5 database); the versions forgotten."""
    from playhouse.migrate import make_index_name

    from selfcare.db import db
    from selfcare.schema import V6_INDEXES

    later = [row.version for row in SchemaVersion.select().where(SchemaVersion.version >= 6)]
    with db.atomic():
        for table, columns in V6_INDEXES:
            db.execute_sql(f'DROP INDEX "{make_index_name(table, list(columns))}"')
        SchemaVersion.delete().where(SchemaVersion.version >= 6).execute()
    return later


def test_a_version_5_database_migrates_to_the_indexes_of_a_new_one(app, monkeypatch):
    """Version 6's indexes (issue 9): a version 5 database gets them, by create_schema or by the migration alone."""
    from playhouse.migrate import SchemaMigrator, make_index_name

    from selfcare import schema
    from selfcare.db import db

    fresh = _v6_index_names()
    assert all(make_index_name(table, list(columns)) in fresh[table] for table, columns in schema.V6_INDEXES)
    later = _back_to_version_5()
    try:
        assert _v6_index_names() != fresh
        monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:5])  # up to version 6, whatever comes later
        monkeypatch.setattr(schema, "LATEST", 6)
        assert create_schema() == 6
        assert _v6_index_names() == fresh
        _back_to_version_5()
        schema._v6_query_indexes(SchemaMigrator.from_database(db.obj))  # create_tables did not run: the migration adds them
        assert _v6_index_names() == fresh
        schema._v6_query_indexes(SchemaMigrator.from_database(db.obj))  # and is harmless when they are there
    finally:
        create_schema()  # whatever happened above, the indexes are back for the next tests
        with db.atomic():
            present = {row.version for row in SchemaVersion.select()}
            SchemaVersion.insert_many([{"version": v} for v in [6, *later] if v not in present]).execute()
    assert _v6_index_names() == fresh
    assert SchemaVersion.select().count() == LATEST
