"""Count the SQL statements the app runs, on SQLite and PostgreSQL alike.

    with count_queries() as queries:
        client.get("/today")
    assert queries.count == 7, queries.report()

It wraps `execute_sql` of the database bound to `selfcare.db.db` while the block runs, so every
peewee query, `db.execute_sql(...)` call and raw cursor made through peewee is seen. Transaction
noise (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) is left out of `count` but kept in `all`;
SQLite pragmas set on connect and the driver's own transaction commands never pass through
`execute_sql`, so they are not counted either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from selfcare.db import db

NOISE_RE = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|END)\b", re.IGNORECASE)


@dataclass
class QueryCounter:
    """The statements run inside a `count_queries()` block."""

    all: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)  # the parameters of each statement in `all`
    _database: Any = None

    @property
    def statements(self) -> list[str]:
        """The real statements: transaction noise left out."""
        return [sql for sql in self.all if not NOISE_RE.match(sql)]

    @property
    def count(self) -> int:
        """How many real statements ran."""
        return len(self.statements)

    def report(self, limit: int = 200) -> str:
        """The statements, numbered, one a line (for an assertion message)."""
        lines = [f"{self.count} statements:"]
        for number, sql in enumerate(self.statements[:limit], 1):
            lines.append(f"{number:3}. {_short(sql)}")
        if self.count > limit:
            lines.append(f"... and {self.count - limit} more")
        return "\n".join(lines)

    def __enter__(self) -> QueryCounter:
        """Start counting on the currently bound database."""
        database = db.obj
        if database is None:
            raise RuntimeError("count_queries() needs an app: selfcare.db.db is not initialised")
        original = database.execute_sql

        def counting_execute_sql(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
            self.all.append(sql)
            self.params.append(params)
            return original(sql, params, *args, **kwargs)

        database.execute_sql = counting_execute_sql
        self._database = database
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        """Stop counting: the database's own method is back."""
        if self._database is not None:
            del self._database.execute_sql  # the instance attribute shadowed the class method
            self._database = None


COLUMNS_RE = re.compile(r"^SELECT (?!COUNT)(.{60,}?) FROM ", re.DOTALL)


def _short(sql: str) -> str:
    """A statement with a long column list cut down, so its FROM and WHERE stand out."""
    return COLUMNS_RE.sub("SELECT … FROM ", sql, count=1)


def count_queries() -> QueryCounter:
    """A context manager that records every SQL statement run inside it."""
    return QueryCounter()
