"""DOCX reader: turns a Word (OOXML) document into paragraphs and tables in body order.

The body XML is walked directly (not ``doc.paragraphs`` then ``doc.tables``) so paragraphs and
tables keep the order in which they are printed. What is read:

* ``w:p`` paragraphs (runs, hyperlinks, insertions, fields; deleted text is skipped). A tab
  becomes a space and a manual line break joins like a wrapped line.
* ``w:tbl`` tables, built from the grid: a merged cell appears **once** (de-duplicated by cell
  identity: one ``w:tc``), with its text in its top-left position. A cell merged down
  (``w:vMerge``) leaves ``""`` in the rows below, so label columns stay aligned. A cell merged
  across (``w:gridSpan``, or the legacy ``w:hMerge``) is followed by ``""`` for the columns it covers in rows without
  numbers (headers keep their alignment, rows skipped with ``w:gridBefore``/``w:gridAfter`` are
  padded too); in rows holding numbers each cell is one entry, so that a value covering two grid
  columns (common in hand-drawn Word tables) never puts a false empty value between real ones.
  The label-driven reader finds data rows by label and takes their values from the end of the
  row, which both layouts satisfy. Paragraphs inside one cell are joined like wrapped lines (no
  space between CJK).
* Framed running text: a one-column table, or rows made of one cell spanning the table at its
  top or bottom (WPS and Word users frame the preamble or whole sections this way), are read as
  paragraphs; a numbered heading row (``四、…``) between two tables in one frame splits them.
  Block captions (``第二十条第（一）项``) stay in the table.
* Nested tables (a table inside a cell) come out as their own table blocks right after the table
  that holds them; their text is not repeated in the outer cell.
* Text boxes (``w:txbxContent`` in drawings and VML shapes) are read where they are anchored:
  their paragraphs and tables follow the paragraph that anchors them. The VML fallback copy of a
  DrawingML text box (``mc:Fallback``) is skipped so nothing is read twice.
* Content controls (``w:sdt``) are transparent.
* Automatic list numbering (``一、`` ``（一）`` ``1.`` made by Word's numbering, not stored in
  the text) is computed from ``numbering.xml`` and the paragraph styles and put in front of the
  paragraph text, as it is printed.

Pages: where Word recorded its page breaks (``w:lastRenderedPageBreak``, page breaks), each
block gets the page it starts on and each table row its page; otherwise pages are unknown.

Headers, footers, footnotes and comments are not part of the report body and are not read.

Limits: before python-docx opens the file, the ZIP's central directory and the XML parts are
checked (:mod:`audit.readers.zipcheck`): member sizes, compression ratios, element counts.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import docx

from audit.readers.base import UnreadableError
from audit.readers.common import CAPTION_RE, HEADING_RE, TABLES_AS_IMAGES, has_han, join_cell_lines
from audit.readers.docx_numbering import MC_NS, Numbering, page_map, w
from audit.readers.zipcheck import check_zip
from audit.report import Block, IntermediateDoc
from audit.text import is_number

KINDS = ("docx",)

P, TBL, TR, TC, SDT, SDT_CONTENT = w("p"), w("tbl"), w("tr"), w("tc"), w("sdt"), w("sdtContent")
TXBX = w("txbxContent")
FALLBACK = f"{{{MC_NS}}}Fallback"
_SKIP_IN_TEXT = {w("delText"), w("instrText"), TXBX, w("footnoteReference"), w("commentReference")}

_NUMBERING: ContextVar[Numbering | None] = ContextVar("gkaudit_docx_numbering", default=None)
_PAGES: ContextVar[dict[Any, int] | None] = ContextVar("gkaudit_docx_pages", default=None)


def _page_of(el: Any) -> int | None:
    """Return the page an element (paragraph, table, row) starts on, when known."""
    pages = _PAGES.get()
    if not pages:
        return None
    first = el if el.tag == P else next(el.iter(P), None)
    return pages.get(first) if first is not None else None


def _paragraph_text(p: Any) -> str:
    """Return the text of one ``w:p`` (text boxes and deleted text excluded)."""
    out: list[str] = []

    def visit(el: Any) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_IN_TEXT or tag == w("del"):
                continue
            if tag == w("t"):
                out.append(child.text or "")
            elif tag in (w("tab"), w("ptab")):
                out.append(" ")
            elif tag in (w("br"), w("cr")):
                out.append("\n")
            elif tag == w("noBreakHyphen"):
                out.append("-")
            elif tag == w("sym"):
                continue
            elif tag == FALLBACK:
                continue
            else:
                visit(child)

    visit(p)
    numbering = _NUMBERING.get()
    label = numbering.label(p) if numbering is not None else ""
    return label + "".join(out)


def _text_boxes(el: Any) -> list[Any]:
    """Return the outermost ``w:txbxContent`` elements under ``el`` (VML fallbacks skipped)."""
    found: list[Any] = []

    def visit(node: Any) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str) or tag == FALLBACK:
                continue
            if tag == TXBX:
                found.append(child)
                continue  # its own content is walked by the caller
            if tag in (P, TBL):
                continue  # a nested paragraph or table is handled where it is walked
            visit(child)

    for child in el:
        if isinstance(child.tag, str) and child.tag != FALLBACK:
            if child.tag == TXBX:
                found.append(child)
            else:
                visit(child)
    return found


def _int_attr(el: Any, tag: str, default: int = 0) -> int:
    """Return the integer ``w:val`` of child ``tag`` of ``el`` (e.g. gridSpan), or ``default``."""
    if el is None:
        return default
    child = el.find(w(tag))
    if child is None:
        return default
    try:
        return int(child.get(w("val"), default))
    except ValueError:
        return default


def _children(parent: Any, tag: str) -> Iterator[Any]:
    """Yield the children of ``parent`` with ``tag``, looking through content controls (w:sdt)."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)


