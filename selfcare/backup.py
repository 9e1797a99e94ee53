"""Backups: an online SQLite copy (safe while the app runs) and a checked restore; pg_dump commands for PostgreSQL.

flask --app selfcare backup PATH [--force]     SQLite: copy now; PostgreSQL: print the pg_dump command
flask --app selfcare restore PATH --yes        SQLite: check, keep the current file, copy in; PostgreSQL: pg_restore command
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from playhouse.db_url import parse as parse_url

from selfcare.db import db, is_postgresql
from selfcare.models import SchemaVersion
from selfcare.schema import LATEST, create_schema

SQLITE_MAGIC = b"SQLite format 3\x00"
VERSION_TABLE = SchemaVersion._meta.table_name


class BackupError(click.ClickException):
    """A backup or restore that cannot go ahead: the message says why (exit status 1)."""


@dataclass(frozen=True)
class Summary:
    """What a database file holds: rows per table, schema version and size."""

    path: Path
    rows: dict[str, int]
    version: int
    size: int

    def lines(self) -> list[str]:
        """The summary as printed: size and version, then one line per table."""
        width = max((len(name) for name in self.rows), default=0)
        head = f"{self.path}: {_size(self.size)}, schema version {self.version}, {sum(self.rows.values())} rows"
        return [head] + [f"  {name:<{width}}  {count:>8}" for name, count in self.rows.items()]


def _size(n: float) -> str:
    """Bytes for a person: 1.2 MB."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError


def sqlite_file() -> Path:
    """The bound SQLite database's file."""
    return Path(db.obj.database)


def summarize(path: Path) -> Summary:
    """Check that `path` is an SQLite database of ours and count its rows (raises BackupError if not)."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    if magic != SQLITE_MAGIC:
        raise BackupError(f"{path} is not an SQLite database.")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} is damaged (PRAGMA quick_check failed).")
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        if VERSION_TABLE not in tables:
            raise BackupError(f"{path} is an SQLite database but not a selfcare one (it has no {VERSION_TABLE} table).")
        version = conn.execute(f'SELECT MAX(version) FROM "{VERSION_TABLE}"').fetchone()[0] or 0
        rows = {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in tables}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is damaged: SQLite says {error!s}.") from None
    finally:
        conn.close()
    return Summary(path, rows, version, path.stat().st_size)


def copy_sqlite(source: Path, target: Path, force: bool = False) -> Summary:
    """Copy the live database `source` to `target` with SQLite's backup API; a temp file is renamed into place.

    The copy is one consistent snapshot, taken while other connections keep writing (WAL included).
    """
    if not source.exists():
        raise BackupError(f"There is no database at {source} to back up.")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists. Choose another name, or add --force to replace it.")
    if target.is_dir():
        raise BackupError(f"{target} is a folder. Give the backup a file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    temp = Path(name)
    try:
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(temp)
        try:
            src.backup(dst)  # all pages in one step: a snapshot, never restarted by concurrent writes
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
            src.close()
        with open(temp, "rb") as fh:
            os.fsync(fh.fileno())
        summary = summarize(temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return Summary(target, summary.rows, summary.version, summary.size)


def restore_sqlite(backup: Path, target: Path) -> tuple[Summary, Path | None]:
    """Check `backup`, keep a copy of the current `target`, then copy `backup` over it; the summary and that copy.

    The copy in goes through the backup API inside one write transaction, so the app's connections see the old
    database or the restored one, never a mixture.
    """
    summary = summarize(backup)
    if summary.version > LATEST:
        raise BackupError(f"{backup} has schema version {summary.version}, newer than this selfcare ({LATEST}). "
                          "Restore it with the version of selfcare that made it.")
    if backup.resolve() == target.resolve():
        raise BackupError(f"{backup} is the database itself.")
    kept = None
    if target.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = copy_sqlite(target, target.with_name(f"{target.name}.before-restore-{stamp}")).path
    src = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        dst.execute("PRAGMA journal_mode = WAL")  # as the app runs it (and the backup API keeps it so)
        src.backup(dst)
    except sqlite3.OperationalError as error:
        raise BackupError(f"Could not restore into {target}: {error}. Stop the app and try again.") from None
    finally:
        dst.close()
        src.close()
    return summary, kept


@dataclass(frozen=True)
class Postgres:
    """The parts of a PostgreSQL URL that pg_dump and pg_restore take as options (never the password)."""

    host: str | None
    port: int | None
    user: str | None
    database: str
    has_password: bool

    def options(self) -> list[str]:
        """-h, -p, -U and the database name, as given."""
        opts = []
        for flag, value in (("-h", self.host), ("-p", self.port), ("-U", self.user)):
            if value:
                opts += [flag, str(value)]
        return opts


def postgres_target() -> Postgres:
    """The configured PostgreSQL database."""
    params = parse_url(current_app.config["DATABASE_URL"])
    return Postgres(params.get("host"), params.get("port"), params.get("user"), params["database"], bool(params.get("password")))


def _password_note(pg: Postgres) -> str:
    """How pg_dump/pg_restore get the password we leave out."""
    if not pg.has_password:
        return "The configured URL has no password; the server's own authentication applies."
    return "The password is left out here: pg_dump asks for it, or set PGPASSWORD or use ~/.pgpass."


def pg_dump_command(pg: Postgres, path: Path) -> str:
    """The pg_dump command for a custom-format backup of `pg` into `path`."""
    return shlex.join(["pg_dump", "-Fc", *pg.options(), "-f", str(path), pg.database])


def pg_restore_command(pg: Postgres, path: Path) -> str:
    """The pg_restore command that replaces `pg`'s contents with the custom-format backup at `path`."""
    return shlex.join(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *pg.options(),
                       "-d", pg.database, str(path)])


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Back up the database to PATH (SQLite: online, safe while the app runs; PostgreSQL: prints the pg_dump command)."""
    if is_postgresql():
        pg = postgres_target()
        click.echo("This database is PostgreSQL: back it up with pg_dump (custom format). Nothing was written.", err=True)
        click.echo(f"  {pg_dump_command(pg, path)}", err=True)
        click.echo(_password_note(pg), err=True)
        raise SystemExit(1)
    summary = copy_sqlite(sqlite_file(), path, force)
    click.echo(f"Backed up {sqlite_file()} to")
    for line in summary.lines():
        click.echo(line)


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace the current database without asking.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH (SQLite: the current file is kept beside it first)."""
    if is_postgresql():
        pg = postgres_target()
        click.echo("This database is PostgreSQL: restore a pg_dump backup with pg_restore, the app stopped. "
                   "Nothing was changed.", err=True)
        click.echo(f"  {pg_restore_command(pg, path)}", err=True)
        click.echo(_password_note(pg), err=True)
        raise SystemExit(1)
    target = sqlite_file()
    summary = summarize(path)  # refuse a bad file before asking anything
    for line in summary.lines():
        click.echo(line)
    if not yes and not click.confirm(f"Replace {target} with this backup? Stop the app first.", default=False):
        raise BackupError("Nothing restored.")
    summary, kept = restore_sqlite(path, target)
    if kept is not None:
        click.echo(f"The database as it was is kept in {kept}.")
    version = create_schema()  # an older backup is brought up to this version's schema
    click.echo(f"Restored {path} into {target} (schema version {version}). Restart the app.")
