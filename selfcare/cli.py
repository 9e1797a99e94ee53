"""Command-line tasks: flask --app selfcare init-db | create-user | demo | backup | restore | turn-off-two-step |
rebuild-daily-summary."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from selfcare import accounts
from selfcare.backup import backup_command, restore_command
from selfcare.clinical import valid_emergency_number
from selfcare.content import regions
from selfcare.models import Role
from selfcare.schema import create_schema


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the tables and apply migrations (safe to run again)."""
    version = create_schema()
    click.echo(f"Database ready (schema version {version}).")


@click.command("create-user")
@with_appcontext
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.PATIENT.value, show_default=True)
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 10 characters. Leave it out to be asked (hidden, typed twice): a password on the command "
                   "line stays in the shell's history and is seen by other users in the process list.")
@click.option("--name", default=None, help="Shown in the app; defaults to the part of the email before @.")
@click.option("--region", default=None, help="Region code for the emergency number, e.g. UK or US.")
@click.option("--emergency-number", default=None, help="With --region OTHER: the emergency number there (2 to 6 digits).")
@click.option("--timezone", "tz", default="UTC", show_default=True, help="IANA time zone, e.g. Europe/London.")
def create_user_command(role: str, email: str, password: str, name: str | None, region: str | None,
                        emergency_number: str | None, tz: str) -> None:
    """Create a therapist or a patient account (without --password, the password is asked for, hidden)."""
    known = regions()
    if region is not None and region not in known:
        raise click.BadParameter(f"choose one of {', '.join(known)}", param_hint="--region")
    typed = region is not None and known[region].typed_number
    if emergency_number is not None and not typed:
        raise click.BadParameter("only with a region where the number is typed (OTHER)", param_hint="--emergency-number")
    if typed and (emergency_number is None or not valid_emergency_number(emergency_number)):
        raise click.BadParameter("give the emergency number there: 2 to 6 digits", param_hint="--emergency-number")
    if tz != accounts.valid_timezone(tz):
        raise click.BadParameter(f"{tz!r} is not an IANA time zone", param_hint="--timezone")
    try:
        user = accounts.create_user(email, password, name or email.split("@")[0], Role(role), region, tz, emergency_number)
    except accounts.AccountError as error:
        raise click.BadParameter(error.message, param_hint=f"--{error.field}") from None
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create the demo therapist and patients (again safe to run) and print their logins."""
    from selfcare.demo import create_demo

    for line in create_demo():
        click.echo(line)


@click.command("rebuild-daily-summary")
@with_appcontext
def rebuild_daily_summary_command() -> None:
    """Compute every patient's daily summary rows again from their entries (safe to run again)."""
    from selfcare.services.daily_summary import rebuild_all

    patients, rows = rebuild_all()
    click.echo(f"Daily summary rebuilt: {rows} days for {patients} patients.")


@click.command("turn-off-two-step")
@click.option("--email", required=True)
@with_appcontext
def turn_off_two_step_command(email: str) -> None:
    """Turn off two-step sign-in for someone with neither their phone nor a recovery code (make sure it is them first)."""
    from selfcare.models import User
    from selfcare.services import two_factor

    try:
        user = User.get_or_none(User.email == accounts.normalize_email(email))
    except accounts.AccountError as error:
        raise click.BadParameter(error.message, param_hint="--email") from None
    if user is None:
        raise click.BadParameter("there is no account with this email", param_hint="--email")
    two_factor.turn_off(user)
    click.echo(f"Two-step sign-in is off for {user.email}: their password alone logs in until they turn it on again.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (init_db_command, create_user_command, demo_command, backup_command, restore_command,
                    turn_off_two_step_command, rebuild_daily_summary_command):
        app.cli.add_command(command)
