"""One PDF page: its ruled tables, its text lines outside them, and tables without ruling lines.

* Tables are found from ruling lines (``find_tables`` with the ``lines`` strategy, which also
  uses the edges of drawn rectangles, as WPS and Word export them). Real reports often frame
  running text in the same ruled box as a table (one full-width cell per text line): such
  full-width single-cell rows at the top or bottom of a found table are given back to the running
  text; a table with a single column is no table at all. Block captions like
  ``第二十条第（一）项`` stay in the table.
* Lines outside the ruled tables whose words are separated by wide gaps become table rows
  (cells split at the gaps), as the text reader does with runs of spaces.
* Page numbers printed as headers or footers (``- 3 -``, ``第3页 共8页``, ``3/8``) are dropped.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from audit.readers.common import CAPTION_RE, HEADING_RE, join_cell_lines
from audit.readers.pdf_cells import find_tables
from audit.readers.pdf_text import LIGATURES, CharIndex, table_text, text_lines

TABLE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
    "edge_min_length": 3,
}
_PAGE_NUMBER_RES = [
    re.compile(r"^[-—–－‐_~·•\s]*\d{1,4}[-—–－‐_~·•\s]*$"),
    re.compile(r"^第\s*\d{1,4}\s*页(\s*[/，,]?\s*共\s*\d{1,4}\s*页)?$"),
    re.compile(r"^共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页$"),
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),
    re.compile(r"^(page|Page|PAGE)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$"),
]


@dataclass
class Line:
    """A text line on a page outside the kept tables."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class Table:
    """A table found on one page: its grid (None = spanned position) and where it is."""

    grid: list[list[str | None]]
    top: float
    bottom: float
    page: int
    row_pages: list[int] = field(default_factory=list)
    x0: float = 0.0
    x1: float = 0.0
    # True where a position is covered by a cell to its left (a horizontal span)
    hcover: list[list[bool]] = field(default_factory=list)


def is_page_number(text: str) -> bool:
    """Return True when a text line is a printed page number (header or footer), not content."""
    s = text.strip()
    if not s:
        return False
    return any(rx.match(s) for rx in _PAGE_NUMBER_RES)


def _outside(chars: list[dict], boxes: list[tuple[float, float, float, float]]) -> list[dict]:
    """Return the characters whose centre lies in none of the boxes."""
    out = []
    for c in chars:
        cx = (c["x0"] + c["x1"]) / 2
        cy = (c["top"] + c["bottom"]) / 2
        for x0, top, x1, bottom in boxes:
            if x0 <= cx <= x1 and top <= cy <= bottom:
                break
        else:
            out.append(c)
    return out


def _is_text_row(row: list[str | None]) -> bool:
    """Return True when a grid row is one full-width cell (a framed line of running text)."""
    filled = [c for c in row if c is not None]
    return len(filled) <= 1 and (len(row) == 1 or row[0] is not None or not any(filled))


def _is_running_text_row(row: list[str | None]) -> bool:
    """Return True when a full-width single-cell row is running text, not a table caption."""
    return _is_text_row(row) and not CAPTION_RE.match(join_cell_lines(row[0] or "") if row else "")


def _kept_rows(grid: list[list[str | None]]) -> list[tuple[int, int]]:
    """Return the (first, last) row ranges of a found table that form real tables.

    Full-width single-cell rows at the top or bottom (framed running text) are left out, and
    the table is cut at such a row in its middle when it is a numbered heading (``四、…``): two
    tables printed in one frame with the section title between them.
    """
    if not grid or max(len(r) for r in grid) < 2:
        return []
    first, last = 0, len(grid) - 1
    while first <= last and _is_running_text_row(grid[first]):
        first += 1
    while last >= first and _is_running_text_row(grid[last]):
        last -= 1
    ranges: list[tuple[int, int]] = []
    start = first
    for i in range(first, last + 1):
        if _is_running_text_row(grid[i]) and HEADING_RE.match(join_cell_lines(grid[i][0] or "")):
            if start < i:
                ranges.append((start, i - 1))
            start = i + 1
    if start <= last:
        ranges.append((start, last))
    return [(a, b) for a, b in ranges if any(len([c for c in r if c]) >= 2 for r in grid[a : b + 1])]


