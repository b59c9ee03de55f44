"""HTML tables: rows and cells of one table, span expansion, layout tables.

``rowspan``/``colspan`` are expanded into a full grid. A spanned cell's text is put in its
top-left position and ``""`` in every other position it covers, so value columns stay aligned and
no value is counted twice. Spans are capped at the table's real size: a rowspan at the rows left
in the table (``0`` means all of them), a colspan at the table's number of cells and at HTML's
own maximum (1000). The positions a table will fill are counted before anything is expanded: a
table over ``max_cells`` raises :class:`~audit.readers.base.LimitExceeded` instead of taking
gigabytes (a 178 KB page of 2,000 rows with ``rowspan=colspan=2147483647`` did).
"""

from __future__ import annotations

import re

from audit import limits
from audit.readers.base import LimitExceeded
from audit.readers.html_dom import Element, nearest, own_cells, own_rows, text_len

HTML_MAX_COLSPAN = 1000  # HTML's own maximum: browsers clamp larger values
Cell = tuple[str, int, int]  # (text, rowspan, colspan)


def span_of(value: str | None) -> int:
    """Return a rowspan/colspan attribute as an int (leading digits; default 1; 0 kept as 0)."""
    m = re.match(r"\s*(\d{1,12})", value or "")
    return int(m.group(1)) if m else 1


def cap_spans(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Return the cells with their spans capped at the table's real size.

    A rowspan reaches at most the last row (``0`` means exactly that); a colspan is at most the
    number of cells of the whole table (a table cannot have more columns than it has cell edges)
    and at most HTML's 1000.
    """
    n = len(rows)
    width = max(1, min(HTML_MAX_COLSPAN, sum(len(cells) for cells in rows)))
    return [
        [
            (text, n - r if rs == 0 else min(max(rs, 1), n - r), min(max(cs, 1), width))
            for text, rs, cs in cells
        ]
        for r, cells in enumerate(rows)
    ]


def _too_big(rows: int, positions: int, limit: int) -> LimitExceeded:
    """Return the error for a table whose expanded grid would exceed ``max_cells``."""
    return LimitExceeded(
        "max_cells",
        f"网页表格有 {rows} 行，展开合并单元格后至少需要 {positions} 个单元格位置，上限 {limit} 个",
    )


def expand_grid(rows: list[list[Cell]]) -> list[list[str]]:
    """Expand rows of (text, rowspan, colspan) cells into a grid of strings.

    The text of a spanned cell goes to its top-left position; the other positions it covers get
    ``""``. Spans are capped (:func:`cap_spans`). Rows keep their own length (positions left
    unfilled inside a row become ``""``).

    Raises:
        LimitExceeded: the positions the spans cover, or the positions the grid needs, exceed
            ``max_cells`` (counted before and while expanding, never after).
    """
    limit = limits.current().max_cells
    rows = cap_spans(rows)
    n = len(rows)
    covered = sum(rs * cs for cells in rows for _text, rs, cs in cells)
    if covered > limit:
        raise _too_big(n, covered, limit)
    grid: list[list[str | None]] = [[] for _ in range(n)]
    allocated = 0
    for r, cells in enumerate(rows):
        c = 0
        for text, rs, cs in cells:
            row = grid[r]
            while c < len(row) and row[c] is not None:
                c += 1
            for dr in range(rs):
                target = grid[r + dr]
                if len(target) < c + cs:
                    allocated += c + cs - len(target)
                    if allocated > limit:
                        raise _too_big(n, allocated, limit)
                    target.extend([None] * (c + cs - len(target)))
                for dc in range(cs):
                    if target[c + dc] is None:
                        target[c + dc] = text if dr == 0 and dc == 0 else ""
            c += cs
    return [["" if v is None else v for v in row] for row in grid]


LAYOUT_CELL_CHARS = 300


def layout_cells(table: Element) -> list[Element]:
    """Return the cells of a layout table in reading order (row by row)."""
    return [c for tr in own_rows(table) for c in own_cells(tr)]


def is_layout_table(table: Element) -> bool:
    """Return True for a table used for page layout rather than for data.

    A layout table has a single column, a cell of long prose, or nested tables (at least two rows
    and two columns) holding at least half of its text: then the nested tables are the data. A
    small nested grid inside a data table is flattened into its cell instead.
    """
    trs = own_rows(table)
    if not trs:
        return True
    width = max(
        (sum(min(span_of(c.get("colspan")) or 1, HTML_MAX_COLSPAN) for c in own_cells(tr)) for tr in trs),
        default=0,
    )
    if width <= 1:
        return True
    grids = 0
    for inner in table.iter("table"):
        if inner is table or nearest(inner, "table") is not table:
            continue
        rows = own_rows(inner)
        if len(rows) >= 2 and max((len(own_cells(r)) for r in rows), default=0) >= 2:
            grids += text_len(inner)
    if grids and grids >= 0.5 * text_len(table):
        return True  # the nested grids are the content; a small one is a cell's sub-table
    for tr in trs:
        for c in own_cells(tr):
            if text_len(c) > LAYOUT_CELL_CHARS:
                return True
    return False
