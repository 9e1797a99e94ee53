"""Light rows: a query's columns read without building peewee models, for pages that read thousands of rows.

Building a model per row (and peewee's strptime for every time) took most of the time of the pages that
read a patient's year or a therapist's caseload. Both drivers return integer and text columns as int and
str already; only times (text on SQLite, a datetime on PostgreSQL) and JSON text are converted here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from peewee import DateTimeField, Field, Select

from selfcare.db import db
from selfcare.models import JSONField
from selfcare.prepared import Prepared


class Loaded:
    """A row read without building a peewee model: its columns as attributes and in `__data__`, as a model has them."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__ = data

    @property
    def __data__(self) -> dict[str, Any]:
        """The columns by field name (the raw foreign keys, as on a model)."""
        return self.__dict__


def stored_time(value: Any) -> Any:
    """A stored time: SQLite returns text (fromisoformat is many times faster than peewee's strptime), PostgreSQL a datetime."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _json(value: Any) -> Any:
    """A JSONField's text as its value."""
    return json.loads(value) if isinstance(value, str) else value


def converters(columns: Sequence[Field], own: Mapping[str, Callable[[Any], Any]] | None = None) -> list[tuple[int, Callable[[Any], Any]]]:
    """(position, converter) for each column that needs one: times, JSON, and `own` ones by field name."""
    out = []
    for i, column in enumerate(columns):
        fn = (own or {}).get(column.name)
        if fn is None and isinstance(column, DateTimeField):
            fn = stored_time
        elif fn is None and isinstance(column, JSONField):
            fn = _json
        if fn is not None:
            out.append((i, fn))
    return out


def _convert(cursor: Any, columns: Sequence[Field], own: Mapping[str, Callable[[Any], Any]] | None) -> list[tuple[Any, ...]]:
    """A cursor's rows as tuples, times and JSON converted."""
    convert = converters(columns, own)
    if not convert:
        return [tuple(row) for row in cursor]
    out = []
    for row in cursor:
        values = list(row)
        for i, fn in convert:
            if values[i] is not None:
                values[i] = fn(values[i])
        out.append(tuple(values))
    return out


def read_tuples(query: Select, columns: Sequence[Field], own: Mapping[str, Callable[[Any], Any]] | None = None) -> list[tuple[Any, ...]]:
    """The query's rows as plain tuples in the order of `columns` (None stays None)."""
    return _convert(db.execute(query), columns, own)


def _loaded(rows: list[tuple[Any, ...]], columns: Sequence[Field]) -> list[Any]:
    names = [c.name for c in columns]
    return [Loaded(dict(zip(names, values))) for values in rows]


def read(query: Select, columns: Sequence[Field], own: Mapping[str, Callable[[Any], Any]] | None = None) -> list[Any]:
    """The query's rows as `Loaded` objects, by field name (`own`: converters by field name, e.g. to skip a parse)."""
    return _loaded(read_tuples(query, columns, own), columns)


def read_prepared(query: Prepared, columns: Sequence[Field], own: Mapping[str, Callable[[Any], Any]] | None = None,
                  **values: Any) -> list[Any]:
    """A prepared query's rows (selfcare/prepared.py: its SQL written once) as `Loaded` objects by field name."""
    return _loaded(_convert(query.cursor(**values)[1], columns, own), columns)


def as_is(value: Any) -> Any:
    """A converter that leaves the value as the driver gave it (parse it later with `json_value`, if it is shown)."""
    return value


def json_value(value: Any) -> Any:
    """A JSONField's value, from its text (a light row read with `as_is`) or as it is (a model's)."""
    return _json(value)
