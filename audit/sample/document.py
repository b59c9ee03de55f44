"""A generated report before rendering: title, preamble, six sections and the three form tables.

The tables are built here from the prescribed form (:mod:`audit.form`), with the merged cells of the
printed form: table 3's corner note over three rows and columns, ``三、本年度办理结果`` down the
result rows, ``（三）不予公开`` down its eight grounds, table 4's two-level header. Every renderer
(text, HTML, DOCX, PDF) prints the same :class:`Draft`, so a document's cells are known exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from audit.form import (
    SECTIONS,
    T3_COLUMNS,
    T3_ROW_BY_ID,
    T4_COLUMNS,
    t2_blocks,
    t3_data_rows,
)
from audit.sample.agencies import Agency

T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@dataclass
class Cell:
    """A printed table cell; ``rows``/``cols`` > 1 merge it over the cells below/right."""

    text: str
    rows: int = 1
    cols: int = 1
    header: bool = False


@dataclass
class Table:
    """A printed table: ``grid[r][c]`` is a :class:`Cell`, or ``None`` where a merge covers it."""

    name: str  # t2 | t3 | t4
    grid: list[list[Cell | None]]

    @property
    def width(self) -> int:
        """Return the number of grid columns."""
        return len(self.grid[0])

    def weights(self) -> list[float]:
        """Return the relative column widths as printed: label columns wide, value columns narrow.

        Table 3's first label column is one character wide (``三、本年度办理结果`` prints one
        character per line); table 4's fifteen columns share the width, so its labels wrap.
        """
        if self.name == "t2":
            return [4.0, 2.0, 2.0, 2.0]
        if self.name == "t3":
            return [1.0, 3.2, 5.6] + [1.5] * 7
        return [1.0] * self.width

    def expanded(self) -> list[list[str]]:
        """Return the grid as strings: a merged cell's text in its first position, ``""`` elsewhere."""
        return [[c.text if c else "" for c in row] for row in self.grid]


@dataclass
class Para:
    """A paragraph: ``role`` is title, heading (一、…), subheading (（一）…), body or closing."""

    text: str
    role: str = "body"


Block = Para | Table


@dataclass
class Section:
    """One of the six sections: its printed title and its paragraphs (S2–S4 hold their table)."""

    id: str
    title: str
    paras: list[Para] = field(default_factory=list)


