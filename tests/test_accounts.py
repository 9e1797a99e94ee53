"""The accounts service and data layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash

from selfcare import accounts
from selfcare.models import CareLink, User
from tests.factories import PASSWORD, make_patient, make_therapist


@pytest.mark.full_password_cost
def test_password_is_hashed_with_scrypt_at_full_cost(app):
    user = make_patient(email="pat@example.com")
    assert user.password_hash.startswith("scrypt:32768:8:1$")  # werkzeug's scrypt: N=2**15, r=8, p=1
    assert PASSWORD not in user.password_hash
    assert check_password_hash(user.password_hash, PASSWORD)


def test_email_is_stored_lower_case_and_unique(app):
    make_patient(email="Pat@Example.com")
    assert User.get().email == "pat@example.com"
    with pytest.raises(accounts.AccountError) as raised:
        make_patient(email="PAT@example.COM ")
    assert raised.value.field == "email"
    assert User.select().count() == 1


@pytest.mark.parametrize(
    ("email", "password", "name", "field"),
    [
        ("", PASSWORD, "Pat", "email"),
        ("not-an-email", PASSWORD, "Pat", "email"),
        ("a" * 250 + "@example.com", PASSWORD, "Pat", "email"),
        ("pat@example.com", "short", "Pat", "password"),
        ("pat@example.com", "x" * (accounts.PASSWORD_MAX + 1), "Pat", "password"),
        ("pat@example.com", PASSWORD, "   ", "name"),
        ("pat@example.com", PASSWORD, "n" * (accounts.NAME_MAX + 1), "name"),
    ],
)
def test_bad_account_input_names_the_field_and_stores_nothing(app, email, password, name, field):
    with pytest.raises(accounts.AccountError) as raised:
        accounts.create_user(email, password, name)
    assert raised.value.field == field
    assert raised.value.message
    assert User.select().count() == 0


def test_authenticate(app):
    make_patient(email="pat@example.com")
    assert accounts.authenticate(" PAT@example.com", PASSWORD).email == "pat@example.com"
    assert accounts.authenticate("pat@example.com", "wrong password") is None
    assert accounts.authenticate("nobody@example.com", PASSWORD) is None
    assert accounts.authenticate("", "") is None


def test_unknown_timezone_falls_back_to_utc(app):
    assert make_patient(timezone="Mars/Olympus").timezone == "UTC"
    assert make_patient(timezone="America/Chicago").timezone == "America/Chicago"


def test_care_links_show_only_current_patients(app):
    therapist, other = make_therapist(), make_therapist()
    zoe, adam, bea = make_patient(name="Zoe"), make_patient(name="Adam"), make_patient(name="Bea")
    accounts.link(therapist, zoe)
    accounts.link(therapist, adam)
    ended = accounts.link(therapist, bea)
    ended.ended_at = ended.created_at
    ended.save()
    accounts.link(other, bea)
    assert [p.name for p in accounts.linked_patients(therapist)] == ["Adam", "Zoe"]
    assert [p.name for p in accounts.linked_patients(other)] == ["Bea"]
    assert [t.id for t in accounts.linked_therapists(bea)] == [other.id]
    accounts.link(therapist, bea)  # linking again revives the ended link, never a second row
    assert CareLink.select().where(CareLink.patient == bea).count() == 2
    assert [p.name for p in accounts.linked_patients(therapist)] == ["Adam", "Bea", "Zoe"]


def test_a_link_joins_a_therapist_to_a_patient(app):
    with pytest.raises(accounts.AccountError):
        accounts.link(make_patient(), make_patient())
    assert CareLink.select().count() == 0
