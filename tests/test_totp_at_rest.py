"""Two-step secrets are stored sealed (Fernet, key from HKDF over the secret key): the column never holds the base32
secret, codes still work, plain rows are sealed by the migration (twice is harmless), and a changed secret key
makes two-step sign-in say to use a recovery code, never a 500."""

from __future__ import annotations

from pathlib import Path

from playhouse.migrate import SchemaMigrator, migrate

from selfcare import create_app, schema
from selfcare.db import db, is_postgresql
from selfcare.models import User
from selfcare.services import sealed, two_factor
from tests.conftest import Auth
from tests.factories import PASSWORD, make_therapist
from tests.test_two_factor import clock, code_at, post_form, second_step, signed_in, turned_on  # noqa: F401

PLAIN = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # a base32 secret, as version 11 and before stored it


def stored(user: User) -> str:
    """The column as it is in the database."""
    return User.select(User.totp_secret).where(User.id == user.id).scalar()


def test_the_stored_secret_is_sealed_and_codes_still_work(app, client, auth, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    secret = two_factor.secret(therapist)
    assert sealed.is_plain_secret(secret) and len(secret) == 32
    column = stored(therapist)
    assert column != secret and secret not in column and not sealed.is_plain_secret(column)
    assert sealed.fernet_for("test-secret").decrypt(column.encode()).decode() == secret  # HKDF over the secret key
    auth.login("pt@example.com")
    response = second_step(client, code_at(secret, clock.now))
    assert response.status_code == 303 and signed_in(client)


def test_setting_up_stores_the_pending_secret_sealed_too(app, clock):
    therapist = make_therapist()
    secret = two_factor.start_setup(therapist)
    assert stored(therapist) != secret and two_factor.pending_secret(therapist) == secret


def test_the_migration_seals_plain_secrets_and_is_safe_to_run_twice(app, clock):
    therapist = make_therapist(email="pt@example.com")
    other = make_therapist()
    migrator = SchemaMigrator.from_database(db.obj)
    with db.atomic():  # the user table as version 11 left it
        migrate(migrator.drop_column("user", "totp_locked_until"))
        if is_postgresql():
            db.execute_sql('ALTER TABLE "user" ALTER COLUMN totp_secret TYPE VARCHAR(64)')
    User.update(totp_secret=PLAIN, totp_enabled_at=clock.now).where(User.id == therapist.id).execute()
    version_12 = schema.MIGRATIONS[12 - 2]
    with db.atomic():
        version_12(migrator)
    assert "totp_locked_until" in {c.name for c in db.get_columns("user")}
    column = stored(therapist)
    assert column != PLAIN and not sealed.is_plain_secret(column)
    assert two_factor.secret(therapist) == PLAIN and stored(other) is None
    if is_postgresql():
        assert {c.name: c.data_type for c in db.get_columns("user")}["totp_secret"] == "text"
    with db.atomic():
        version_12(migrator)  # again: a sealed value is left as it is
    assert stored(therapist) == column
    assert two_factor.verify_code(therapist, code_at(PLAIN, clock.now))


def app_with_key(database_url: str, tmp_path: Path, key: str):
    """The same database served with another secret key (as after the key was changed and the app restarted)."""
    return create_app({"TESTING": True, "SECRET_KEY": key, "DATABASE_URL": database_url,
                       "INSTANCE_PATH": str(tmp_path / "other"), "MAIL_BACKEND": "memory"})


def test_a_changed_secret_key_asks_for_a_recovery_code_and_never_fails(app, database_url, tmp_path, clock):
    therapist, recovery = turned_on(clock, email="pt@example.com")
    secret = two_factor.secret(therapist)
    changed = app_with_key(database_url, tmp_path, "a different secret key entirely")
    client = changed.test_client()
    auth = Auth(client)
    assert auth.login("pt@example.com").headers["Location"] == "/login/two-factor"
    response = second_step(client, code_at(secret, clock.now))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Log in with a recovery code instead" in page
    assert "flask turn-off-two-step" in page and not signed_in(client)
    assert User.get_by_id(therapist.id).totp_failures == 0  # not counted as a guess

    response = second_step(client, recovery[0], recovery=True)
    assert response.status_code == 303 and signed_in(client)
    response = post_form(client, "/settings/two-step/recovery-codes", code=code_at(secret, clock.now, steps=1))
    assert response.status_code == 422 and "cannot be checked" in response.get_data(as_text=True)
    response = post_form(client, "/settings/two-step/off", password=PASSWORD, code=code_at(secret, clock.now, steps=1))
    assert response.status_code == 422 and "Use a recovery code to turn it off" in response.get_data(as_text=True)
    response = post_form(client, "/settings/two-step/off", password=PASSWORD, code=recovery[1])
    assert response.status_code == 303 and not two_factor.is_on(User.get_by_id(therapist.id))


def test_the_command_line_turns_it_off_whatever_the_key(app, database_url, tmp_path, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    changed = app_with_key(database_url, tmp_path, "a different secret key entirely")
    result = changed.test_cli_runner().invoke(args=["turn-off-two-step", "--email", "pt@example.com"])
    assert result.exit_code == 0, result.output
    assert not two_factor.is_on(User.get_by_id(therapist.id))
