"""Two-step sign-in for therapists: setting it up, the second step of logging in, recovery codes, turning it off."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from selfcare.models import RecoveryCode, SchemaVersion, User
from selfcare.services import export, two_factor
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_onboarded_patient, make_therapist

NOW = datetime(2026, 11, 3, 10, 0, 5)  # UTC, as stored; 5 s into a 30-second step


class Clock:
    """The server's clock for two-step sign-in, moved by the test instead of by sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock on."""
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Two-step sign-in reads this clock."""
    fake = Clock(NOW)
    monkeypatch.setattr(two_factor, "clock", fake)
    return fake


def code_at(secret: str, moment: datetime, steps: int = 0) -> str:
    """What an authenticator app shows at `moment` (UTC), `steps` 30-second steps later or earlier."""
    return pyotp.TOTP(secret).at(moment.replace(tzinfo=UTC), counter_offset=steps)


def secret_of(user: User) -> str:
    """The user's secret as their app has it, read afresh (it is stored sealed)."""
    return two_factor.secret(user)


def turned_on(clock: Clock, **overrides) -> tuple[User, list[str]]:
    """A therapist with two-step sign-in on (set up through the service); the clock then moves to the next step."""
    therapist = make_therapist(**overrides)
    secret = two_factor.start_setup(therapist)
    codes = two_factor.confirm_setup(therapist, code_at(secret, clock.now))
    assert codes is not None
    clock.advance(30)
    return therapist, codes


def post_form(client, url: str, **data):
    """GET the page for its CSRF token, then POST the form to the same URL."""
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def second_step(client, code: str, recovery: bool = False):
    """Answer the second step of logging in."""
    return post_form(client, "/login/two-factor" + ("?method=recovery" if recovery else ""), code=code)


def signed_in(client) -> bool:
    """Whether the client's session is logged in."""
    with client.session_transaction() as session:
        return "_user_id" in session


# ---- Setting it up ---------------------------------------------------------------------------------


def test_setting_up_needs_a_correct_code_then_shows_ten_recovery_codes_once(client, auth, clock):
    therapist = make_therapist(email="pt@example.com")
    auth.login("pt@example.com")
    page = client.get("/settings").get_data(as_text=True)
    assert "Two-step sign-in" in page and "Set up two-step sign-in" in page

    response = client.post("/settings/two-step/start", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303 and response.headers["Location"] == "/settings/two-step/set-up"
    response = client.get("/settings/two-step/set-up")
    page = response.get_data(as_text=True)
    secret = secret_of(therapist)
    assert response.headers["Cache-Control"] == "no-store"
    assert "<svg" in page and 'role="img"' in page
    assert " ".join(re.findall(".{4}", secret)) in page  # typed by hand, in groups of four
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert not two_factor.is_on(User.get_by_id(therapist.id))

    for wrong in ("000000", code_at(secret, NOW, steps=-2), "12345", "abcdef"):
        response = post_form(client, "/settings/two-step/set-up", code=wrong)
        assert response.status_code == 422
        assert 'id="code-error"' in response.get_data(as_text=True)
        assert not two_factor.is_on(User.get_by_id(therapist.id))

    response = post_form(client, "/settings/two-step/set-up", code=code_at(secret, NOW))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", page)
    assert len(set(codes)) == 10 and "I have saved these" in page
    assert two_factor.is_on(User.get_by_id(therapist.id))
    stored = {row.code_hash for row in RecoveryCode.select()}
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}  # only hashes are kept

    page = client.get("/settings").get_data(as_text=True)
    assert "Two-step sign-in is on" in page and "10 unused recovery codes" in page
    assert not any(code in page for code in codes)
    assert client.get("/settings/two-step/set-up").status_code == 303  # nothing to set up any more


