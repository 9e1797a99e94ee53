"""Markdown to safe HTML for the education pages: raw HTML in the source is shown as text, never run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from selfcare.clinical import Page


def _parser() -> MarkdownIt:
    """CommonMark with tables; `html: False` escapes any HTML written in the Markdown."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


def _table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Wrap tables so a wide one scrolls inside the page on a phone (focusable, so keyboards can scroll it)."""
    return '<div class="table-scroll" role="region" aria-label="Table" tabindex="0">\n<table>\n'


def _table_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Close the table and its scrolling wrapper."""
    return "</table>\n</div>\n"


_MD = _parser()


def render(text: str) -> Markup:
    """Render Markdown to HTML that is safe to put in a page."""
    return Markup(_MD.render(text))  # trusted: `html: False` means markdown-it escaped any raw HTML


def _without_title(text: str) -> str:
    """The body without a leading `# Title` line: the page template shows the title as its h1."""
    lines = text.lstrip("\n").splitlines()
    if lines and lines[0].startswith("# "):
        return "\n".join(lines[1:])
    return text


def render_page(page: Page) -> Markup:
    """The page body as safe HTML, without its top heading (rendered on each view: no page is kept in the process)."""
    return render(_without_title(page.body))
