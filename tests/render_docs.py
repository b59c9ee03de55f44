"""Test helper that renders a report (text with tab-separated table rows) as DOCX and as PDF.

The text is first read with the text reader, so the rendered documents carry exactly the
paragraphs and table grids that parsing the ``.txt`` sees. Tables are rendered the way real
reports print them:

* Merged cells: in a header row (no numbers) a label followed by empty cells is merged across
  them; in a data row a label followed by empty cells before its first value is merged across
  them; a label in one of the first two columns of a data row is merged down over the empty
  cells below it (``三、本年度办理结果``, ``（三）不予公开``). Only empty cells are ever covered, so
  a reader that puts a merged cell's text in its top-left position and ``""`` elsewhere gets the
  original grid back.
* DOCX: real Word tables (``Table Grid``) with those merges; long header labels are broken into
  two paragraphs inside the cell, as wrapped headers often are.
* PDF (reportlab, built-in CID font ``STSong-Light``, no system fonts): ruled tables, labels
  wrapped inside narrow cells (the first column is one character wide, so the vertical
  ``三、本年度办理结果`` prints one character per line), table 3 split over two pages (a merged
  group label crossing the break is cut in two, as in real reports), ``- N -`` page footers.

The reader benchmarks that use these renderings are in ``scripts/bench_readers.py``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from html_layouts import SEEDS_DIR as SEEDS
from html_layouts import seed_paths

from audit.readers.text import read as read_text
from audit.report import Block
from audit.text import is_number

__all__ = ["SEEDS", "blocks_of", "render_docx", "render_pdf", "render_seed", "seed_paths"]


def blocks_of(path: Path) -> list[Block]:
    """Return the blocks of a text report as the text reader sees them."""
    return read_text(path.read_bytes(), str(path)).blocks


def _pad(rows: list[list[str]]) -> list[list[str]]:
    """Return the rows padded with ``""`` to the width of the widest row."""
    width = max(len(r) for r in rows)
    return [list(r) + [""] * (width - len(r)) for r in rows]


def plan_merges(rows: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """Return merge regions ``(row0, col0, row1, col1)`` (inclusive) over empty cells only."""
    grid = _pad(rows)
    n, m = len(grid), len(grid[0])
    taken = [[False] * m for _ in range(n)]
    merges: list[tuple[int, int, int, int]] = []
    data_row = [any(is_number(c) for c in row) for row in grid]
    for i, row in enumerate(grid):
        first_value = next((j for j, c in enumerate(row) if is_number(c)), m)
        for j, cell in enumerate(row):
            if not cell or is_number(cell) or taken[i][j]:
                continue
            end = j
            limit = first_value if data_row[i] else m
            while end + 1 < limit and not grid[i][end + 1] and not taken[i][end + 1]:
                end += 1
            if end > j:
                merges.append((i, j, i, end))
                for k in range(j, end + 1):
                    taken[i][k] = True
    for j in range(min(2, m)):
        for i in range(n):
            cell = grid[i][j]
            if not cell or is_number(cell) or not data_row[i] or taken[i][j]:
                continue
            end = i
            while end + 1 < n and data_row[end + 1] and not grid[end + 1][j] and not taken[end + 1][j]:
                end += 1
            if end > i:
                merges.append((i, j, end, j))
                for k in range(i, end + 1):
                    taken[k][j] = True
    return merges


# --- DOCX ----------------------------------------------------------------------------------------


def _split_label(text: str) -> list[str]:
    """Return a long header label broken in two where no Latin word or number is cut."""
    if len(text) < 6:
        return [text]
    mid = len(text) // 2
    for cut in range(mid, len(text) - 1):
        a, b = text[cut - 1], text[cut]
        if not (a.isascii() and a.isalnum() and b.isascii() and b.isalnum()) and a != " " and b != " ":
            return [text[:cut], text[cut:]]
    return [text]


def render_docx(blocks: Iterable[Block]) -> bytes:
    """Return a DOCX rendering of the blocks (paragraphs, Word tables with merged cells)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    first = True
    for block in blocks:
        if block.kind == "para":
            para = document.add_paragraph(block.text)
            if first:
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            first = False
            continue
        rows = _pad(block.rows)
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        width = len(rows[0])
        cells = table._cells  # row-major; table.cell() recomputes the whole grid on every call
        for i, row in enumerate(rows):
            numeric_row = any(is_number(c) for c in row)
            for j, text in enumerate(row):
                cell = cells[i * width + j]
                parts = [text] if numeric_row else _split_label(text)
                cell.paragraphs[0].text = parts[0]
                for extra in parts[1:]:
                    cell.add_paragraph(extra)
        for r0, c0, r1, c1 in plan_merges(rows):  # disjoint regions: cached cells stay valid
            cells[r0 * width + c0].merge(cells[r1 * width + c1])
        first = False
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------------


def _is_t3(rows: list[list[str]]) -> bool:
    """Return True when a table grid is table 3 (has the 本年新收 row)."""
    return any("本年新收" in c for row in rows for c in row)


