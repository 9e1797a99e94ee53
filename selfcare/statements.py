"""Statements: the queries every page runs, written in peewee, turned into SQL once per database, run with new values.

peewee writes a query's SQL anew each time the query runs: 0.3-0.5 ms of Python for each of the queries here (the
login-session lookup with its user's and profile's columns, a page's ETag), while SQLite answers them in
microseconds. A page of nine queries spent more time writing SQL than running it. A statement is an ordinary
peewee query in a builder whose arguments are what changes from run to run:

    OPEN_ALERTS = Statement(lambda patient: Alert.select(Alert.id, Alert.created_at)
                            .where((Alert.patient == patient) & Alert.acknowledged_at.is_null()))
    rows = OPEN_ALERTS.rows(patient=user.id)   # [(3, datetime(...)), ...]

The builder runs once per database with a placeholder (`peewee.Value`) for each argument; peewee writes the SQL and
its parameters, which are kept. Each run puts the values in the placeholders' places and hands the SQL to the
database. Rows come back as tuples, each column read as peewee reads it (its field's `python_value`; MIN, MAX and
the like of a field as that field). Only peewee's public API is used (`Value`, `Query.sql`, `Select.selected_columns`,
`Database.execute_sql`), and `query(**values)` gives the plain peewee query, which tests compare with.

A value goes to the database as given: pass what the column stores (an id, not a model; a key's hash; a UTC time
as the models keep it). Everything in the builder that is not an argument is fixed at the first run.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from peewee import Database, Field, Function, Node, Select, Value

from selfcare.db import db

Converter = Callable[[Any], Any] | None
M = TypeVar("M")


class Slot:
    """Where a named value of each run goes among a statement's parameters."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


@dataclass(frozen=True)
class Compiled:
    """A statement's SQL for one database: the parameters (fixed values and slots) and each column's converter."""

    database: Database
    sql: str
    params: tuple[Any, ...]
    converters: tuple[Converter, ...]


def converter(node: Node) -> Converter:
    """How peewee reads a selected column: a field by its `python_value`; a function of a field (MIN, MAX, COALESCE:
    not COUNT, SUM, AVG or CAST) as that field, keeping the database's value if it does not read; else as it is."""
    node = node.unwrap()  # an alias reads as what it names
    if isinstance(node, Field):
        return node.python_value
    if isinstance(node, Function) and (node.name or "").lower() not in Function.no_coerce_functions and node.arguments:
        first = node.arguments[0]
        field = first.unwrap() if isinstance(first, Node) else None
        if isinstance(field, Field):
            return as_field_or_as_is(field)
    return None


def as_field_or_as_is(field: Field) -> Callable[[Any], Any]:
    """Read a value as `field` does, or leave it as the database gave it if the field cannot read it."""

    def convert(value: Any) -> Any:
        try:
            return field.python_value(value)
        except (TypeError, ValueError):
            return value

    return convert


class Statement:
    """A SELECT built by `build` (its arguments are the values of each run), its SQL kept for the bound database."""

    def __init__(self, build: Callable[..., Any]) -> None:
        self.build = build
        self.names = tuple(inspect.signature(build).parameters)
        self.compiled: Compiled | None = None  # for the database bound when it was written (tests bind others)

    def query(self, **values: Any) -> Any:
        """The plain peewee query for these values."""
        self.check(values)
        return self.build(**values)

    def check(self, values: dict[str, Any]) -> None:
        """Refuse values that are not exactly the builder's arguments."""
        if set(values) != set(self.names):
            raise TypeError(f"this statement takes {sorted(self.names)}, not {sorted(values)}")

    def sql(self) -> Compiled:
        """The SQL for the bound database, written on the first run against it."""
        database = db.obj
        compiled = self.compiled
        if compiled is None or compiled.database is not database:
            query = self.build(**{name: Value(Slot(name), converter=False) for name in self.names})
            sql, params = query.sql()
            found = {p.name for p in params if isinstance(p, Slot)}
            if found != set(self.names):
                raise TypeError(f"the builder's query does not use {sorted(set(self.names) - found)} as given")
            columns = query.selected_columns if isinstance(query, Select) else ()  # an INSERT reads no columns
            compiled = self.compiled = Compiled(database, sql, tuple(params), tuple(converter(node) for node in columns))
        return compiled

    def execute(self, **values: Any) -> Any:
        """Run the statement with `values`: the database cursor (rows() and first() read it for a SELECT)."""
        self.check(values)
        compiled = self.sql()
        return db.execute_sql(compiled.sql, [values[p.name] if isinstance(p, Slot) else p for p in compiled.params])

    def run(self, **values: Any) -> None:
        """Run a statement that writes (an INSERT), reading to the end whatever it returns (PostgreSQL's RETURNING):
        a connection goes back to the pool with no statement open."""
        cursor = self.execute(**values)
        if cursor.description:
            cursor.fetchall()

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """Every row, each column read as peewee reads it."""
        cursor = self.execute(**values)
        converters = self.sql().converters
        return [read(row, converters) for row in cursor.fetchall()]

    def first(self, **values: Any) -> tuple[Any, ...] | None:
        """The first row, or None (the builder limits the rows it wants)."""
        rows = self.rows(**values)
        return rows[0] if rows else None


def read(row: Sequence[Any], converters: Sequence[Converter]) -> tuple[Any, ...]:
    """A row's values, each through its column's converter (None stays None, as in peewee)."""
    return tuple(value if convert is None or value is None else convert(value)
                 for value, convert in zip(row, converters))


def as_model(model: Callable[..., M], fields: Sequence[Field], values: Sequence[Any]) -> M:
    """An instance of `model` holding a row's values of `fields` (selected in that order), for code that reads a
    model's attributes: `as_model(Alert, ALERT_FIELDS, row)` where the statement selected `*ALERT_FIELDS`."""
    return model(**{field.name: value for field, value in zip(fields, values)})