def test_starting_again_while_it_is_on_changes_nothing(client, auth, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    secret = secret_of(therapist)
    auth.login("pt@example.com")
    assert second_step(client, code_at(secret, clock.now)).status_code == 303
    response = client.post("/settings/two-step/start", data={"csrf_token": csrf_from(client.get("/settings").get_data(as_text=True))})
    assert response.status_code == 303 and response.headers["Location"] == "/settings"
    assert secret_of(therapist) == secret and two_factor.is_on(User.get_by_id(therapist.id))


def test_a_new_setup_replaces_an_unfinished_one(app, clock):
    therapist = make_therapist()
    first = two_factor.start_setup(therapist)
    second = two_factor.start_setup(therapist)
    assert first != second
    assert two_factor.confirm_setup(therapist, code_at(first, NOW)) is None
    assert two_factor.confirm_setup(therapist, code_at(second, NOW)) is not None


# ---- Logging in --------------------------------------------------------------------------------------


def test_login_stops_at_the_second_step_and_a_right_code_logs_in_on_a_new_session(client, auth, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    response = auth.login("pt@example.com")
    assert response.status_code == 303 and response.headers["Location"] == "/login/two-factor"
    assert not signed_in(client)
    assert client.get("/settings").status_code == 302  # not logged in yet

    page = client.get("/login/two-factor").get_data(as_text=True)
    assert "6-digit code from your app" in page and "Use a recovery code instead" in page
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    before = client.get_cookie("session").value
    response = second_step(client, code_at(secret_of(therapist), clock.now))
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        assert session["_user_id"].partition(":")[0] == str(therapist.id) and "pending_login" not in session
    assert client.get("/settings").status_code == 200


def test_the_second_step_keeps_next_and_remember_from_the_login_page(client, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", query_string={"next": "/therapist/patients"},
                           data={"email": "pt@example.com", "password": PASSWORD, "remember": "y", "csrf_token": token})
    assert response.headers["Location"] == "/login/two-factor"
    assert client.get_cookie("remember_token") is None  # nothing that logs in before the code
    response = second_step(client, code_at(secret_of(therapist), clock.now))
    assert response.status_code == 303 and response.headers["Location"] == "/therapist/patients"
    assert client.get_cookie("remember_token") is not None


def test_a_wrong_code_is_refused_beside_the_field(client, auth, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    auth.login("pt@example.com")
    response = second_step(client, "123456" if code_at(secret_of(therapist), clock.now) != "123456" else "654321")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="error" id="code-error">That code did not work.' in page
    assert 'aria-describedby="code-error"' in page and 'aria-invalid="true"' in page
    assert not signed_in(client)


def test_five_wrong_codes_mean_the_password_again_even_with_an_old_cookie(client, auth, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    auth.login("pt@example.com")
    after_password = client.get_cookie("session").value
    right = code_at(secret_of(therapist), clock.now)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(4):
        assert second_step(client, wrong).status_code == 422
    response = second_step(client, wrong)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Please log in again with your password" in client.get("/login").get_data(as_text=True)
    assert client.get("/login/two-factor").headers["Location"] == "/login"

    client.set_cookie("session", after_password)  # the session from before the wrong codes, sent again
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login/two-factor", data={"code": right, "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert not signed_in(client)

    auth.login("pt@example.com")  # the password again: five more tries
    assert second_step(client, right).headers["Location"] == "/"


def test_the_same_code_cannot_be_used_twice(client, auth, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    code = code_at(secret_of(therapist), clock.now)
    auth.login("pt@example.com")
    assert second_step(client, code).status_code == 303
    auth.logout()
    auth.login("pt@example.com")
    assert second_step(client, code).status_code == 422
    assert second_step(client, code_at(secret_of(therapist), clock.now, steps=-1)).status_code == 422  # nor an older one
    clock.advance(30)
    assert second_step(client, code_at(secret_of(therapist), clock.now)).status_code == 303


@pytest.mark.parametrize(("steps", "works"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_a_code_from_the_step_before_or_after_works_but_no_further(client, auth, clock, steps, works):
    therapist, _ = turned_on(clock, email="pt@example.com")
    clock.advance(60)  # well past the step used to set up
    auth.login("pt@example.com")
    response = second_step(client, code_at(secret_of(therapist), clock.now, steps=steps))
    assert response.status_code == (303 if works else 422)


def test_a_recovery_code_works_once(client, auth, clock):
    therapist, codes = turned_on(clock, email="pt@example.com")
    auth.login("pt@example.com")
    page = client.get("/login/two-factor?method=recovery").get_data(as_text=True)
    assert "Recovery code" in page and "Use the code from your app instead" in page
    response = second_step(client, f" {codes[0].lower().replace('-', '')} ", recovery=True)  # case and dash do not matter
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "9 unused recovery codes" in client.get("/settings").get_data(as_text=True)
    auth.logout()
    auth.login("pt@example.com")
    response = second_step(client, codes[0], recovery=True)
    assert response.status_code == 422
    assert "That recovery code did not work" in response.get_data(as_text=True)
    assert second_step(client, codes[1], recovery=True).status_code == 303


def test_the_second_step_without_a_password_goes_to_login(client, clock):
    turned_on(clock, email="pt@example.com")
    response = client.get("/login/two-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    response = client.post("/login/two-factor", data={"code": "123456"})
    assert response.status_code in (303, 400)  # no CSRF token: 400; with one, still the password first
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login/two-factor", data={"code": "123456", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login"


def test_the_second_step_expires_after_five_minutes(client, auth, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    auth.login("pt@example.com")
    token = csrf_from(client.get("/login/two-factor").get_data(as_text=True))
    clock.advance(two_factor_pending_seconds() + 1)
    response = client.post("/login/two-factor", data={"code": code_at(secret_of(therapist), clock.now), "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Please log in again" in client.get("/login").get_data(as_text=True)
    assert not signed_in(client)


def two_factor_pending_seconds() -> int:
    """How long the second step waits for its code."""
    from selfcare import auth

    return auth.PENDING_SECONDS


def test_without_two_step_sign_in_the_password_is_enough(client, auth, clock):
    make_therapist(email="pt@example.com")
    response = auth.login("pt@example.com")
    assert response.headers["Location"] == "/" and signed_in(client)


# ---- Settings afterwards -----------------------------------------------------------------------------


def log_in_with_code(client, auth, therapist: User, clock: Clock) -> None:
    """Both steps of logging in; the clock then moves to the next step."""
    auth.login(therapist.email)
    assert second_step(client, code_at(secret_of(therapist), clock.now)).status_code == 303
    clock.advance(30)


def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(client, auth, clock):
    therapist, old = turned_on(clock, email="pt@example.com")
    log_in_with_code(client, auth, therapist, clock)
    assert client.get("/settings/two-step/recovery-codes").status_code == 200
    assert post_form(client, "/settings/two-step/recovery-codes", code="000000" if code_at(secret_of(therapist), clock.now) != "000000" else "111111").status_code == 422
    response = post_form(client, "/settings/two-step/recovery-codes", code=code_at(secret_of(therapist), clock.now))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    new = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert RecoveryCode.select().count() == 10
    assert not two_factor.use_recovery_code(therapist, old[1])
    assert two_factor.use_recovery_code(therapist, new[1])


def test_turning_off_needs_the_password_and_a_code(client, auth, clock):
    therapist, codes = turned_on(clock, email="pt@example.com")
    log_in_with_code(client, auth, therapist, clock)
    right = code_at(secret_of(therapist), clock.now)
    response = post_form(client, "/settings/two-step/off", password="not my password", code=right)
    assert response.status_code == 422 and "That is not your password." in response.get_data(as_text=True)
    response = post_form(client, "/settings/two-step/off", password=PASSWORD, code="ZZZZZ-ZZZZZ")
    assert response.status_code == 422 and "That code did not work" in response.get_data(as_text=True)
    response = post_form(client, "/settings/two-step/off", password=PASSWORD, code="")
    assert response.status_code == 422
    assert two_factor.is_on(User.get_by_id(therapist.id))

    response = post_form(client, "/settings/two-step/off", password=PASSWORD, code=codes[3])  # a recovery code will do
    assert response.status_code == 303 and response.headers["Location"] == "/settings"
    user = User.get_by_id(therapist.id)
    assert (user.totp_secret, user.totp_enabled_at, RecoveryCode.select().count()) == (None, None, 0)
    assert "Set up two-step sign-in" in client.get("/settings").get_data(as_text=True)
    auth.logout()
    assert auth.login("pt@example.com").headers["Location"] == "/"


def test_turning_off_with_a_code_from_the_app(client, auth, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    log_in_with_code(client, auth, therapist, clock)
    response = post_form(client, "/settings/two-step/off", password=PASSWORD, code=code_at(secret_of(therapist), clock.now))
    assert response.status_code == 303 and not two_factor.is_on(User.get_by_id(therapist.id))


def test_too_many_wrong_codes_in_settings_log_out(client, auth, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    log_in_with_code(client, auth, therapist, clock)
    wrong = "000000" if code_at(secret_of(therapist), clock.now) != "000000" else "111111"
    for _ in range(4):
        assert post_form(client, "/settings/two-step/recovery-codes", code=wrong).status_code == 422
    response = post_form(client, "/settings/two-step/recovery-codes", code=wrong)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert not signed_in(client)


TWO_STEP_PAGES = [
    ("GET", "/settings/two-step/set-up"), ("POST", "/settings/two-step/set-up"), ("POST", "/settings/two-step/start"),
    ("GET", "/settings/two-step/recovery-codes"), ("POST", "/settings/two-step/recovery-codes"),
    ("GET", "/settings/two-step/off"), ("POST", "/settings/two-step/off"),
]


@pytest.mark.parametrize(("method", "url"), TWO_STEP_PAGES)
def test_patients_cannot_reach_the_two_step_pages(client, auth, method, url):
    make_onboarded_patient(email="pat@example.com")
    auth.login("pat@example.com")
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    response = client.open(url, method=method, data={"csrf_token": token, "code": "123456"} if method == "POST" else None)
    assert response.status_code == 403
    assert "Two-step sign-in" not in client.get("/settings").get_data(as_text=True)
    assert User.get(User.email == "pat@example.com").totp_secret is None


@pytest.mark.parametrize("url", [url for method, url in TWO_STEP_PAGES if method == "GET"])
def test_the_two_step_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# ---- Data --------------------------------------------------------------------------------------------


def test_the_export_says_since_when_but_never_the_secret_and_deleting_removes_the_codes(app, clock):
    therapist, codes = turned_on(clock)
    document = export.collect(therapist)
    assert document["account"]["two_step_sign_in_since"] == NOW.replace(tzinfo=UTC).isoformat()
    text = json.dumps(document)
    assert secret_of(therapist) not in text and "totp" not in text
    assert not any(row.code_hash in text for row in RecoveryCode.select())
    export.delete_account(therapist)
    assert RecoveryCode.select().count() == 0


def test_the_demo_therapist_logs_in_with_the_password_alone(app, runner, clock):
    assert runner.invoke(args=["demo"]).exit_code == 0
    sam = User.get(User.email == "sam.therapist@example.com")
    two_factor.confirm_setup(sam, code_at(two_factor.start_setup(sam), NOW))
    assert two_factor.is_on(User.get_by_id(sam.id))
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert not two_factor.is_on(User.get_by_id(sam.id))


def test_a_version_3_database_migrates(app, monkeypatch):
    """Drop what version 4 added (as a version 3 database lacks it), then start again: it is all back."""
    from playhouse.migrate import SchemaMigrator, migrate

    from selfcare import schema
    from selfcare.db import db

    therapist = make_therapist(email="pt@example.com")
    later = [row.version for row in SchemaVersion.select().where(SchemaVersion.version >= 4)]
    version_12 = schema.MIGRATIONS[12 - 2]
    migrator = SchemaMigrator.from_database(db.obj)
    try:
        with db.atomic():
            db.drop_tables([RecoveryCode])
            migrate(*(migrator.drop_column("user", name) for name in
                      ("totp_secret", "totp_enabled_at", "totp_last_timestep", "totp_failures")))
            SchemaVersion.delete().where(SchemaVersion.version >= 4).execute()
        assert "totp_secret" not in {c.name for c in db.get_columns("user")}
        monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])  # up to version 4, whatever comes later
        monkeypatch.setattr(schema, "LATEST", 4)
        assert schema.create_schema() == 4
    finally:
        with db.atomic():
            present = {row.version for row in SchemaVersion.select()}
            SchemaVersion.insert_many([{"version": v} for v in later if v not in present]).execute()
            version_12(migrator)  # makes the secret's column TEXT again (on PostgreSQL), as version 4 did not
    assert {"totp_secret", "totp_enabled_at", "totp_last_timestep", "totp_failures"} <= {c.name for c in db.get_columns("user")}
    assert RecoveryCode.table_exists()
    migrated = User.get_by_id(therapist.id)
    assert (migrated.email, migrated.totp_secret, migrated.totp_enabled_at, migrated.totp_failures) == ("pt@example.com", None, None, 0)
    assert not two_factor.is_on(migrated)


def test_wrong_codes_from_one_address_are_limited(client, auth, clock):
    """Besides the five tries per password and the account's pause: at most TWO_STEP_FAILURES_PER_IP wrong codes from
    one address, across accounts."""
    from selfcare import limits

    allowed = int(limits.TWO_STEP_FAILURES_PER_IP.split()[0])
    for n in range(allowed // two_factor.MAX_FAILURES):  # five wrong codes each for several accounts: none paused
        other, _ = turned_on(clock, email=f"other{n}@example.com")
        wrong = "000000" if code_at(secret_of(other), clock.now) != "000000" else "111111"
        auth.login(other.email)
        for _ in range(two_factor.MAX_FAILURES):
            assert second_step(client, wrong).status_code in (422, 303)
    therapist, _ = turned_on(clock, email="pt@example.com")
    auth.login("pt@example.com")
    response = second_step(client, code_at(secret_of(therapist), clock.now))
    assert response.status_code == 429 and "Too many tries" in response.get_data(as_text=True)
    assert 'id="code-error"' in response.get_data(as_text=True) and not signed_in(client)


def test_the_command_line_turns_it_off_for_someone_locked_out(app, runner, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    result = runner.invoke(args=["turn-off-two-step", "--email", "PT@example.com"])
    assert result.exit_code == 0, result.output
    assert "Two-step sign-in is off for pt@example.com" in result.output
    assert not two_factor.is_on(User.get_by_id(therapist.id)) and RecoveryCode.select().count() == 0
    assert runner.invoke(args=["turn-off-two-step", "--email", "nobody@example.com"]).exit_code == 2
