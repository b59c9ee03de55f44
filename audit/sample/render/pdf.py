"""Render a draft as an A4 PDF: ruled tables with merged cells, wrapped labels, page numbers.

reportlab with its built-in CID font ``STSong-Light`` (no system font needed). Column widths
follow printed reports (:meth:`audit.sample.document.Table.weights`); long tables break across
pages as they fall, a merged group label restarting on the next page.
"""

from __future__ import annotations

import io
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from audit.sample.document import Draft, Para, Table

FONT = "STSong-Light"
_MARGIN = 72


@cache
def _styles() -> dict[str, ParagraphStyle]:
    """Return the paragraph styles (and register the font once)."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = {"fontName": FONT, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle("title", fontSize=18, leading=28, alignment=TA_CENTER, **base),
        "heading": ParagraphStyle(
            "heading", fontSize=12, leading=20, firstLineIndent=24, spaceBefore=4, **base
        ),
        "subheading": ParagraphStyle("subheading", fontSize=12, leading=20, firstLineIndent=24, **base),
        "body": ParagraphStyle("body", fontSize=12, leading=20, firstLineIndent=24, **base),
        "closing": ParagraphStyle("closing", fontSize=12, leading=20, alignment=TA_RIGHT, **base),
        "cell": ParagraphStyle("cell", fontSize=8, leading=10, alignment=TA_CENTER, **base),
    }


def _table(table: Table, width: float) -> PdfTable:
    """Return a ruled reportlab table with the draft's spans."""
    weights = table.weights()
    widths = [width * w / sum(weights) for w in weights]
    cell_style = _styles()["cell"]
    data = [
        [Paragraph(escape(c.text), cell_style) if c and c.text else "" for c in row] for row in table.grid
    ]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 1.5),
    ]
    for r, row in enumerate(table.grid):
        for c, cell in enumerate(row):
            if cell is not None and (cell.rows > 1 or cell.cols > 1):
                style.append(("SPAN", (c, r), (c + cell.cols - 1, r + cell.rows - 1)))
    return PdfTable(data, colWidths=widths, style=TableStyle(style))


def _footer(canvas, document) -> None:  # noqa: ANN001  (reportlab callback)
    """Print the page number as ``- N -`` at the foot of the page."""
    canvas.setFont(FONT, 10)
    canvas.drawCentredString(A4[0] / 2, 40, f"- {document.page} -")


def render_pdf(draft: Draft) -> bytes:
    """Return the report as a PDF document."""
    styles = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_MARGIN, bottomMargin=_MARGIN,
        title="".join(draft.title),
        invariant=1,  # no creation time or random id: the same draft gives the same bytes author=draft.agency.name,
    )  # fmt: skip
    width = A4[0] - 2 * _MARGIN
    story: list = []
    for block in draft.blocks():
        if isinstance(block, Para):
            story.append(Paragraph(escape(block.text), styles[block.role]))
        else:
            story += [Spacer(1, 4), _table(block, width), Spacer(1, 6)]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()