def _row_cells(tr: Any) -> Iterator[Any]:
    """Yield the ``w:tc`` cells of a row."""
    return _children(tr, TC)


def _table_rows(tbl: Any) -> Iterator[Any]:
    """Yield the ``w:tr`` rows of a table."""
    return _children(tbl, TR)


def _cell_text(tc: Any) -> str:
    """Return a cell's own text: its paragraphs joined like wrapped lines (nested tables excluded)."""
    parts: list[str] = []

    def visit(container: Any) -> None:
        for child in container:
            if child.tag == P:
                parts.append(_paragraph_text(child))
            elif child.tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    visit(content)

    visit(tc)
    return join_cell_lines("\n".join(parts))


def table_grid(tbl: Any) -> list[list[str]]:
    """Return the grid of one ``w:tbl`` (see the module docstring for merged cells).

    In a row without numbers (headers, captions) a cell spanning columns is followed by ``""``
    for each column it covers, so header labels stay above their columns. In a row holding
    numbers every cell is one entry whatever its span: Word tables whose rows were drawn with
    different cell widths have a fine grid in which one value covers two grid columns, and
    padding would put a false empty value between two real ones.
    """
    grid: list[list[str]] = []
    for tr in _table_rows(tbl):
        tr_pr = tr.find(w("trPr"))
        cells: list[tuple[str, int]] = []
        for tc in _row_cells(tr):
            tc_pr = tc.find(w("tcPr"))
            span = max(1, _int_attr(tc_pr, "gridSpan", 1))
            vmerge = tc_pr.find(w("vMerge")) if tc_pr is not None else None
            continued = vmerge is not None and vmerge.get(w("val"), "continue") == "continue"
            hmerge = tc_pr.find(w("hMerge")) if tc_pr is not None else None
            if hmerge is not None and hmerge.get(w("val"), "continue") == "continue":
                span = 0  # legacy horizontal merge: this cell is covered by the one to its left
            cells.append(("" if continued or span == 0 else _cell_text(tc), span))
        if any(is_number(text) for text, _span in cells):
            grid.append([text for text, span in cells if span])
            continue
        row: list[str] = [""] * _int_attr(tr_pr, "gridBefore")
        for text, span in cells:
            row.append(text)
            row.extend([""] * max(span - 1, 0))
        row.extend([""] * _int_attr(tr_pr, "gridAfter"))
        grid.append(row)
    return grid


def _walk(container: Any) -> Iterator[Block]:
    """Yield the blocks of a body-like container (body, cell, text box, content control)."""
    for child in container:
        tag = child.tag
        if tag == P:
            text = _paragraph_text(child)
            text = join_cell_lines(text.replace("\u3000", " ")) if "\n" in text else text.strip()
            if text:
                yield Block(kind="para", text=text, page=_page_of(child))
            for box in _text_boxes(child):
                yield from _walk(box)
        elif tag == TBL:
            yield from _walk_table(child)
        elif tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _walk(content)


