"""Pages sent as UTF-8 around kept pieces: big parts rendered once, kept encoded, spliced in per view.

A kept part of a page (History's charts, the therapist's timeline: tens of kilobytes with a few characters
beyond ASCII) would otherwise be joined into the page and the whole page encoded on every view, which took
longer than rendering the rest. The view hands each piece to `Pieces.place`, the template writes the
placeholder it gets, and `Pieces.page` encodes the rendered rest around the pieces.

No value on a page can read like a placeholder: values are escaped ('<' is written '&lt;') and no template
writes this comment.
"""

from __future__ import annotations

from markupsafe import Markup

PLACE = "<!--selfcare piece "  # then the piece's number and "-->"


class Pieces:
    """The kept UTF-8 pieces of one page, in the order their placeholders were handed out."""

    def __init__(self) -> None:
        self.kept: list[bytes] = []

    def place(self, utf8: bytes) -> Markup:
        """Where `utf8` goes: a placeholder for the template to write (once)."""
        self.kept.append(utf8)
        return Markup(f"{PLACE}{len(self.kept) - 1}-->")

    def page(self, html: str) -> bytes:
        """`html` as UTF-8 with each placeholder replaced by its piece (one pass to find them: ~3 µs)."""
        head, *parts = html.split(PLACE)
        out = [head.encode()]
        for part in parts:
            number, _, rest = part.partition("-->")
            out += (self.kept[int(number)], rest.encode())
        return b"".join(out)
