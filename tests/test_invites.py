"""Invite codes: each works once (a used code never links again), kept only as a hash, shown to the therapist once."""

from __future__ import annotations

import re

import pytest

import selfcare.limits
from selfcare import accounts
from selfcare.models import CareLink, Invite
from selfcare.services.hashed import digest
from tests.conftest import client_for, csrf_from, post_from
from tests.factories import make_onboarded_patient, make_therapist
from tests.patient_helpers import onboard

UNKNOWN = "We could not find that code. Check it with the therapist who gave it to you."
ANSWERS = {
    "legs": "right", "symptoms_started": "2026-10-20", "region": "US", "baseline_walk_minutes": "8",
    "cancer_history": "no", "immune_risk": "no", "share": "y",
}
SHOWN_CODE = re.compile(r'class="code">([A-Z0-9]{4})-([A-Z0-9]{4})<')


@pytest.fixture
def people(app):
    """Dana, a therapist, and Robin, an onboarded patient not linked to her."""
    return {"dana": make_therapist(email="dana@example.com", name="Dana"),
            "robin": make_onboarded_patient(email="robin@example.com", name="Robin")}


def share(client, code):
    """Follow the invite link and agree to share."""
    return client.post(f"/link/{code}", data={"csrf_token": csrf_from(client.get("/today").get_data(as_text=True)), "share": "y"})


def open_links(patient) -> int:
    """The patient's care links that are not ended."""
    return CareLink.select().where((CareLink.patient == patient.id) & CareLink.ended_at.is_null()).count()


# ---- A code works once -------------------------------------------------------------------------------

@pytest.mark.parametrize("ender", ["therapist", "patient"])
def test_a_used_code_does_not_link_again_after_the_link_ended(app, people, ender):
    dana, robin = people["dana"], people["robin"]
    code = accounts.create_invite(dana).code
    patient = client_for(app, robin.email)
    assert share(patient, code).status_code == 303 and open_links(robin) == 1
    if ender == "therapist":
        therapist = client_for(app, dana.email)
        assert post_from(therapist, f"/therapist/patients/{robin.id}/end-link", "/therapist/invites").status_code == 303
    else:
        assert post_from(patient, f"/care-team/{dana.id}/end", "/today").status_code == 303
    assert open_links(robin) == 0

    shown = patient.get(f"/link/{code}")  # the link page: as for a code that never was
    assert shown.status_code == 404 and UNKNOWN in shown.get_data(as_text=True) and "has invited you" not in shown.get_data(as_text=True)
    again = share(patient, code)
    assert again.status_code in (404, 422) and UNKNOWN in again.get_data(as_text=True)
    typed = onboard(patient, ANSWERS, invite_code=code)  # the onboarding form's code field
    assert typed.status_code == 422 and UNKNOWN in typed.get_data(as_text=True)
    with pytest.raises(accounts.AccountError, match="could not find that code"):
        accounts.redeem_invite(robin, code)
    assert open_links(robin) == 0 and CareLink.select().count() == 1


def test_a_used_code_is_refused_like_an_unknown_one_for_anyone(app, people):
    code = accounts.create_invite(people["dana"]).code
    accounts.redeem_invite(people["robin"], code)
    other = make_onboarded_patient(email="sam@example.com")
    for patient in (people["robin"], other):  # the patient who used it, and someone else
        with pytest.raises(accounts.AccountError) as refused:
            accounts.redeem_invite(patient, code)
        assert refused.value.message == UNKNOWN
    assert open_links(other) == 0


def test_used_codes_count_towards_the_wrong_code_limit(app, people):
    code = accounts.create_invite(people["dana"]).code
    patient = client_for(app, people["robin"].email)
    assert share(patient, code).status_code == 303
    for _ in range(int(selfcare.limits.INVITE_FAILURES_PER_USER.split()[0])):
        assert patient.get(f"/link/{code}").status_code == 404
    fresh = accounts.create_invite(people["dana"]).code
    assert patient.get(f"/link/{fresh}").status_code == 429


# ---- Kept as a hash, shown once ----------------------------------------------------------------------

