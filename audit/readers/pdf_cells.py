"""Ruled tables of a PDF page: pdfplumber's ``TableFinder`` with a faster search for cells.

pdfplumber finds the cells of ruled tables from the intersections of ruling lines: for every
intersection, the smallest rectangle whose other three corners are intersections joined to it
by the same ruling lines. Its ``intersections_to_cells`` scans all later intersections for every
intersection and rebuilds the sets of joining lines for every pair it tests, which made it the
largest part of table finding on a page of tables. :func:`find_tables` runs the same steps
(``get_edges``, ``edges_to_intersections``, ``cells_to_tables``) with :func:`intersections_to_cells`
looking only along the intersection's column and row, with each intersection's lines computed
once; the cells, their order and the tables are the same (``tests/test_read_pdf_text.py``).
"""

from __future__ import annotations

from typing import Any

from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections

Point = tuple[float, float]
Cell = tuple[float, float, float, float]


def intersections_to_cells(intersections: dict[Point, dict[str, list[dict[str, Any]]]]) -> list[Cell]:
    """Return the cells described by the intersections, as pdfplumber's function of that name does."""
    points = sorted(intersections)
    lines = {
        p: {
            kind: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in intersections[p][kind]}
            for kind in ("v", "h")
        }
        for p in points
    }

    def joined(p1: Point, p2: Point) -> bool:
        """Return True when a vertical (same x) or horizontal (same y) ruling line joins the points."""
        if p1[0] == p2[0] and not lines[p1]["v"].isdisjoint(lines[p2]["v"]):
            return True
        return p1[1] == p2[1] and not lines[p1]["h"].isdisjoint(lines[p2]["h"])

    columns: dict[float, list[Point]] = {}
    rows: dict[float, list[Point]] = {}
    for p in points:  # sorted by (x, y): each column by y, each row by x
        columns.setdefault(p[0], []).append(p)
        rows.setdefault(p[1], []).append(p)
    position = {p: (columns[p[0]].index(p), rows[p[1]].index(p)) for p in points}

    cells: list[Cell] = []
    for pt in points:
        in_column, in_row = position[pt]
        cell = _smallest_cell(
            pt, columns[pt[0]][in_column + 1 :], rows[pt[1]][in_row + 1 :], intersections, joined
        )
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest_cell(
    pt: Point, below: list[Point], right: list[Point], intersections: Any, joined: Any
) -> Cell | None:
    """Return the first cell with ``pt`` as its top left corner (pdfplumber's ``find_smallest_cell``)."""
    for below_pt in below:
        if not joined(pt, below_pt):
            continue
        for right_pt in right:
            if not joined(pt, right_pt):
                continue
            bottom_right = (right_pt[0], below_pt[1])
            if (
                bottom_right in intersections
                and joined(bottom_right, right_pt)
                and joined(bottom_right, below_pt)
            ):
                return (pt[0], pt[1], bottom_right[0], bottom_right[1])
    return None


class _TableFinder(TableFinder):
    """pdfplumber's table finder with :func:`intersections_to_cells` in place of its own."""

    def __init__(self, page: Any, settings: dict[str, Any]) -> None:
        self.page = page
        self.settings = TableSettings.resolve(settings)
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges, self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance
        )
        self.cells = intersections_to_cells(self.intersections)
        self.tables = [Table(self.page, group) for group in cells_to_tables(self.cells)]


def find_tables(page: Any, settings: dict[str, Any]) -> list[Table]:
    """Return the tables pdfplumber's ``page.find_tables(settings)`` returns."""
    return _TableFinder(page, settings).tables