@dataclass
class Draft:
    """Everything printed in one generated report."""

    agency: Agency
    year: int
    form: str
    title: list[str]
    preamble: list[str]
    sections: list[Section]
    cells: dict[str, str]  # printed value of every cell id ("" = left blank)
    labels: dict[str, str] = field(default_factory=dict)  # printed label overrides: row or column id
    closing: list[str] = field(default_factory=list)
    published_on: date | None = None

    def section(self, sid: str) -> Section | None:
        """Return the section ``sid`` when printed."""
        return next((s for s in self.sections if s.id == sid), None)

    def blocks(self) -> list[Block]:
        """Return the document in reading order: title, preamble, sections with tables, closing."""
        out: list[Block] = [Para(t, "title") for t in self.title]
        out += [Para(p) for p in self.preamble]
        tables = {"S2": self.table2, "S3": self.table3, "S4": self.table4}
        for sec in self.sections:
            out.append(Para(sec.title, "heading"))
            if sec.id in tables:
                out.append(tables[sec.id]())
            out += sec.paras
        out += [Para(p, "closing") for p in self.closing]
        return out

    def text_of(self, sid: str) -> str:
        """Return the narrative text of a section (paragraphs joined by line breaks)."""
        sec = self.section(sid)
        return "\n".join(p.text for p in sec.paras) if sec else ""

    # -- tables ---------------------------------------------------------------------------------

    def _label(self, key: str, canonical: str) -> str:
        return self.labels.get(key, canonical)

    def table2(self) -> Table:
        """Return table 2: one four-column table, a block header row and column row per block."""
        width = 4
        grid: list[list[Cell | None]] = []
        for block in t2_blocks(self.form):
            grid.append([Cell(block.header, cols=width, header=True), None, None, None])
            cols = [self._label(f"t2.{block.id}.{c.id}", c.label) for c in block.columns]
            grid.append(
                _row_cells([Cell("信息内容", header=True)] + [Cell(c, header=True) for c in cols], width)
            )
            for rdef in block.rows:
                label = self._label(f"t2.{rdef.id}", rdef.label)
                values = [Cell(self.cells[f"t2.{rdef.id}.{c.id}"]) for c in block.columns]
                grid.append(_row_cells([Cell(label)] + values, width))
        return Table("t2", grid)

    def table3(self) -> Table:
        """Return table 3: three label columns and seven value columns, as the form prints it."""
        rows = t3_data_rows(self.form)
        grid: list[list[Cell | None]] = [
            [Cell(T3_NOTE, rows=3, cols=3, header=True), None, None, Cell("申请人情况", cols=7, header=True)]
            + [None] * 6,
            [None, None, None, Cell(self._label("t3.col.natural", T3_COLUMNS[0].label), rows=2, header=True)]
            + [Cell("法人或其他组织", cols=5, header=True), None, None, None, None]
            + [Cell(self._label("t3.col.total", "总计"), rows=2, header=True)],
            [None, None, None, None]
            + [Cell(self._label(f"t3.col.{c.id}", c.label), header=True) for c in T3_COLUMNS[1:6]]
            + [None],
        ]
        result_rows = [r for r in rows if T3_ROW_BY_ID.get(r.split(".")[0]) and r not in _T3_OUTSIDE]
        first_result = True
        for row in rows:
            values = [Cell(self.cells[f"t3.{row}.{c.id}"]) for c in T3_COLUMNS]
            label = self._label(f"t3.{row}", T3_ROW_BY_ID[row].label)
            if row in _T3_OUTSIDE:
                grid.append([Cell(label, cols=3), None, None] + values)
                continue
            lead: Cell | None = None
            if first_result:
                lead = Cell(self._label("t3.result", "三、本年度办理结果"), rows=len(result_rows))
                first_result = False
            if "." in row:  # a ground under its group: the group label runs down the first one
                group = row.split(".")[0]
                siblings = [r for r in rows if r.startswith(group + ".")]
                head = Cell(self._label(f"t3.{group}", T3_ROW_BY_ID[group].label), rows=len(siblings))
                grid.append([lead, head if row == siblings[0] else None, Cell(label)] + values)
            else:
                grid.append([lead, Cell(label, cols=2), None] + values)
        return Table("t3", grid)

    def table4(self) -> Table:
        """Return table 4: 行政复议 and 行政诉讼 (two groups of five) over one row of values."""
        leaves = [c.label for c in T4_COLUMNS]
        top = [Cell("行政复议", cols=5, header=True)] + [None] * 4 + [Cell("行政诉讼", cols=10, header=True)]
        top += [None] * 9
        mid: list[Cell | None] = [Cell(x, rows=2, header=True) for x in leaves]
        mid += [Cell("未经复议直接起诉", cols=5, header=True)] + [None] * 4
        mid += [Cell("复议后起诉", cols=5, header=True)] + [None] * 4
        low: list[Cell | None] = [None] * 5 + [Cell(x, header=True) for x in leaves * 2]
        values: list[Cell | None] = [
            Cell(self.cells[f"t4.{g}.{c.id}"])
            for g in ("review", "lit_direct", "lit_after_review")
            for c in T4_COLUMNS
        ]
        return Table("t4", [top, mid, low, values])


_T3_OUTSIDE = ("new", "carry_in", "carry_out")


def _row_cells(cells: list[Cell], width: int) -> list[Cell | None]:
    """Return a row of ``width`` positions: the last cell merged over what is left."""
    if len(cells) < width:
        cells[-1].cols = width - len(cells) + 1
        return cells + [None] * (width - len(cells))
    return list(cells)


def canonical_title(sid: str) -> str:
    """Return a section's title as the form prints it."""
    return next(s.canonical for s in SECTIONS if s.id == sid)


def printed_number(value: int | float) -> str:
    """Return a figure as reports print it: whole numbers plain, amounts without trailing zeros."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(int(value))