def _page_tables(page: Any, page_no: int, index: CharIndex) -> list[Table]:
    """Return the ruled tables of a page (text rows around them given back to running text)."""
    tables: list[Table] = []
    if not (page.objects.get("line") or page.objects.get("rect") or page.objects.get("curve")):
        return tables  # no ruling lines, no edges: pdfplumber would find nothing
    for found in find_tables(page, TABLE_SETTINGS):
        rows = found.rows
        grid = table_text(rows, index)
        for first, last in _kept_rows(grid):
            tops: list[float] = []
            bottoms: list[float] = []
            for row in rows[first : last + 1]:
                for cell in row.cells:
                    if cell is not None:
                        tops.append(cell[1])
                        bottoms.append(cell[3])
            top = min(tops) if tops else found.bbox[1]
            bottom = max(bottoms) if bottoms else found.bbox[3]
            kept, hcover = _split_stacked_rows(
                grid[first : last + 1], _horizontal_cover([r.cells for r in rows[first : last + 1]])
            )
            tables.append(
                Table(
                    grid=kept,
                    top=top,
                    bottom=bottom,
                    page=page_no,
                    row_pages=[page_no] * len(kept),
                    x0=found.bbox[0],
                    x1=found.bbox[2],
                    hcover=hcover,
                )
            )
    return tables


_NUMBER_LINE_RE = re.compile(r"^\s*[\d,.]+\s*$")


def _split_stacked_rows(
    grid: list[list[str | None]], hcover: list[list[bool]]
) -> tuple[list[list[str | None]], list[list[bool]]]:
    """Return the grid with rows split where a ruling line between them was lost.

    When every value cell of a row holds the same number k ≥ 2 of stacked numbers, one per
    line, and every other non-empty cell has exactly k lines, the row is really k rows printed
    without the line between them: it is split into k rows.
    """
    out: list[list[str | None]] = []
    out_cover: list[list[bool]] = []
    for row, cover in zip(grid, hcover, strict=False):
        lines = [(c or "").split("\n") for c in row]
        numeric = [
            ls for c, ls in zip(row, lines, strict=True) if c and all(_NUMBER_LINE_RE.match(x) for x in ls)
        ]
        k = len(numeric[0]) if numeric else 1
        if (
            k >= 2
            and len(numeric) >= 2
            and all(len(ls) == k for ls in numeric)
            and all(not c or len(ls) == k for c, ls in zip(row, lines, strict=True))
        ):
            for i in range(k):
                out.append(
                    [None if c is None else (ls[i] if c else "") for c, ls in zip(row, lines, strict=True)]
                )
                out_cover.append(list(cover))
            continue
        out.append(row)
        out_cover.append(cover)
    return out, out_cover


def _horizontal_cover(rows: list[list[tuple[float, float, float, float] | None]]) -> list[list[bool]]:
    """Return, per row and position, whether a cell further left spans over that position."""
    width = max((len(r) for r in rows), default=0)
    col_x0 = [
        min((r[j][0] for r in rows if j < len(r) and r[j] is not None), default=0.0) for j in range(width)
    ]
    cover: list[list[bool]] = []
    for r in rows:
        flags = []
        reach = -1.0
        for j, cell in enumerate(r):
            if cell is not None:
                reach = cell[2]
                flags.append(False)
            else:
                flags.append(reach > col_x0[j] + 1)
        cover.append(flags)
    return cover


def _page_lines(page: Any, boxes: list[tuple[float, float, float, float]]) -> list[Line]:
    """Return the text lines of a page outside the given boxes, top to bottom."""
    outside = _outside(page.chars, boxes) if boxes else page.chars
    lines: list[Line] = []
    for ln in text_lines(outside):
        chars = ln.get("chars") or []
        sizes = [c.get("size", 0) for c in chars if c.get("text", " ").strip()]
        size = statistics.median(sizes) if sizes else 10.0
        text = ln["text"]
        if not text.strip():
            continue
        lines.append(Line(text=text, x0=ln["x0"], x1=ln["x1"], top=ln["top"], bottom=ln["bottom"], size=size))
    lines.sort(key=lambda item: (round(item.top), item.x0))
    return lines


