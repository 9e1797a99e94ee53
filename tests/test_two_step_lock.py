"""Wrong two-step codes are counted on the account across password entries: after LOCK_AFTER, codes from the app
pause for LOCK_FOR (a calm 429 naming the wait), the owner gets one email per pause, and a recovery code still works.
The Settings code forms count towards the same number."""

from __future__ import annotations

from selfcare import mail
from selfcare.models import RecoveryCode, User
from selfcare.services import two_factor
from tests.conftest import Auth, csrf_from
from tests.factories import PASSWORD, make_therapist
from tests.test_two_factor import clock, code_at, post_form, second_step, secret_of, signed_in, turned_on  # noqa: F401

PAUSED = "Too many tries. Please try again in 15 minutes."


def wrong_code(therapist: User, clock) -> str:
    """A code that is not the app's at this moment."""
    return "000000" if code_at(secret_of(therapist), clock.now) != "000000" else "111111"


def wrong_codes_after_passwords(client, auth, therapist: User, clock, counts: list[int]) -> list[int]:
    """For each number in `counts`: the password again, then that many wrong codes; the statuses of the codes."""
    statuses = []
    for count in counts:
        auth.login(therapist.email)
        statuses += [second_step(client, wrong_code(therapist, clock)).status_code for _ in range(count)]
    return statuses


def lock_mails(app) -> list[mail.Message]:
    """The emails telling an owner about wrong codes."""
    return [m for m in mail.outbox(app) if m.subject == two_factor.LOCK_SUBJECT]


def test_a_right_password_does_not_reset_the_count_and_ten_wrong_codes_pause_the_app_codes(app, client, auth, clock):
    therapist, recovery = turned_on(clock, email="pt@example.com")
    statuses = wrong_codes_after_passwords(client, auth, therapist, clock, [4, 4, 2])
    assert statuses[:-1] == [422] * 9
    assert statuses[-1] == 429  # the tenth, across three passwords

    auth.login("pt@example.com")
    response = second_step(client, code_at(secret_of(therapist), clock.now))  # even the right code is not checked
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and PAUSED in page and "a recovery code still works" in page
    assert "flask turn-off-two-step" in page
    assert 840 < int(response.headers["Retry-After"]) <= 900
    assert not signed_in(client)

    [sent] = lock_mails(app)
    assert sent.to == "pt@example.com" and "Someone entered wrong sign-in codes for your selfcare account" in sent.body
    assert secret_of(therapist) not in sent.body and not any(code in sent.body for code in recovery)
    assert wrong_code(therapist, clock) not in sent.body and "15 minutes" in sent.body

    response = second_step(client, recovery[0], recovery=True)  # the way out
    assert response.status_code == 303 and response.headers["Location"] == "/" and signed_in(client)
    assert User.get_by_id(therapist.id).totp_failures == 0 and two_factor.locked_until(therapist) is None


