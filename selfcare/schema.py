"""Create the schema and apply migrations; safe to run again and from several processes at once."""

from __future__ import annotations

from typing import Callable

from peewee import CharField, DateTimeField, IntegerField, SmallIntegerField, fn
from playhouse.migrate import SchemaMigrator, make_index_name, migrate

from selfcare.db import db, is_postgresql
from selfcare.models import MODELS, SchemaVersion
from selfcare.stamps import install_triggers

# A schema change ships as a function appended here: it receives a playhouse SchemaMigrator and
# alters existing databases (add_column, add_index, ...); the model change in models.py gives new
# databases the same shape. Version 1 is the first schema; version N > 1 is MIGRATIONS[N - 2].
# Never edit or reorder a shipped migration.
Migration = Callable[[SchemaMigrator], None]


def _v2_api_tables(migrator: SchemaMigrator) -> None:
    """Version 2: the session_event and api_token tables (new tables: create_tables made them already)."""


def _v3_calendar_feed(migrator: SchemaMigrator) -> None:
    """Version 3: the calendar_feed table (a new table: create_tables made it already)."""


def _v4_two_factor(migrator: SchemaMigrator) -> None:
    """Version 4: two-step sign-in columns on user; the recovery_code table (create_tables made it already)."""
    # The columns as they were at version 4 (not the models' fields, which may change later).
    migrate(
        migrator.add_column("user", "totp_secret", CharField(max_length=64, null=True)),
        migrator.add_column("user", "totp_enabled_at", DateTimeField(null=True)),
        migrator.add_column("user", "totp_last_timestep", IntegerField(null=True)),
        migrator.add_column("user", "totp_failures", SmallIntegerField(default=0)),
    )


def _v5_login_sessions(migrator: SchemaMigrator) -> None:
    """Version 5: the login_session table (a new table: create_tables made it already)."""


# Indexes of version 6, as (table, columns): named as peewee names the models' Meta indexes.
V6_INDEXES = [
    ("exercise_set", ("patient_id", "finished_at")),
    ("alert", ("patient_id", "acknowledged_at")),
    ("alert", ("patient_id", "confirmed_at")),
    ("plan_change", ("patient_id", "created_at")),
]


def _v6_query_indexes(migrator: SchemaMigrator) -> None:
    """Version 6: indexes for the latest rows the pages read (issue 9); create_tables may have made them already."""
    for table, columns in V6_INDEXES:
        if make_index_name(table, list(columns)) not in {index.name for index in db.get_indexes(table)}:
            migrate(migrator.add_index(table, columns))


def _v7_caseload_cache(migrator: SchemaMigrator) -> None:
    """Version 7: the patient_stamp and caseload_row tables (create_tables made them already) and the triggers
    that bump a patient's stamp on every write the caseload row shows (selfcare/stamps.py)."""
    install_triggers()


# Columns of version 8, as (table, column, field as it was at version 8).
V8_COLUMNS = [
    ("user", "emergency_number", CharField(max_length=6, null=True)),
    ("alert", "followup_answer", CharField(max_length=16, null=True)),
    ("alert", "followup_at", DateTimeField(null=True)),
]


def _v8_regions_and_followup(migrator: SchemaMigrator) -> None:
    """Version 8 (issue 18): the emergency number a patient in the "Other" region typed, and the answer to the
    next-day question after an emergency alert ("were you seen?"); a column that is there already is left alone."""
    for table, column, field in V8_COLUMNS:
        if column not in {c.name for c in db.get_columns(table)}:
            migrate(migrator.add_column(table, column, field))


def _v9_red_flag_screens(migrator: SchemaMigrator) -> None:
    """Version 9 (issue 18): the red_flag_screen and assessed_sign tables (new tables: create_tables made them already)."""


def _v10_player_state_stamps(migrator: SchemaMigrator) -> None:
    """Version 10 (issue 18): the player's state bumps the patient's stamp too (selfcare/stamps.py), so the caseload
    shows a plan held after a stop, and its release, on the next load."""
    install_triggers()


MIGRATIONS: list[Migration] = [_v2_api_tables, _v3_calendar_feed, _v4_two_factor, _v5_login_sessions, _v6_query_indexes,
                               _v7_caseload_cache, _v8_regions_and_followup, _v9_red_flag_screens, _v10_player_state_stamps]

LATEST = 1 + len(MIGRATIONS)


def create_schema() -> int:
    """Create missing tables, apply pending migrations and return the schema version now in force."""
    with db.atomic():
        if is_postgresql():
            # Workers starting together must not race on CREATE TABLE (SQLite: IMMEDIATE does this).
            db.execute_sql("SELECT pg_advisory_xact_lock(472011)")
        fresh = not SchemaVersion.table_exists()
        db.create_tables(MODELS, safe=True)
        if fresh:
            install_triggers()  # what version 7 adds besides tables
            SchemaVersion.insert_many([{"version": v} for v in range(1, LATEST + 1)]).execute()
            return LATEST
        current = SchemaVersion.select(fn.MAX(SchemaVersion.version)).scalar() or 1
        migrator = SchemaMigrator.from_database(db.obj)
        for version in range(current + 1, LATEST + 1):
            MIGRATIONS[version - 2](migrator)
            SchemaVersion.create(version=version)
        return LATEST