def _drop_page_furniture(lines: list[Line], height: float) -> list[Line]:
    """Return the lines without printed page numbers (headers and footers)."""
    kept = []
    for ln in lines:
        if is_page_number(ln.text):
            in_margin = ln.top < height * 0.12 or ln.bottom > height * 0.88
            dashed = not ln.text.strip().isdigit()
            if in_margin or dashed:
                continue
        kept.append(ln)
    return kept


# --- text-strategy fallback for pages without ruling lines ---------------------------------------


def _split_line_cells(index: CharIndex, ln: Line) -> list[str]:
    """Return the cells of a text line split at wide horizontal gaps (≥ 1.8 character widths)."""
    chars = [c for c in index.within(ln.x0, ln.top, ln.x1, ln.bottom, margin=1) if c["text"].strip()]
    chars.sort(key=lambda c: c["x0"])
    cells: list[str] = []
    current = ""
    prev_x1: float | None = None
    for c in chars:
        gap = c["x0"] - prev_x1 if prev_x1 is not None else 0.0
        if prev_x1 is not None and gap >= 1.8 * ln.size:
            cells.append(current)
            current = ""
        elif (
            prev_x1 is not None
            and gap > 0.25 * ln.size
            and current
            and current[-1].isascii()
            and c["text"].isascii()
        ):
            current += " "
        current += c["text"]
        prev_x1 = c["x1"]
    if current:
        cells.append(current)
    return [join_cell_lines(c) for c in cells]


def _text_tables(index: CharIndex, lines: list[Line], page_no: int) -> tuple[list[Table], list[Line]]:
    """Return tables built from gap-separated text lines, and the lines that remain running text.

    A line split into ≥ 3 cells, one of them a number, is a table row; up to two lines between
    two such rows (a wrapped label) belong to the table, and so do header lines right above it
    that split into ≥ 3 cells. At least two lines of ≥ 3 cells make a table.
    """
    split = [_split_line_cells(index, ln) for ln in lines]

    def tabular(cells: list[str]) -> bool:
        return len(cells) >= 3 and any(re.fullmatch(r"[\d.,]+", c.replace(" ", "")) for c in cells)

    flags = [tabular(c) for c in split]
    in_table = [False] * len(lines)
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        if not flags[i]:
            i += 1
            continue
        first, last = i, i
        while True:
            k = last + 1
            while k < len(lines) and not flags[k] and k - last <= 2:
                k += 1
            if k < len(lines) and flags[k]:
                last = k
            else:
                break
        while first > 0 and not in_table[first - 1] and len(split[first - 1]) >= 3:
            first -= 1
        if sum(1 for m in range(first, last + 1) if len(split[m]) >= 3) >= 2:
            for m in range(first, last + 1):
                in_table[m] = True
            grid: list[list[str | None]] = [list(split[m]) for m in range(first, last + 1)]
            tables.append(
                Table(
                    grid=grid,
                    top=lines[first].top,
                    bottom=lines[last].bottom,
                    page=page_no,
                    row_pages=[page_no] * len(grid),
                )
            )
        i = last + 1
    rest = [ln for m, ln in enumerate(lines) if not in_table[m]]
    return tables, rest


def read_page(page: Any, page_no: int) -> tuple[list[tuple[float, object]], str, int]:
    """Return a page's lines and tables with their tops, the page's raw text and its image count.

    The raw text is every non-blank character (ligatures expanded): what the reader counts to
    judge whether a text layer is usable.
    """
    chars = page.chars
    raw_text = "".join(LIGATURES.get(c["text"], c["text"]) for c in chars if not c["text"].isspace())
    has_images = 1 if page.images else 0
    if not chars:
        return [], raw_text, has_images
    index = CharIndex(chars)
    tables = _page_tables(page, page_no, index)
    boxes = [(t.x0 - 1, t.top - 1, t.x1 + 1, t.bottom + 1) for t in tables]
    lines = _drop_page_furniture(_page_lines(page, boxes), float(page.height))
    # lines outside the ruled tables may still be a table printed without ruling lines
    text_tables, lines = _text_tables(index, lines, page_no)
    tables.extend(text_tables)
    out: list[tuple[float, object]] = [(ln.top, ln) for ln in lines]
    out.extend((t.top, t) for t in tables)
    out.sort(key=lambda item: item[0])
    return out, raw_text, has_images
