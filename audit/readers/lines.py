"""Text lines → paragraphs and tables: the text reader's layout rules, shared with HTML ``<pre>``.

Table cells are separated by tabs or, in layout-preserving extractions, by runs of two or more
spaces. In a tab-separated row every tab separates a position: empty fields stay as blank cells
and the table block is ``positional`` (a blank is an empty field, not padding). Consecutive
table-like lines of the same kind (tabs or spaces) form one table; blank lines inside a table
(page breaks) do not end it. Every other non-empty line is a paragraph. A line longer than
``max_line_chars`` is cut there, with a ``problems`` entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from audit import limits as limits_mod
from audit.report import Block
from audit.text import is_value_cell

_MULTISPACE = re.compile(r"(?<=\S)[ \u3000]{2,}(?=\S)")
_NUMBERS_ONLY = re.compile(r"^[\d\s.,\-/—]+$")


def split_cells(line: str) -> list[str] | None:
    """Return the cells of a table-like line, or None when the line is prose."""
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    stripped = line.strip()
    if _NUMBERS_ONLY.match(stripped) and len(stripped.split()) >= 2:
        return stripped.split()
    if _MULTISPACE.search(stripped):
        cells = [c.strip() for c in _MULTISPACE.split(stripped)]
        if any(is_value_cell(c) for c in cells) or all(len(c) <= 20 for c in cells):
            return cells
    return None


def long_lines_problem(count: int, first: str, longest: int, limit: int) -> dict[str, str]:
    """Return the ``problems`` entry for lines cut at the line-length limit."""
    return {
        "kind": "reader",
        "code": "line_too_long",
        "detail": f"{count} 处文字过长（{first}，最长 {longest} 个字符），超出每行 {limit} 个字符的处理上限，只读取了前 {limit} 个字符",
    }


def blocks_from_lines(lines: Iterable[tuple[int, str]]) -> tuple[list[Block], list[dict[str, str]]]:
    """Return the blocks of numbered text lines ``(line number, text)`` and the problems met."""
    limit = limits_mod.current().max_line_chars
    blocks: list[Block] = []
    table: Block | None = None
    cut: list[tuple[int, int]] = []
    for lineno, raw in lines:
        line = raw.rstrip("\r\n")
        if len(line) > limit:
            cut.append((lineno, len(line)))
            line = line[:limit]
        if not line.strip():
            continue  # blank lines (page breaks) neither start nor end a table
        cells = split_cells(line)
        if cells is not None and any(cells):
            tabbed = "\t" in line
            if table is None or table.positional != tabbed:
                table = Block(kind="table", line=lineno, positional=tabbed)
                blocks.append(table)
            table.rows.append(cells)
            table.row_lines.append(lineno)
            table.row_pages.append(None)
        else:
            table = None
            blocks.append(Block(kind="para", text=line.strip(), line=lineno))
    problems = []
    if cut:
        problems.append(long_lines_problem(len(cut), f"第{cut[0][0]}行", max(n for _l, n in cut), limit))
    return blocks, problems
