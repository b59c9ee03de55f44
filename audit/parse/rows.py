"""Rows of the intermediate document, as the parser sees them: cells, where printed, split into label and values."""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.report import IntermediateDoc
from audit.text import (
    is_missing_token,
    is_value_cell,
    looks_like_value,
    norm,
    parse_number,
)

# ----------------------------------------------------------------------------------------------
# Rows of the intermediate document


@dataclass
class Row:
    """A table row or a paragraph of the document, with its position."""

    cells: list[str]
    line: int | None
    page: int | None
    index: int  # position in reading order
    is_table: bool
    positional: bool = False  # every cell is a printed position (tab-separated text)

    @property
    def text(self) -> str:
        """Return the row's cells joined as one string."""
        return "".join(self.cells)


def _rows(doc: IntermediateDoc) -> list[Row]:
    out: list[Row] = []
    for block in doc.blocks:
        if block.kind == "para":
            out.append(Row([block.text], block.line, block.page, len(out), False))
            continue
        for i, cells in enumerate(block.rows):
            line = block.row_lines[i] if i < len(block.row_lines) else block.line
            page = block.row_pages[i] if i < len(block.row_pages) else block.page
            out.append(Row([c or "" for c in cells], line, page, len(out), True, block.positional))
    return out


# ----------------------------------------------------------------------------------------------
# Generic row splitting


@dataclass
class SplitRow:
    """A table row split into its label text and its value cells."""

    row: Row
    label: str  # normalised concatenation of the label cells
    printed: str  # label cells as printed, joined with a space
    values: list[str]  # the value cells after the last label cell ("" = blank)
    n_values: int  # value-like cells (numbers or explicit missing markers)


# a value glued to the end of its label by text extraction: "2.其他法律行政法规禁止公开0"
_GLUED_VALUE_RE = re.compile(r"^(.*[\u4e00-\u9fff）)”\"])\s*(\d+(?:\.\d+)?)$")


def _split(row: Row) -> SplitRow:
    """Split a table row into its label and its value cells (see :class:`SplitRow`)."""
    cells = list(row.cells)
    if not row.is_table:
        # a table row extracted as a line of text: "行政许可 0", "一、本年新收…数量 12 0 0 0 0 0 12"
        tokens = cells[0].split()
        k = len(tokens)
        while k > 0 and (is_value_cell(tokens[k - 1]) or looks_like_value(tokens[k - 1])):
            k -= 1
        cells = ["".join(tokens[:k]), *tokens[k:]] if 0 < k < len(tokens) else cells
    last_label = -1
    for i, c in enumerate(cells):
        s = c.strip()
        if s and not is_value_cell(s) and not looks_like_value(s):
            last_label = i
    label_cells = [c.strip() for c in cells[: last_label + 1] if c.strip()]
    values = [c.strip() for c in cells[last_label + 1 :]]
    glued = _GLUED_VALUE_RE.match(label_cells[-1]) if label_cells and values else None
    if glued and is_value_cell(values[0]):
        label_cells[-1] = glued.group(1)
        values.insert(0, glued.group(2))
    while values and not values[-1]:
        values.pop()
    n_values = sum(1 for v in values if v and (is_value_cell(v) or looks_like_value(v)))
    return SplitRow(row, norm("".join(label_cells)), " ".join(label_cells), values, n_values)


def _unpad(values: list[str], n: int) -> list[str]:
    """Return the value cells without the blanks a value cell spanning two columns leaves.

    Readers expand a ``colspan`` into the cell plus empty positions; when a row then has more
    positions than the form has columns but exactly as many filled ones, the blanks are padding,
    not missing values.
    """
    filled = [v for v in values if v]
    return filled if len(values) > n and len(filled) == n else values


def _value(raw: str) -> tuple[int | float | None, bool]:
    """Return (value, malformed) for a raw value cell."""
    if is_missing_token(raw):
        return None, False
    v = parse_number(raw)
    if v is None:
        return None, True
    return v, False
