"""Render a draft as a Word document laid out like an official report (GB/T 9704 fonts and margins).

Title in 方正小标宋简体 二号, headings in 黑体 and 楷体_GB2312, body in 仿宋_GB2312 三号 with a two-character
indent and fixed 28-point lines; the tables are real Word tables (``Table Grid``) whose merged cells
are Word merges (``gridSpan``/``vMerge``), as an agency's own document has them.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from xml.sax.saxutils import escape

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
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


_TEXT_WIDTH = 8845  # twips: A4 less the margins above


def _tc(cell_text: str, span: int, merge: str | None, width: int) -> str:
    """Return a ``w:tc``: ``span`` grid columns wide, ``merge`` restart/continue for row spans."""
    name, size = _FONTS["cell"]
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if merge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif merge == "continue":
        props += "<w:vMerge/>"
    run = ""
    if cell_text and merge != "continue":
        fonts = f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}"/><w:sz w:val="{int(size * 2)}"/>'
        run = f'<w:r><w:rPr>{fonts}</w:rPr><w:t xml:space="preserve">{escape(cell_text)}</w:t></w:r>'
    return f'<w:tc><w:tcPr>{props}<w:vAlign w:val="center"/></w:tcPr><w:p><w:pPr><w:jc w:val="center"/></w:pPr>{run}</w:p></w:tc>'


def _table(document, table: Table) -> None:  # noqa: ANN001
    """Add a Word table whose merged cells are Word merges (``gridSpan``, ``vMerge``).

    The XML is written directly: python-docx's cell merging re-reads the whole grid for every
    merge, which made a report take a second.
    """
    width = table.width
    weights = table.weights()
    cols = [int(_TEXT_WIDTH * w / sum(weights)) for w in weights]
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(table.grid):
        for c, cell in enumerate(row):
            if cell is not None:
                for rr in range(r, r + cell.rows):
                    for cc in range(c, c + cell.cols):
                        owner[(rr, cc)] = (r, c)
    rows = []
    for r in range(len(table.grid)):
        cells, c = [], 0
        while c < width:
            r0, c0 = owner[(r, c)]
            origin = table.grid[r0][c0]
            assert origin is not None and c0 == c
            merge = None if origin.rows == 1 else ("restart" if r0 == r else "continue")
            cells.append(_tc(origin.text, origin.cols, merge, sum(cols[c : c + origin.cols])))
            c += origin.cols
        rows.append("<w:tr>" + "".join(cells) + "</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in cols)
    props = '<w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/></w:tblPr>'
    xml = f"<w:tbl {nsdecls('w')}>{props}<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    document.element.body.find(qn("w:sectPr")).addprevious(parse_xml(xml))  # the section stays last
    document.add_paragraph()  # Word needs a paragraph between a table and what follows


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
