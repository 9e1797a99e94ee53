"""What is left of the prepared queries: a query builder run with new values each time, as a plain peewee query.

It once kept each query's SQL and peewee's column set-up between runs by copying the cursor wrapper's state; that
copied library internals and is gone. Only History and the caseload still call these (their own rewrites read
plainly); when they stop, delete this module.

    UNCONFIRMED = prepared(lambda patient: Alert.select().where((Alert.patient == patient) & Alert.confirmed_at.is_null()))
    alerts = UNCONFIRMED.all(patient=user.id)
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

from selfcare.db import db


class Prepared:
    """A query built by `build` from the values given to each run."""

    def __init__(self, build: Callable[..., Any]) -> None:
        self.build = build
        self.names = list(inspect.signature(build).parameters)

    def query(self, **values: Any) -> Any:
        """The peewee query for these values (every argument of the builder, no other)."""
        if set(values) != set(self.names):
            raise TypeError(f"a prepared query takes {self.names}, not {sorted(values)}")
        return self.build(**values)

    def cursor(self, **values: Any) -> tuple[Any, Any]:
        """Run the query with `values`: (the query, the database cursor with its raw rows)."""
        query = self.query(**values)
        return query, db.execute(query)

    def all(self, **values: Any) -> list[Any]:
        """Every row, as the query gives it (models, joined models, tuples or dicts)."""
        return list(self.query(**values))

    def first(self, **values: Any) -> Any:
        """The first row, or None."""
        return self.query(**values).first()

    def scalar(self, **values: Any) -> Any:
        """The first column of the first row, or None."""
        return self.query(**values).scalar()


def prepared(build: Callable[..., Any]) -> Prepared:
    """A query from a builder whose arguments are the run-time values."""
    return Prepared(build)
