"""Create the schema and apply migrations; safe to run again and from several processes at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

from peewee import CharField, DateTimeField, IntegerField, SmallIntegerField, Table, TextField, fn
from playhouse.migrate import SchemaMigrator, make_index_name, migrate

from selfcare.db import db, is_postgresql
from selfcare.models import MODELS, CaseloadRow, SchemaVersion, utcnow
from selfcare.services.hashed import digest
from selfcare.services.sealed import box, is_plain_secret
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
    install_triggers(shown=False)  # the shown triggers come with their column, in version 15


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
    install_triggers(shown=False)


def _v11_invite_code_hashes(migrator: SchemaMigrator) -> None:
    """Version 11 (issue 19): invite codes kept only as their SHA-256 (services/hashed.py), in a new `code_hash` column
    of 64 characters rather than a widened `code` (a hash kept under the name `code` would read as the code itself).
    Every code kept in plain text is hashed first, so codes already given out keep working; then the plain column
    goes. A step already done is left alone."""
    columns = {column.name for column in db.get_columns("invite")}
    if "code_hash" not in columns:
        migrate(migrator.add_column("invite", "code_hash", CharField(max_length=64, null=True)))
    if "code" in columns:
        invite = Table("invite").bind(db)  # columns through `c`, as peewee's stubs type them
        for row_id, code in invite.select(invite.c.id, invite.c.code).tuples():  # kept normalised: as typed codes are
            invite.update({invite.c.code_hash: digest(code)}).where(invite.c.id == row_id).execute()
        if "invite_code" in {index.name for index in db.get_indexes("invite")}:
            migrate(migrator.drop_index("invite", "invite_code"))  # SQLite drops no indexed column
        migrate(migrator.drop_column("invite", "code"))
    if not any(index.unique and index.columns == ["code_hash"] for index in db.get_indexes("invite")):
        migrate(migrator.add_not_null("invite", "code_hash"), migrator.add_index("invite", ("code_hash",), unique=True))


def _v12_two_step_locks_and_sealed_secrets(migrator: SchemaMigrator) -> None:
    """Version 12 (issue 19): user.totp_locked_until (two-step sign-in paused after too many wrong codes), and the
    authenticator secrets sealed at rest (services/sealed.py): the column becomes TEXT on PostgreSQL (SQLite keeps
    any length), then each secret still in plain base32 is sealed with this server's key. Safe to run again: a
    sealed value is never base32, and is left alone."""
    columns = {column.name: column for column in db.get_columns("user")}
    if "totp_locked_until" not in columns:
        migrate(migrator.add_column("user", "totp_locked_until", DateTimeField(null=True)))
    if is_postgresql() and columns["totp_secret"].data_type.lower() != "text":
        migrate(migrator.alter_column_type("user", "totp_secret", TextField(null=True)))
    user = Table("user").bind(db)
    for row_id, stored in user.select(user.c.id, user.c.totp_secret).where(user.c.totp_secret.is_null(False)).tuples():
        if is_plain_secret(stored):
            user.update({user.c.totp_secret: box.seal(stored)}).where(user.c.id == row_id).execute()


def _v13_api_token_expiry(migrator: SchemaMigrator) -> None:
    """Version 13 (issue 19): API tokens expire. Tokens made before get 90 days from this migration (the lifetime
    of a new token at version 13), so none stops working the moment the app is updated."""
    if "expires_at" not in {column.name for column in db.get_columns("api_token")}:
        migrate(migrator.add_column("api_token", "expires_at", DateTimeField(default=utcnow() + timedelta(days=90))))


def _v14_daily_summary(migrator: SchemaMigrator) -> None:
    """Version 14 (issue 20): the daily_summary table (create_tables made it already), filled from every patient's
    entries (services/daily_summary.py; the same as `flask --app selfcare rebuild-daily-summary`)."""
    from selfcare.services.daily_summary import rebuild_all

    rebuild_all()


def _v15_shown_stamps(migrator: SchemaMigrator) -> None:
    """Version 15 (issue 20): patient_stamp.shown, bumped by triggers on everything else a patient's pages show
    (alerts, red-flag screens, assessed signs, notes, plan changes, player events, the user row): with `version`
    it makes the pages' ETags (selfcare/http_cache.py)."""
    if "shown" not in {column.name for column in db.get_columns("patient_stamp")}:
        # In one statement: playhouse adds a NOT NULL column in steps, and on SQLite the last step copies the table,
        # which the stamp triggers on other tables refuse.
        db.execute_sql('ALTER TABLE "patient_stamp" ADD COLUMN "shown" INTEGER NOT NULL DEFAULT 0')
    install_triggers()


