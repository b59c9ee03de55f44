"""Render a draft as a Word document laid out like an official report (GB/T 9704 fonts and margins).

Title in 方正小标宋简体 二号, headings in 黑体 and 楷体_GB2312, body in 仿宋_GB2312 三号 with a two-character
indent and fixed 28-point lines; the tables are real Word tables (``Table Grid``) whose merged cells
are Word merges, as an agency's own document has them.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from audit.sample.document import Draft, Para, Table

_FONTS = {
    "title": ("方正小标宋简体", 22),
    "heading": ("黑体", 16),
    "subheading": ("楷体_GB2312", 16),
    "body": ("仿宋_GB2312", 16),
    "closing": ("仿宋_GB2312", 16),
    "cell": ("宋体", 10.5),
}


def _run(paragraph, text: str, role: str) -> None:  # noqa: ANN001  (python-docx objects)
    """Add ``text`` to ``paragraph`` in the font of ``role`` (East Asian font set explicitly)."""
    name, size = _FONTS[role]
    run = paragraph.add_run(text)
    run.font.name = name
    run.font.size = Pt(size)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(document, block: Para) -> None:  # noqa: ANN001
    """Add a paragraph with the layout of its role."""
    p = document.add_paragraph()
    fmt = p.paragraph_format
    if block.role == "title":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif block.role == "closing":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        fmt.first_line_indent = Pt(32)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28)
    _run(p, block.text, block.role)


def _table(document, table: Table) -> None:  # noqa: ANN001
    """Add a Word table with the draft's merged cells."""
    width = table.width
    out = document.add_table(rows=len(table.grid), cols=width)
    out.style = "Table Grid"
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = out._cells  # row-major, computed once (out.cell() recomputes the grid on every call)
    merges = []
    for r, row in enumerate(table.grid):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            target = cells[r * width + c]
            target.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(target.paragraphs[0], cell.text, "cell")
            if cell.rows > 1 or cell.cols > 1:
                merges.append((r, c, r + cell.rows - 1, c + cell.cols - 1))
    for r0, c0, r1, c1 in merges:  # disjoint regions: the cached cells stay valid
        cells[r0 * width + c0].merge(cells[r1 * width + c1])


def render_docx(draft: Draft) -> bytes:
    """Return the report as a DOCX document."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    for block in draft.blocks():
        if isinstance(block, Para):
            _para(document, block)
        else:
            _table(document, block)
    document.core_properties.author = draft.agency.name
    document.core_properties.created = document.core_properties.modified = datetime(draft.year + 1, 1, 10)
    out = io.BytesIO()
    document.save(out)
    return _fixed_times(out.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """Return the DOCX with every zip entry dated 1980-01-01, so equal drafts give equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
