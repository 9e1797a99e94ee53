"""The one database object: SQLite in the instance folder by default, pooled PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from peewee import Database, DatabaseProxy
from playhouse.db_url import parse as parse_url
from playhouse.pool import PooledDatabase, PooledPostgresqlDatabase, PooledSqliteDatabase

from selfcare.config import private_file, private_folder

db = DatabaseProxy()

# WAL lets readers run beside a writer; busy_timeout waits for a lock instead of failing;
# IMMEDIATE takes the write lock when a transaction starts, so read-then-write transactions
# never fail half-way with "database is locked" (measured in TOOLING.md).
SQLITE_PRAGMAS = {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1, "synchronous": "normal"}


def _sqlite(path: str, pool_size: int) -> Database:
    """SQLite kept open between requests: a pool, like PostgreSQL's. The file is the owner's only (0600).

    Opening a connection ran the four pragmas, and closing the last one after a write checkpointed the WAL into
    the database file (an fsync) on every request; a kept connection checkpoints every 1,000 pages instead. A
    connection goes back to the pool at the end of each request with any transaction rolled back, and may be taken
    by another thread of a threaded server (never by two at once: check_same_thread is the pool's job).
    """
    private_file(Path(path))
    return PooledSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE", max_connections=pool_size,
                                stale_timeout=300, timeout=10, check_same_thread=False)


def make_database(url: str | None, instance_path: Path, pool_size: int = 8) -> Database:
    """Build the database named by `url` (None: SQLite file in the instance folder)."""
    if not url:
        private_folder(instance_path)
        return _sqlite(str(instance_path / "selfcare.db"), pool_size)
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = url.split("sqlite:///", 1)[1] if "sqlite:///" in url else ""
        if not path:
            raise ValueError("An SQLite URL needs a file path, e.g. sqlite:////var/lib/selfcare/selfcare.db")
        return _sqlite(path, pool_size)
    if scheme in {"postgres", "postgresql"}:
        params: dict[str, Any] = parse_url(url)
        name = params.pop("database")
        # psycopg 3, not psycopg2: it sends the values apart from the SQL and, once a statement has run a few times on a
        # connection (prepare_threshold, 5 by default), has the server keep its plan. Planning was most of the time of
        # a page's short queries (0.19 of 0.34 ms for the patient tag's); the statements' SQL is the same on every run
        # (selfcare/statements.py), so a kept connection plans each one once.
        return PooledPostgresqlDatabase(name, max_connections=pool_size, stale_timeout=300, timeout=10,
                                        prefer_psycopg3=True, **params)
    raise ValueError(f"SELFCARE_DATABASE_URL must start with sqlite:/// or postgresql://, not {scheme or url!r}")


def is_postgresql() -> bool:
    """Whether the bound database is PostgreSQL."""
    return isinstance(db.obj, PooledPostgresqlDatabase)


def close_database() -> None:
    """Close every connection of the bound database (pooled ones included)."""
    if db.obj is None:
        return
    if not db.is_closed():
        db.close()
    if isinstance(db.obj, PooledDatabase):
        db.obj.close_all()


def init_app(app: Flask) -> None:
    """Bind the database for `app` and open/close a connection around each request."""
    db.initialize(make_database(app.config["DATABASE_URL"], Path(app.instance_path), app.config["DB_POOL_SIZE"]))

    @app.before_request
    def _connect() -> None:
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc: BaseException | None) -> None:
        if not db.is_closed():
            db.close()