def _v16_caseload_standing(migrator: SchemaMigrator) -> None:
    """Version 16 (issue 20): each stored caseload row's place in the triage order before alerts (rank, ranked_at,
    silent), so a load orders and counts the rows without decoding them all. The rows stored before have none:
    they are dropped and computed again on the next load."""
    columns = {column.name for column in db.get_columns("caseload_row")}
    for name, kind in (("rank", "SMALLINT NOT NULL DEFAULT 7"), ("ranked_at", "TIMESTAMP"), ("silent", "BOOLEAN NOT NULL DEFAULT FALSE")):
        if name not in columns:  # one statement each (see version 15)
            db.execute_sql(f'ALTER TABLE "caseload_row" ADD COLUMN "{name}" {kind}')
    CaseloadRow.delete().execute()


def _v17_daily_summary_weeks(migrator: SchemaMigrator) -> None:
    """Version 17 (issue 20): daily_summary.week, the Monday of each row's day (clinical.week_start), indexed with the
    patient, so a year of History is read as one row per week. Filled in one statement per database (a row at a time
    would be minutes on a big clinic); the column stays nullable on databases made before it (a NOT NULL column cannot
    be added to a filled table in one statement), and every row is written with it (services/daily_summary.py)."""
    if "week" not in {column.name for column in db.get_columns("daily_summary")}:
        db.execute_sql('ALTER TABLE "daily_summary" ADD COLUMN "week" DATE')  # one statement (see version 15)
    if is_postgresql():  # ISO weeks start on Monday
        db.execute_sql("""UPDATE "daily_summary" SET "week" = date_trunc('week', "day")::date WHERE "week" IS NULL""")
    else:  # SQLite keeps dates as ISO text; %w counts from Sunday (0), so Monday is (w + 6) % 7 days back
        db.execute_sql("""UPDATE "daily_summary" SET "week" = date("day", '-' || ((CAST(strftime('%w', "day") AS INTEGER)
                          + 6) % 7) || ' days') WHERE "week" IS NULL""")
    indexes = {index.name for index in db.get_indexes("daily_summary")}
    if make_index_name("daily_summary", ["patient_id", "week"]) not in indexes:
        migrate(migrator.add_index("daily_summary", ("patient_id", "week"), unique=False))


MIGRATIONS: list[Migration] = [_v2_api_tables, _v3_calendar_feed, _v4_two_factor, _v5_login_sessions, _v6_query_indexes,
                               _v7_caseload_cache, _v8_regions_and_followup, _v9_red_flag_screens, _v10_player_state_stamps,
                               _v11_invite_code_hashes, _v12_two_step_locks_and_sealed_secrets,
                               _v13_api_token_expiry, _v14_daily_summary, _v15_shown_stamps,
                               _v16_caseload_standing, _v17_daily_summary_weeks]

LATEST = 1 + len(MIGRATIONS)


def create_schema() -> int:
    """Create missing tables, apply pending migrations and return the schema version now in force."""
    with db.atomic():
        if is_postgresql():
            # Workers starting together must not race on CREATE TABLE (SQLite: IMMEDIATE does this).
            db.execute_sql("SELECT pg_advisory_xact_lock(472011)")
        fresh = not SchemaVersion.table_exists()
        current = 0 if fresh else SchemaVersion.select(fn.MAX(SchemaVersion.version)).scalar() or 1
        if current == LATEST:
            # Up to date: no DDL at all. Even CREATE INDEX IF NOT EXISTS takes a share lock on its table before it
            # looks, so a worker starting beside others serving writes could deadlock with them (PostgreSQL).
            return LATEST
        # The missing tables first, and every model's indexes only once the migrations have added their columns: an
        # index made on a column not added yet fails on PostgreSQL, and SQLite indexes the column's name as a string
        # (a double-quoted name it cannot find), which corrupts the table once the column comes.
        db.create_tables([model for model in MODELS if not model.table_exists()], safe=True)
        if fresh:
            install_triggers()  # what version 7 adds besides tables
            SchemaVersion.insert_many([{"version": v} for v in range(1, LATEST + 1)]).execute()
            return LATEST
        migrator = SchemaMigrator.from_database(db.obj)
        for version in range(current + 1, LATEST + 1):
            MIGRATIONS[version - 2](migrator)
            SchemaVersion.create(version=version)
        db.create_tables(MODELS, safe=True)  # any model index an older database lacks (IF NOT EXISTS: the rest stay)
        return LATEST
