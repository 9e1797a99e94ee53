"""SQL statements per page, counted in-process (tests/query_counter.py) with the Flask test client on the same database.

Transaction noise (BEGIN, COMMIT, ...) is left out, as the query-count tests count.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.pages import Page, checkin_form, login_form
from tests.query_counter import count_queries as counting


def count_queries(url: str, instance: Path, clinic: Any, password: str, pages: list[Page]) -> dict[str, int]:
    """The number of SQL statements each page runs (the second request of it, so start-up caches are warm; after a
    check-in for the pages seen after an entry)."""
    from bench.clinic import make_app
    from selfcare.db import close_database

    app = make_app(url, instance)
    counts: dict[str, int] = {}
    clients: dict[str | None, Any] = {}
    try:
        for page in pages:
            for user in (page.user, page.after_entry):
                if user not in clients:
                    client = clients[user] = app.test_client()
                    if user is not None:
                        html = client.get("/login").get_data(as_text=True)
                        response = client.post("/login", data=login_form(html, getattr(clinic, user), password))
                        if response.status_code not in (302, 303):
                            raise RuntimeError(f"in-process login as {getattr(clinic, user)} answered {response.status_code}")
            client = clients[page.user]
            if page.method == "POST":
                make = checkin_form(client.get(page.path).get_data(as_text=True))
                client.post(page.path, data=make())
                client.get("/today")
                with counting() as seen:
                    client.post(page.path, data=make())
                client.get("/today")
            else:
                client.get(page.path)
                if page.after_entry:  # a new check-in first: the count of the view that must make its kept parts again
                    writer = clients[page.after_entry]
                    writer.post("/checkin", data=checkin_form(writer.get("/checkin").get_data(as_text=True))())
                held = {"If-None-Match": client.get(page.path).headers.get("ETag", "")} if page.revalidate else {}  # a 304
                with counting() as seen:
                    client.get(page.path, headers=held)
            counts[page.name] = seen.count
    finally:
        close_database()
    return counts
