"""Per-patient data stamps kept by database triggers: any write the caseload row shows bumps the patient's stamp.

The triggers live in the database, so no write path can forget them: the forms, the API, the offline sync,
the demo generator, bulk inserts and a hand-typed SQL statement all bump it. A cached caseload row stores the
stamp read before its rows were read; a row whose stamp differs from the patient's is recomputed.

A second counter, `shown` (schema 15), is bumped by every write to the rest of what a patient's pages show
(SHOWN: alerts, notes, plan changes...; and the user row). With `version` it makes the pages' ETags (http_cache.py).
"""

from __future__ import annotations

from selfcare.db import db, is_postgresql
from selfcare.models import (
    Alert,
    AssessedSign,
    CareLink,
    CheckIn,
    ExerciseSet,
    PatientStamp,
    PlanChange,
    PlanSetting,
    PlayerState,
    Profile,
    RedFlagScreen,
    SelfCheck,
    SessionEvent,
    TherapistNote,
    User,
    Walk,
)

# Every table whose rows the caseload row shows, except alerts (always read fresh). PlayerState since version 10:
# a plan held after a stop, and the therapist's release, show in the caseload (schema.py `_v10_player_state_stamps`).
STAMPED = [CheckIn, Walk, ExerciseSet, SelfCheck, Profile, PlanSetting, CareLink, PlayerState]
FUNCTION = "bump_patient_stamp"
# What else the patient's pages show (schema 15): these bump `shown`, which pages' ETags read with `version`
# (selfcare/http_cache.py). Not the looks (audit_event: a view must not change what it views), nor kept rows
# computed from the others (caseload_row, daily_summary). The user row is the patient (its id is the patient id).
SHOWN = [Alert, RedFlagScreen, AssessedSign, TherapistNote, PlanChange, SessionEvent]
SHOWN_FUNCTION = "bump_patient_shown"


def _bump(patient: str) -> str:
    """The SQL that adds one to a patient's stamp (the first write makes it 1)."""
    table = PatientStamp._meta.table_name
    return (f'INSERT INTO "{table}" (patient_id, version) VALUES ({patient}, 1) '
            f'ON CONFLICT (patient_id) DO UPDATE SET version = "{table}".version + 1')


def _bump_shown(patient: str) -> str:
    """The SQL that adds one to a patient's `shown` counter."""
    table = PatientStamp._meta.table_name
    return (f'INSERT INTO "{table}" (patient_id, version, shown) VALUES ({patient}, 0, 1) '
            f'ON CONFLICT (patient_id) DO UPDATE SET shown = "{table}".shown + 1')


def _shown_triggers() -> list[tuple[str, str, str, str]]:
    """(trigger name, table, operation, the patient's column) of every `shown` trigger."""
    triggers = [(f"shown_{m._meta.table_name}_{op}", m._meta.table_name, op, "patient_id")
                for m in SHOWN for op in ("insert", "update", "delete")]
    return triggers + [("shown_user_update", User._meta.table_name, "update", "id")]


def trigger_names() -> list[str]:
    """The names of the triggers, one per table and operation."""
    return [f"stamp_{m._meta.table_name}_{op}" for m in STAMPED for op in ("insert", "update", "delete")]


def _sqlite_statements() -> list[str]:
    statements = []
    for model in STAMPED:
        table = model._meta.table_name
        bodies = {
            "insert": _bump("NEW.patient_id") + ";",
            "update": _bump("NEW.patient_id") + "; " + _bump("OLD.patient_id") + ";",
            "delete": _bump("OLD.patient_id") + ";",
        }
        for op, body in bodies.items():
            statements.append(f'CREATE TRIGGER IF NOT EXISTS "stamp_{table}_{op}" AFTER {op.upper()} ON "{table}" '
                              f"FOR EACH ROW BEGIN {body} END")
    return statements


def _sqlite_shown_statements() -> list[str]:
    statements = []
    for name, table, op, column in _shown_triggers():
        rows = {"insert": ["NEW"], "update": ["NEW", "OLD"], "delete": ["OLD"]}[op]
        body = " ".join(_bump_shown(f"{row}.{column}") + ";" for row in rows)
        statements.append(f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER {op.upper()} ON "{table}" FOR EACH ROW BEGIN {body} END')
    return statements


def _postgresql_statements() -> list[str]:
    function = f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    {_bump("OLD.patient_id")};
  END IF;
  IF TG_OP <> 'DELETE' THEN
    {_bump("NEW.patient_id")};
  END IF;
  RETURN NULL;
END $$"""
    statements = [function]
    for model in STAMPED:
        table = model._meta.table_name
        for op in ("insert", "update", "delete"):
            name = f"stamp_{table}_{op}"
            statements.append(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            statements.append(f'CREATE TRIGGER "{name}" AFTER {op.upper()} ON "{table}" FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()')
    return statements


def _postgresql_shown_statements() -> list[str]:
    statements = []
    for column in ("patient_id", "id"):  # one function per name of the patient's column (TG_ARGV cannot name one)
        statements.append(f"""CREATE OR REPLACE FUNCTION {SHOWN_FUNCTION}_{column}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    {_bump_shown(f"OLD.{column}")};
  END IF;
  IF TG_OP <> 'DELETE' THEN
    {_bump_shown(f"NEW.{column}")};
  END IF;
  RETURN NULL;
END $$""")
    for name, table, op, column in _shown_triggers():
        statements.append(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        statements.append(f'CREATE TRIGGER "{name}" AFTER {op.upper()} ON "{table}" FOR EACH ROW '
                          f"EXECUTE FUNCTION {SHOWN_FUNCTION}_{column}()")
    return statements


def install_triggers(shown: bool = True) -> None:
    """Create the stamp triggers, and with `shown` the shown ones (schema 15), again: harmless when they are there;
    call inside create_schema's transaction."""
    statements = _postgresql_statements() if is_postgresql() else _sqlite_statements()
    if shown:
        statements += _postgresql_shown_statements() if is_postgresql() else _sqlite_shown_statements()
    for statement in statements:
        db.execute_sql(statement)


def shown_trigger_names() -> list[str]:
    """The names of the shown triggers (schema 15)."""
    return [name for name, _, _, _ in _shown_triggers()]


def installed_triggers() -> set[str]:
    """The stamp triggers the database has (for tests and checks)."""
    if is_postgresql():
        rows = db.execute_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    else:
        rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    return {row[0] for row in rows if row[0].startswith("stamp_")}