def _table_segments(rows: list[Any], grid: list[list[str]]) -> list[tuple[str, int, int]]:
    """Return how a table's rows are read: ``("text", i, i)`` rows and ``("table", a, b)`` runs.

    A row made of one cell spanning the table (or any row of a one-column table) at the top or
    bottom is framed running text, unless it is a caption (``第二十条第（一）项``); in the middle it
    is running text only when it is a numbered heading (``四、…``) between two tables printed in
    one frame.
    """
    ncols = max((len(r) for r in grid), default=0)
    single = [len(list(_row_cells(tr))) == 1 or ncols <= 1 for tr in rows]

    def running(i: int) -> bool:
        text = grid[i][0] if grid[i] else ""
        return single[i] and not CAPTION_RE.match(text)

    first, last = 0, len(rows) - 1
    while first <= last and running(first):
        first += 1
    while last >= first and running(last):
        last -= 1
    segments: list[tuple[str, int, int]] = [("text", i, i) for i in range(first)]
    start = first
    for i in range(first, last + 1):
        if running(i) and HEADING_RE.match(grid[i][0] if grid[i] else ""):
            if start < i:
                segments.append(("table", start, i - 1))
            segments.append(("text", i, i))
            start = i + 1
    if start <= last:
        segments.append(("table", start, last))
    segments.extend(("text", i, i) for i in range(max(last + 1, first), len(rows)))
    return segments


def _walk_table(tbl: Any) -> Iterator[Block]:
    """Yield a table's blocks: framed running text as paragraphs, table runs as table blocks.

    After each table run come the nested tables and text boxes found in its cells.
    """
    rows = list(_table_rows(tbl))
    grid = table_grid(tbl)
    for kind, a, b in _table_segments(rows, grid):
        if kind == "text":
            for tc in _row_cells(rows[a]):
                yield from _walk(tc)
            continue
        part = grid[a : b + 1]
        if any(any(c.strip() for c in row) for row in part):
            row_pages = [_page_of(tr) for tr in rows[a : b + 1]]
            yield Block(
                kind="table",
                rows=part,
                page=row_pages[0] if row_pages else None,
                row_pages=row_pages if any(row_pages) else [],
            )
        for tr in rows[a : b + 1]:
            for tc in _row_cells(tr):
                for child in tc:
                    if child.tag == TBL:
                        yield from _walk_table(child)
                    elif child.tag == P:
                        for box in _text_boxes(child):
                            yield from _walk(box)


def read(data: bytes, source: str) -> IntermediateDoc:
    """Read a DOCX document into paragraphs and tables in body order.

    Raises:
        LimitExceeded: a part is too large, too compressed or has too many elements.
        UnreadableError: the bytes are not a readable Word document (corrupt ZIP or XML).
    """
    check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableError(f"Word 文档已损坏或无法打开（{type(exc).__name__}）") from exc
    except Exception as exc:  # lxml and python-docx raise many types for broken files
        raise UnreadableError(f"Word 文档无法解析（{type(exc).__name__}）") from exc
    body = document.element.body
    token = _NUMBERING.set(Numbering(document))
    pages_token = _PAGES.set(page_map(body))
    try:
        blocks = list(_walk(body))
    finally:
        _NUMBERING.reset(token)
        _PAGES.reset(pages_token)
    problems: list[dict[str, str]] = []
    has_images = bool(body.findall(".//" + w("drawing"))) or bool(body.findall(".//" + w("pict")))
    if not has_han(blocks):
        detail = (
            "Word 文档中只有图片，没有可读文字（可能是扫描件），无法机读"
            if has_images
            else "Word 文档中没有可读的中文文字，无法机读"
        )
        problems.append({"kind": "unreadable", "detail": detail})
    elif has_images and not any(b.kind == "table" for b in blocks):
        problems.append({"kind": "reader", "detail": TABLES_AS_IMAGES})
    known = [b.page for b in blocks if b.page] + [p for b in blocks for p in b.row_pages if p]
    return IntermediateDoc(
        source=source,
        blocks=blocks,
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        pages=max(known) if known else None,
        problems=problems,
    )
