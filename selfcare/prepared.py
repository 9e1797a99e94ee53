"""Queries turned into SQL once and run again with new values: for the few that run on every page.

peewee builds a query's SQL anew each time it runs: 0.1-0.4 ms of Python per query (the login-session
lookup with its user's columns takes 0.4 ms), while SQLite answers it in a few microseconds. A page that
runs ten queries spent more time writing SQL than running it. A prepared query keeps the SQL and the
order of its parameters per database (SQLite and PostgreSQL write it differently), and reads the rows
back through peewee as before: the same models, the same statements, the same count in the query tests.

    UNCONFIRMED = prepared(lambda patient: Alert.select().where((Alert.patient == patient) & Alert.confirmed_at.is_null()))
    alerts = UNCONFIRMED.all(patient=user.id)

Each argument of the builder is a slot filled at run time with a value as the database stores it (an id,
a key hash; for a time, `Field.db_value(moment)`); everything else in the query is fixed when it is built.

Reading rows back, peewee also works out afresh for every run which column goes to which model field and
how each is converted (its cursor wrapper's `initialize`, ~40% of reading one joined row). The SQL is fixed,
so the answer is too: it is worked out on the first run and given to each later run's wrapper.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

from peewee import Database, Value

from selfcare.db import db


class _Slot:
    """Where a named run-time value goes among the parameters."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


# A cursor wrapper's own state for one run, never carried to the next (peewee's CursorWrapper.__init__).
_PER_RUN = frozenset({"cursor", "count", "index", "initialized", "populated", "row_cache"})


class Prepared:
    """A query built by `build` once per database, its SQL kept, run with the values given each time."""

    def __init__(self, build: Callable[..., Any]) -> None:
        self._build = build
        self._names = list(inspect.signature(build).parameters)
        self._for: tuple[Database, Any, str, list[Any]] | None = None
        self._columns: tuple[Any, dict[str, Any]] | None = None  # (query, what its wrapper's initialize set)

    def _compiled(self) -> tuple[Database, Any, str, list[Any]]:
        """(database, query, sql, parameters with slots) for the bound database, built on first use."""
        database = db.obj
        compiled = self._for
        if compiled is None or compiled[0] is not database:
            query = self._build(**{name: Value(_Slot(name), converter=False) for name in self._names})
            sql, params = query.sql()
            compiled = self._for = (database, query, sql, params)
        return compiled

    def cursor(self, **values: Any) -> tuple[Any, Any]:
        """Run the query with `values` for its slots: (the built query, the database cursor)."""
        _, query, sql, params = self._compiled()
        if set(values) != set(self._names):
            raise TypeError(f"a prepared query takes {self._names}, not {sorted(values)}")
        args = [values[p.name] if isinstance(p, _Slot) else p for p in params]
        return query, db.execute_sql(sql, args)

    def all(self, **values: Any) -> list[Any]:
        """Every row, as the query would give it (models, joined models, tuples or dicts)."""
        query, cursor = self.cursor(**values)
        wrapper = query._get_cursor_wrapper(cursor)
        kept = self._columns
        if kept is not None and kept[0] is query:  # the same SQL (same database): the same columns
            wrapper.__dict__.update(kept[1])
            wrapper.initialized = True
            return list(wrapper)
        before = dict(wrapper.__dict__)
        rows = list(wrapper)
        if wrapper.initialized:  # a row was read: keep what initialize worked out (no row, nothing to keep yet)
            set_up = {k: v for k, v in wrapper.__dict__.items() if k not in _PER_RUN and before.get(k, _Slot) is not v}
            self._columns = (query, set_up)
        return rows

    def first(self, **values: Any) -> Any:
        """The first row, or None (the builder sets its LIMIT)."""
        rows = self.all(**values)
        return rows[0] if rows else None

    def scalar(self, **values: Any) -> Any:
        """The first column of the first row, or None."""
        _, cursor = self.cursor(**values)
        row = cursor.fetchone()
        cursor.fetchall()  # finish the statement: a connection kept in the pool holds no open read
        return None if row is None else row[0]


class PreparedInsert:
    """An INSERT of one row of `model` with every column given (none left to a default), its SQL written once per
    database; `run` returns the new row's id. Values are converted as peewee converts them (each field's db_value)."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._fields = {f.name: f for f in model._meta.sorted_fields if f is not model._meta.primary_key}
        self._for: tuple[Database, str, list[Any]] | None = None

    def _compiled(self) -> tuple[Database, str, list[Any]]:
        """(database, sql, parameters with slots) for the bound database, built on first use."""
        database = db.obj
        compiled = self._for
        if compiled is None or compiled[0] is not database:
            slots = {field: Value(_Slot(name), converter=False) for name, field in self._fields.items()}
            sql, params = self._model.insert(slots).returning(self._model._meta.primary_key).sql()
            compiled = self._for = (database, sql, params)
        return compiled

    def run(self, **values: Any) -> int:
        """Insert the row; its id."""
        if set(values) != set(self._fields):
            raise TypeError(f"{self._model.__name__} needs every column: {sorted(set(self._fields) ^ set(values))}")
        _, sql, params = self._compiled()
        args = [self._fields[p.name].db_value(values[p.name]) if isinstance(p, _Slot) else p for p in params]
        cursor = db.execute_sql(sql, args)
        row = cursor.fetchone()
        cursor.fetchall()  # finish the statement (see Prepared.scalar)
        return int(row[0])

    def create(self, **values: Any) -> Any:
        """Insert the row and return it as a model instance, as Model.create does."""
        instance = self._model(**values)
        instance._pk = self.run(**values)
        instance._dirty.clear()
        return instance


def prepared(build: Callable[..., Any]) -> Prepared:
    """A prepared query from a builder whose arguments are the run-time values (see the module docstring)."""
    return Prepared(build)
