"""The visit summary as a PDF (fpdf2, core Helvetica font): the same sections as the printable page."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from selfcare.services.summary import Summary, overview, sections

# The core fonts only know latin-1: swap the few typographic characters we use, replace the rest.
PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "·": "-", "→": "->"})
FOOTER = "Made with selfcare. It does not replace your doctor or therapist."


def latin1(text: str) -> str:
    """Text the core PDF fonts can draw: typographic marks made plain, anything else as '?'."""
    return text.translate(PLAIN).encode("latin-1", "replace").decode("latin-1")


def _rows(pdf: FPDF, rows: tuple[tuple[str, str], ...]) -> None:
    """Label and value side by side, in a borderless two-column table."""
    with pdf.table(col_widths=(38, 62), first_row_as_headings=False, borders_layout="NONE",
                   text_align="LEFT", v_align="TOP", line_height=6, padding=(1, 2)) as table:
        for label, value in rows:
            row = table.row()
            row.cell(latin1(label))
            row.cell(latin1(value))


def summary_pdf(summary: Summary) -> bytes:
    """The summary laid out on A4 pages."""
    pdf = FPDF(format="A4")
    pdf.set_title("Visit summary")
    pdf.set_creator("selfcare")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, "Visit summary", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 11)
    _rows(pdf, overview(summary))
    for section in sections(summary):
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 8, latin1(section.heading), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 11)
        if section.rows:
            _rows(pdf, section.rows)
        for note in section.notes:
            pdf.multi_cell(0, 6, latin1(note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(0, 5, FOOTER, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
