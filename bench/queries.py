"""SQL queries per page, counted in-process: the Flask test client against the same database."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from bench.pages import Page, checkin_form, login_form


@contextmanager
def counting(database: Any) -> Iterator[list[str]]:
    """Record the SQL of every statement the database runs inside the block."""
    seen: list[str] = []
    original = database.execute_sql

    def execute_sql(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        seen.append(sql)
        return original(sql, params, *args, **kwargs)

    database.execute_sql = execute_sql
    try:
        yield seen
    finally:
        del database.execute_sql  # back to the class's method


def count_queries(url: str, instance: Path, clinic: Any, password: str, pages: list[Page]) -> dict[str, int]:
    """The number of SQL statements each page runs (the second request of it, so start-up caches are warm)."""
    from bench.clinic import _app
    from selfcare.db import close_database, db

    app = _app(url, instance)
    counts: dict[str, int] = {}
    clients: dict[str | None, Any] = {}
    try:
        for page in pages:
            if page.user not in clients:
                client = clients[page.user] = app.test_client()
                if page.user is not None:
                    html = client.get("/login").get_data(as_text=True)
                    response = client.post("/login", data=login_form(html, getattr(clinic, page.user), password))
                    if response.status_code not in (302, 303):
                        raise RuntimeError(f"in-process login as {getattr(clinic, page.user)} answered {response.status_code}")
            client = clients[page.user]
            if page.method == "POST":
                make = checkin_form(client.get(page.path).get_data(as_text=True))
                client.post(page.path, data=make())
                client.get("/today")
                with counting(db.obj) as seen:
                    client.post(page.path, data=make())
                client.get("/today")
            else:
                client.get(page.path)
                with counting(db.obj) as seen:
                    client.get(page.path)
            counts[page.name] = len(seen)
    finally:
        close_database()
    return counts
