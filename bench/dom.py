"""How many elements a page builds in the browser's DOM (Lighthouse's "DOM size"), counted from the served HTML."""

from __future__ import annotations

from html.parser import HTMLParser


class _Counter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1


def count_elements(html: str) -> int:
    """The elements in `html` (each start tag once; the parser adds none for omitted <html>, <head> or <body>)."""
    counter = _Counter()
    counter.feed(html)
    counter.close()
    return counter.elements
