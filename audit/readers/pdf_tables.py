"""PDF tables across pages: a table continued on the next page is joined, grids are cleaned.

A table continued on the next page (the next page starts with a table and nothing but the page
footer/header lies between) is joined into one table with ``row_pages`` telling each row's
page. A merged label cell cut in two by the page break (``（四）无`` / ``法提供``) is joined
again when the continuation does not start a new numbered label; a row broken across the pages
(the rest of its label at the top of the next page, without numbers) is joined into one row;
header rows repeated at the top of the next page are dropped.
"""

from __future__ import annotations

import re

from audit.readers.common import CJK_RE, join_cell_lines
from audit.readers.pdf_page import Table
from audit.text import is_number

# A cell that starts a new numbered label: 一、 （四） (4) 4. 4、 ①
_NUMBERED_RE = re.compile(
    r"^\s*(?:[（(]?[一二三四五六七八九十]+[)）、.．]|[（(]\d+[)）]|\d+\s*[.、．]|[①-⑳])"
)


def join_tables(a: Table, b: Table) -> None:
    """Append table ``b`` (continued on the next page) to ``a``, mending a label cut by the break.

    Header rows that Word repeats at the top of each page (the same text as ``a``'s first rows,
    no numbers) are dropped.
    """
    repeated = 0
    while repeated < min(len(a.grid), len(b.grid) - 1):
        top, again = _clean_row(a.grid[repeated]), _clean_row(b.grid[repeated])
        if top != again or any(is_number(c) for c in again) or not any(again):
            break
        repeated += 1
    if repeated:
        b.grid, b.row_pages = b.grid[repeated:], b.row_pages[repeated:]
        b.hcover = b.hcover[repeated:]
    if b.grid and a.grid and len(b.grid[0]) == len(a.grid[-1]):
        # a data row broken across the pages: the rest of its labels, without numbers, in the
        # same cells (a caption spanning the table is no continuation) under the label cells
        last, first = _clean_row(a.grid[-1]), _clean_row(b.grid[0])
        filled = [j for j, c in enumerate(first) if c]
        # the continued cells are real cells in both rows; a caption spanning the new page's row
        # (more covered positions than the row it would continue) is no continuation. Cells that
        # continue a vertical merge (None above) restart as empty cells on the new page.
        same_cells = all(a.grid[-1][j] is not None for j in filled) and sum(
            c is None for c in b.grid[0]
        ) <= sum(c is None for c in a.grid[-1])
        if (
            filled
            and same_cells
            and not any(is_number(c) for c in first)
            and any(is_number(c) for c in last)
            and all(last[j] and not is_number(last[j]) for j in filled)
        ):
            for j in filled:
                a.grid[-1][j] = (a.grid[-1][j] or "") + "\n" + (b.grid[0][j] or "")
            b.grid, b.row_pages, b.hcover = b.grid[1:], b.row_pages[1:], b.hcover[1:]
    if b.grid and a.grid and len(b.grid[0]) == len(a.grid[-1]):
        first = b.grid[0]
        for j, cell in enumerate(first):
            if not cell or not cell.strip() or _NUMBERED_RE.match(cell) or not CJK_RE.search(cell):
                continue
            # the cell above: nearest non-None cell in column j of a, scanning up from the bottom
            k = len(a.grid) - 1
            while k >= 0 and j < len(a.grid[k]) and a.grid[k][j] is None:
                k -= 1
            if k < 0 or j >= len(a.grid[k]):
                continue
            above = a.grid[k][j]
            if not above or not CJK_RE.search(above) or re.fullmatch(r"[\d.,\s]+", above):
                continue
            # the continuation must itself be a merged cell or the cell above must be (vertical span)
            spans_down = len(b.grid) > 1 and j < len(b.grid[1]) and b.grid[1][j] is None
            spanned_above = k < len(a.grid) - 1
            if not (spans_down or spanned_above or _looks_cut(above)):
                continue
            a.grid[k][j] = above + "\n" + cell
            first[j] = ""
    a.grid.extend(b.grid)
    a.hcover.extend(b.hcover or [[False] * len(r) for r in b.grid])
    a.row_pages.extend(b.row_pages)
    a.bottom = b.bottom


def _clean_row(row: list[str | None]) -> list[str]:
    """Return a grid row as joined strings (``""`` for spanned positions)."""
    return [join_cell_lines(c) if c else "" for c in row]


def _looks_cut(text: str) -> bool:
    """Return True when a label looks cut off (a numbered group label of at most 3 characters)."""
    s = join_cell_lines(text)
    m = _NUMBERED_RE.match(s)
    return bool(m) and len(s) - m.end() <= 3


def clean_grid(table: Table) -> list[list[str]]:
    """Return the grid as strings: joined cell lines, ``""`` for spanned positions.

    In a row holding numbers, positions covered by a cell spanning from the left are dropped
    (one entry per printed cell), as the DOCX reader does: a value drawn over two grid columns
    must not put a false empty value between real ones. Positions covered from above stay ``""``
    so label columns keep their alignment.
    """
    out: list[list[str]] = []
    for i, row in enumerate(table.grid):
        cover = table.hcover[i] if i < len(table.hcover) else [False] * len(row)
        cells = [join_cell_lines(c) if c else "" for c in row]
        if any(is_number(c) for c in cells):
            cells = [c for j, c in enumerate(cells) if not (j < len(cover) and cover[j])]
        out.append(cells)
    return out
