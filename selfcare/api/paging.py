"""Cursor paging, newest first: the cursor names the last item of a page (its time and row id)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from flask import request
from pydantic import ValidationError

from selfcare.api.problems import Problem, field_error, from_validation
from selfcare.api.schemas import ListQuery

T = TypeVar("T")
BAD_CURSOR = "This cursor is not one this API gave out. Start again without it."


def bad_cursor() -> Problem:
    """The 400 for a cursor this API did not give out."""
    return Problem(400, "malformed", BAD_CURSOR, [field_error("cursor", BAD_CURSOR)])


def list_query() -> ListQuery:
    """The limit and cursor of this request (422 for a bad limit)."""
    try:
        return ListQuery.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise from_validation(error, "query") from None


def encode_cursor(value: list[Any]) -> str:
    """An opaque cursor."""
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The cursor's contents (400 for anything this API did not make)."""
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad_cursor() from None
    if not isinstance(value, list):
        raise bad_cursor()
    return value


def keyset(query: Any, time_field: Any, id_field: Any, args: ListQuery) -> tuple[list[Any], str | None]:
    """One page of `query` ordered by (time, id) descending, and the cursor for the next page."""
    if args.cursor:
        value = decode_cursor(args.cursor)
        try:
            at, row_id = datetime.fromisoformat(value[0]), int(value[1])
        except (IndexError, TypeError, ValueError):
            raise bad_cursor() from None
        if len(value) != 2 or at.tzinfo is not None or not 0 < row_id < 2**31:
            raise bad_cursor()
        query = query.where((time_field < at) | ((time_field == at) & (id_field < row_id)))
    rows = list(query.order_by(time_field.desc(), id_field.desc()).limit(args.limit + 1))
    if len(rows) <= args.limit:
        return rows, None
    rows = rows[: args.limit]
    last = rows[-1]
    return rows, encode_cursor([getattr(last, time_field.name).isoformat(), getattr(last, id_field.name)])


def offset(items: Sequence[T], args: ListQuery) -> tuple[list[T], str | None]:
    """One page of an ordered list computed in full (the caseload), and the cursor for the next page."""
    start = 0
    if args.cursor:
        value = decode_cursor(args.cursor)
        if len(value) != 2 or value[0] != "at" or not isinstance(value[1], int) or not 0 <= value[1] < 2**31:
            raise bad_cursor()
        start = value[1]
    end = start + args.limit
    return list(items[start:end]), encode_cursor(["at", end]) if end < len(items) else None
