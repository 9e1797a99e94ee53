"""Education pages: Markdown files in content/education/ with a TOML header between +++ lines. Title, summary and body
may name the reader's region words ({therapist}, {doctor}, ...), filled as the page is shown (CLINICAL.md §4c)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from selfcare.clinical.errors import ContentError
from selfcare.clinical.regions import unknown_words, worded_text
from selfcare.clinical.validate import Table

FENCE = "+++"


@dataclass(frozen=True)
class Page:
    """One education page: its slug (file name), header fields and Markdown body."""

    slug: str
    title: str
    summary: str
    order: int
    sources: tuple[str, ...]
    body: str


def load_page(path: Path) -> Page:
    """Read one page; the header must hold title, summary, order and sources, nothing else."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(path, "(file)", "file is missing") from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise ContentError(path, "(header)", f"must start with a {FENCE} header block")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == FENCE)
    except StopIteration:
        raise ContentError(path, "(header)", f"header block is not closed with {FENCE}") from None
    try:
        header = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(path, "(header)", f"not valid TOML: {exc}") from None
    table = Table(path, "", header)
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        raise ContentError(path, "(body)", "page has no text")
    if unknown_words(body):
        # The body is filled with the reader's region words ({therapist}, {doctor}, ...) as it is shown.
        raise ContentError(path, "(body)", f"unknown words in braces: {', '.join(unknown_words(body))}")
    page = Page(
        slug=path.stem,
        title=worded_text(table, "title"),
        summary=worded_text(table, "summary"),
        order=table.integer("order", 0, 999),
        sources=table.texts("sources"),
        body=body + "\n",
    )
    table.finish()
    return page


def load_pages(folder: Path) -> tuple[Page, ...]:
    """Read every *.md page in the folder, sorted by `order`; duplicate orders are an error."""
    paths = sorted(folder.glob("*.md"))
    if not paths:
        raise ContentError(folder, "(folder)", "no education pages found")
    pages = [load_page(p) for p in paths]
    seen: dict[int, str] = {}
    for path, page in zip(paths, pages):
        if page.order in seen:
            raise ContentError(path, "order", f"duplicate order {page.order} (also in {seen[page.order]})")
        seen[page.order] = path.name
    return tuple(sorted(pages, key=lambda p: p.order))