def test_the_pause_ends_after_fifteen_minutes_and_one_more_wrong_code_pauses_again(app, client, auth, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    wrong_codes_after_passwords(client, auth, therapist, clock, [5, 5])
    assert two_factor.locked_until(therapist) is not None and len(lock_mails(app)) == 1
    wrong_codes_after_passwords(client, auth, therapist, clock, [3])  # during the pause: not checked, not counted again
    assert len(lock_mails(app)) == 1

    clock.advance(15 * 60 + 1)
    assert two_factor.locked_until(therapist) is None
    assert wrong_codes_after_passwords(client, auth, therapist, clock, [1]) == [429]  # still over ten: paused again
    assert len(lock_mails(app)) == 2

    clock.advance(15 * 60 + 1)
    auth.login("pt@example.com")
    response = second_step(client, code_at(secret_of(therapist), clock.now))
    assert response.status_code == 303 and signed_in(client)
    assert User.get_by_id(therapist.id).totp_failures == 0  # a right code clears the count


def test_five_wrong_codes_still_ask_for_the_password_again(client, auth, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    statuses = wrong_codes_after_passwords(client, auth, therapist, clock, [5])
    assert statuses == [422] * 4 + [303]
    assert client.get("/login/two-factor").headers["Location"] == "/login"


def log_in_with_code(client, auth, therapist: User, clock) -> None:
    """Both steps of logging in; the clock then moves to the next step."""
    auth.login(therapist.email)
    assert second_step(client, code_at(secret_of(therapist), clock.now)).status_code == 303
    clock.advance(30)


def test_wrong_codes_in_settings_count_towards_the_same_pause(app, client, auth, clock):
    therapist, recovery = turned_on(clock, email="pt@example.com")
    log_in_with_code(client, auth, therapist, clock)
    wrong = wrong_code(therapist, clock)
    for _ in range(3):
        assert post_form(client, "/settings/two-step/recovery-codes", code=wrong).status_code == 422
    assert post_form(client, "/settings/two-step/off", password=PASSWORD, code=wrong).status_code == 422
    response = post_form(client, "/settings/two-step/off", password=PASSWORD, code="ZZZZZ-ZZZZZ")
    assert response.status_code == 303 and response.headers["Location"] == "/login"  # five: logged out, as before
    assert User.get_by_id(therapist.id).totp_failures == 5

    elsewhere = app.test_client()  # a browser never logged in to the account: the account's count applies
    statuses = wrong_codes_after_passwords(elsewhere, Auth(elsewhere), therapist, clock, [5])  # the password resets nothing
    assert statuses == [422] * 4 + [429]
    assert len(lock_mails(app)) == 1


def test_while_paused_settings_check_no_app_code_but_a_recovery_code_turns_it_off(app, client, auth, clock):
    therapist, recovery = turned_on(clock, email="pt@example.com")
    log_in_with_code(client, auth, therapist, clock)
    User.update(totp_failures=two_factor.LOCK_AFTER, totp_locked_until=clock.now + two_factor.LOCK_FOR).where(
        User.id == therapist.id).execute()  # paused by wrong codes elsewhere
    right = code_at(secret_of(therapist), clock.now)
    response = post_form(client, "/settings/two-step/recovery-codes", code=right)
    assert response.status_code == 429 and PAUSED in response.get_data(as_text=True)
    assert "Retry-After" in response.headers and RecoveryCode.select().count() == 10
    response = post_form(client, "/settings/two-step/off", password=PASSWORD, code=right)
    assert response.status_code == 429 and two_factor.is_on(User.get_by_id(therapist.id))
    response = post_form(client, "/settings/two-step/off", password=PASSWORD, code=recovery[0])
    assert response.status_code == 303 and not two_factor.is_on(User.get_by_id(therapist.id))
    user = User.get_by_id(therapist.id)
    assert (user.totp_failures, user.totp_locked_until) == (0, None)


def test_wrong_codes_while_setting_up_count_too(app, client, auth, clock):
    therapist = make_therapist(email="pt@example.com")
    auth.login("pt@example.com")
    client.post("/settings/two-step/start", data={"csrf_token": csrf_from(client.get("/settings").get_data(as_text=True))})
    secret = two_factor.pending_secret(therapist)
    wrong = "000000" if code_at(secret, clock.now) != "000000" else "111111"
    statuses = [post_form(client, "/settings/two-step/set-up", code=wrong).status_code for _ in range(two_factor.LOCK_AFTER)]
    assert statuses == [422] * two_factor.LOCK_AFTER
    response = post_form(client, "/settings/two-step/set-up", code=code_at(secret, clock.now))
    assert response.status_code == 429 and PAUSED in response.get_data(as_text=True)
    assert not two_factor.is_on(User.get_by_id(therapist.id)) and len(lock_mails(app)) == 1
    clock.advance(15 * 60 + 1)
    response = post_form(client, "/settings/two-step/set-up", code=code_at(secret, clock.now))
    assert response.status_code == 200 and two_factor.is_on(User.get_by_id(therapist.id))