def test_codes_are_kept_only_as_their_hash(app, people):
    made = accounts.create_invite(people["dana"])
    row = Invite.get_by_id(made.row.id)
    assert row.code_hash == digest(made.code)
    assert made.code not in repr(row.__data__) and "code" not in Invite._meta.fields
    spaced = f"{made.code[:4].lower()} - {made.code[4:]}"  # typed as people type it: the same code
    assert accounts.redeem_invite(people["robin"], spaced).therapist_id == people["dana"].id


def test_the_therapist_sees_a_new_code_once_then_only_when_it_was_made(app, people):
    dana = client_for(app, people["dana"].email)
    made = post_from(dana, "/therapist/invites", "/therapist/invites")
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    html = made.get_data(as_text=True)
    found = SHOWN_CODE.search(html)
    assert found, "the new code is shown"
    code = found.group(1) + found.group(2)
    assert f"/link/{code}" in html
    later = dana.get("/therapist/invites").get_data(as_text=True)
    assert code not in later and found.group(0) not in later
    assert "Invite made on" in later and "Not used yet" in later and "Works until" in later
    assert share(client_for(app, people["robin"].email), code).status_code == 303
    page = dana.get("/therapist/invites").get_data(as_text=True)
    assert "Used on" in page and code not in page


def test_the_therapist_can_cancel_an_unused_code(app, people):
    made = accounts.create_invite(people["dana"])
    dana = client_for(app, people["dana"].email)
    page = dana.get("/therapist/invites").get_data(as_text=True)
    assert f"/therapist/invites/{made.row.id}/cancel" in page
    assert post_from(dana, f"/therapist/invites/{made.row.id}/cancel", "/therapist/invites").status_code == 303
    assert Invite.select().count() == 0
    with pytest.raises(accounts.AccountError, match="could not find that code"):
        accounts.redeem_invite(people["robin"], made.code)


def test_only_the_therapist_who_made_an_unused_code_can_cancel_it(app, people):
    made = accounts.create_invite(people["dana"])
    make_therapist(email="lee@example.com")
    lee = client_for(app, "lee@example.com")
    assert post_from(lee, f"/therapist/invites/{made.row.id}/cancel", "/therapist/invites").status_code == 404
    accounts.redeem_invite(people["robin"], made.code)
    dana = client_for(app, people["dana"].email)
    assert post_from(dana, f"/therapist/invites/{made.row.id}/cancel", "/therapist/invites").status_code == 404  # used: kept
    assert Invite.select().count() == 1


def test_codes_made_before_hashing_keep_working_after_the_migration(app, people):
    """Issue 19's migration: an invite table with plain codes gets their hashes; unused codes still link, used ones
    do not, and running the migration again is harmless."""
    from peewee import CharField, Table
    from playhouse.migrate import SchemaMigrator, migrate

    from selfcare import schema
    from selfcare.db import db

    dana, robin = people["dana"], people["robin"]
    unused, used = accounts.create_invite(dana), accounts.create_invite(dana)
    accounts.redeem_invite(make_onboarded_patient(email="sam@example.com"), used.code)
    migrator = SchemaMigrator.from_database(db.obj)
    with app.app_context(), db.atomic():  # back to the old shape: the plain code, no hash
        migrate(migrator.add_column("invite", "code", CharField(max_length=16, null=True)))
        old = Table("invite", ("id", "code", "code_hash")).bind(db)
        for made in (unused, used):
            old.update({old.code: made.code}).where(old.id == made.row.id).execute()
        migrate(migrator.drop_index("invite", "invite_code_hash"), migrator.drop_column("invite", "code_hash"))
        migrate(migrator.add_index("invite", ("code",), unique=True))
        assert "code_hash" not in {c.name for c in db.get_columns("invite")}
    hash_codes = next(m for m in schema.MIGRATIONS if m.__name__.endswith("_invite_code_hashes"))
    with app.app_context(), db.atomic():
        hash_codes(migrator)
        hash_codes(migrator)  # again: nothing to do
    with app.app_context():
        assert {c.name for c in db.get_columns("invite")} == {"id", "therapist_id", "code_hash", "created_at", "expires_at",
                                                              "used_by_id", "used_at"}
        assert any(i.unique and i.columns == ["code_hash"] for i in db.get_indexes("invite"))
    assert accounts.redeem_invite(robin, unused.code).therapist_id == dana.id
    with pytest.raises(accounts.AccountError):
        accounts.redeem_invite(robin, used.code)