def _pdf_table(
    rows: list[list[str]],
    merges: list[tuple[int, int, int, int]],
    width: float,
    styles: dict,
    ruled: bool = True,
) -> object:
    """Return a reportlab Table for a grid with SPANs, ruling lines and wrapped cells."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    m = len(rows[0])
    weights = []
    for j in range(m):
        col = [rows[i][j] for i in range(len(rows))]
        labels = [c for c in col if c and not is_number(c)]
        if j == 0 and any("本年度办理结果" in c for c in col):
            weights.append(1.6)  # one character per line, as printed in real reports
        elif labels and any(len(c) > 8 for c in labels):
            weights.append(9.0 if j < 3 else 3.0)
        else:
            weights.append(2.4)
    total = sum(weights)
    widths = [width * w / total for w in weights]
    data = [[Paragraph(escape(c), styles["cell"]) if c else "" for c in row] for row in rows]
    style = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    if ruled:
        style.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    for r0, c0, r1, c1 in merges:
        style.append(("SPAN", (c0, r0), (c1, r1)))
    return Table(data, colWidths=widths, style=TableStyle(style))


def _split_table(rows: list[list[str]], merges: list[tuple[int, int, int, int]], at: int):
    """Split a grid before row ``at``; a merged label crossing the break is cut in two."""
    top, bottom = [list(r) for r in rows[:at]], [list(r) for r in rows[at:]]
    top_merges, bottom_merges = [], []
    for r0, c0, r1, c1 in merges:
        if r1 < at:
            top_merges.append((r0, c0, r1, c1))
        elif r0 >= at:
            bottom_merges.append((r0 - at, c0, r1 - at, c1))
        else:
            if at - 1 > r0 or c1 > c0:
                top_merges.append((r0, c0, at - 1, c1))
            if r1 - at > 0 or c1 > c0:
                bottom_merges.append((0, c0, r1 - at, c1))
            text = top[r0][c0]
            if c0 >= 1 and len(text) >= 6:
                # a group label cut by the page break: "（四）无" / "法提供"
                cut = 4 if text.startswith(("（", "(")) else len(text) // 2
                top[r0][c0], bottom[0][c0] = text[:cut], text[cut:]
    return top, top_merges, bottom, bottom_merges


def render_pdf(blocks: Iterable[Block], ruled: bool = True) -> bytes:
    """Return a PDF rendering of the blocks; table 3 is split over two pages.

    With ``ruled=False`` the tables are printed without ruling lines (cells placed by position
    only), as some agencies publish them.
    """
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    styles = {
        "title": ParagraphStyle(
            "title", fontName="STSong-Light", fontSize=16, leading=24, alignment=TA_CENTER
        ),
        "body": ParagraphStyle(
            "body",
            fontName="STSong-Light",
            fontSize=11,
            leading=18,
            firstLineIndent=22,
            wordWrap="CJK",
            spaceAfter=2,
        ),
        "cell": ParagraphStyle("cell", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK"),
    }
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=72, rightMargin=72, topMargin=72, bottomMargin=72)
    width = A4[0] - 144

    def footer(canvas, document) -> None:
        canvas.setFont("STSong-Light", 10)
        canvas.drawCentredString(A4[0] / 2, 40, f"- {document.page} -")

    story: list = []
    titles = 0
    for block in blocks:
        if block.kind == "para":
            style = styles["title"] if titles < 2 and not story_has_body(story) else styles["body"]
            if style is styles["title"]:
                titles += 1
            story.append(Paragraph(escape(block.text), style))
            continue
        rows = _pad(block.rows)
        merges = plan_merges(rows)
        story.append(Spacer(1, 4))
        if _is_t3(rows) and len(rows) > 12:
            at = len(rows) * 3 // 5
            top, tm, bottom, bm = _split_table(rows, merges, at)
            story.append(_pdf_table(top, tm, width, styles, ruled))
            story.append(PageBreak())
            story.append(_pdf_table(bottom, bm, width, styles, ruled))
        else:
            story.append(_pdf_table(rows, merges, width, styles, ruled))
        story.append(Spacer(1, 4))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def story_has_body(story: list) -> bool:
    """Return True once a body paragraph or table has been added (titles come first)."""
    from reportlab.platypus import Paragraph

    return any(not isinstance(f, Paragraph) or f.style.name != "title" for f in story)


def render_seed(path: Path, kind: str) -> bytes:
    """Return the seed report at ``path`` rendered as ``docx`` or ``pdf``."""
    blocks = blocks_of(path)
    return render_docx(blocks) if kind == "docx" else render_pdf(blocks)


if __name__ == "__main__":  # python tests/render_docs.py OUTDIR: render every seed for a look
    import sys

    outdir = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/rendered")
    outdir.mkdir(parents=True, exist_ok=True)
    for seed in seed_paths():
        for kind in ("docx", "pdf"):
            (outdir / f"{seed.stem}.{kind}").write_bytes(render_seed(seed, kind))
    print(f"已写入 {outdir}")
