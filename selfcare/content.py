"""The clinical content (content/), loaded and validated once at start-up, for the web layer."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from selfcare.clinical import Content, Region, load_content

EXTENSION = "selfcare.content"


def init_app(app: Flask) -> None:
    """Load content/ for `app`; a broken file stops start-up with a message naming file and key."""
    app.extensions[EXTENSION] = load_content(Path(app.config["CONTENT_DIR"]))


def current_content() -> Content:
    """The content loaded for the running app."""
    content: Content = current_app.extensions[EXTENSION]
    return content


def regions() -> dict[str, Region]:
    """The regions a patient can live in, by code, with their emergency numbers."""
    return current_content().regions
