"""DOC / WPS reader: Word 97-2003 and Kingsoft WPS files (OLE compound documents).

Two converters are used, whichever is installed:

* **LibreOffice** (Debian ``libreoffice-writer-nogui``): ``soffice --headless --convert-to docx``
  with a profile directory private to the process (parallel or cron runs do not collide; one
  conversion at a time within the process) and a timeout that kills the whole process group; the DOCX is then read by :mod:`audit.readers.docx`, which
  keeps merged cells, nested tables and body order.
* **antiword** (Debian ``antiword``): ``antiword -m UTF-8.txt`` prints the text with tables as
  ``|``-separated lines. The positions of the ``|`` separators give the column grid (a merged
  cell is one wide cell: its text goes to its first column and ``""`` to the columns it covers,
  as in the other readers), and the physical lines of one table row (a label wrapped inside its
  cell) are joined back into one row.

When both are installed LibreOffice is tried first and antiword cross-checks it: LibreOffice is
known to lose tables of some files, so when antiword finds more tables its result is used. The
environment variable ``GKAUDIT_DOC_CONVERTER`` (``auto``, ``soffice``, ``antiword``) forces one.
Without any converter, or when conversion fails, :class:`~audit.readers.base.UnreadableError` says what
to install or what went wrong.
"""

from __future__ import annotations

import os
import re
import unicodedata

from audit.readers.base import LimitExceeded, UnreadableError
from audit.readers.common import HEADING_RE, has_han, join_cell_lines
from audit.readers.convert import (
    INSTALL_HINT,
    ConversionError,
    convert_with_antiword,
    convert_with_soffice,
    find_converters,
)
from audit.readers.docx import read as read_docx
from audit.report import Block, IntermediateDoc
from audit.text import is_number

KINDS = ("doc",)


# --- antiword text -> blocks ---------------------------------------------------------------------


def _display_width(text: str) -> int:
    """Return the width of ``text`` in terminal columns (CJK and full-width characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table_line_cells(line: str) -> list[tuple[int, int, str]]:
    """Return ``(start, end, text)`` for each ``|``-separated cell, positions in display columns.

    antiword pads cells by display width (a CJK character takes two columns), so separator
    positions are comparable between lines only when measured that way.
    """
    cells: list[tuple[int, int, str]] = []
    x = 0
    start: int | None = None
    buf: list[str] = []
    for ch in line:
        if ch == "|":
            if start is not None:
                cells.append((start, x, "".join(buf).strip()))
            start, buf = x, []
        else:
            buf.append(ch)
        x += _display_width(ch)
    return cells


def _cluster(lines: list[set[int]], tolerance: int = 2) -> dict[int, int]:
    """Return a map from each separator position to its column boundary index.

    Positions within ``tolerance`` display columns of each other are one boundary (antiword's
    padding of CJK text shifts separators by a column or two between rows), except that two
    separators of one line are always two boundaries: a narrow cell (``|1|``, two columns wide)
    must not vanish into its neighbour's boundary.
    """
    lines_at: dict[int, set[int]] = {}
    for i, positions in enumerate(lines):
        for pos in positions:
            lines_at.setdefault(pos, set()).add(i)
    index: dict[int, int] = {}
    current = -1
    last: int | None = None
    members: set[int] = set()  # the lines with a separator in the current boundary
    for pos in sorted(lines_at):
        if last is None or pos - last > tolerance or lines_at[pos] & members:
            current += 1
            members = set()
        index[pos] = current
        members |= lines_at[pos]
        last = pos
    return index


def _grid_from_lines(lines: list[str]) -> list[list[str]]:
    """Return a table grid from antiword table lines (columns from separator positions)."""
    parsed = [_table_line_cells(ln.rstrip()) for ln in lines]
    col_of = _cluster([{a for a, _b, _t in cells} | {b for _a, b, _t in cells} for cells in parsed])
    width = max(max(col_of.values(), default=1), 1)
    physical: list[tuple[tuple[int, ...], list[str]]] = []
    for cells in parsed:
        row = [""] * width
        for a, _b, text in cells:
            row[col_of[a]] = text
        shape = tuple(col_of[a] for a, _b, _t in cells) + ((col_of[cells[-1][1]],) if cells else ())
        physical.append((shape, row))
    return _join_wrapped_rows(physical)


def _join_wrapped_rows(physical: list[tuple[tuple[int, ...], list[str]]]) -> list[list[str]]:
    """Join physical lines that continue the row above (a label wrapped inside its cell).

    A line continues the row above when it has the same cell boundaries, holds no number, does
    not start a numbered heading (``一、`` ``（二）``), and each of its non-empty cells lies under a
    non-empty, non-numeric cell of that row. Empty lines
    (the remains of merged cells) are dropped.
    """
    rows: list[list[str]] = []
    prev_shape: tuple[int, ...] | None = None
    for shape, line in physical:
        if not any(c.strip() for c in line):
            continue
        if rows and shape == prev_shape:
            prev = rows[-1]
            filled = [j for j, c in enumerate(line) if c]
            starts_label = any(HEADING_RE.match(line[j]) for j in filled)
            if (
                not starts_label
                and not any(is_number(c) for c in line)
                and all(prev[j] and not is_number(prev[j]) for j in filled)
            ):
                for j in filled:
                    prev[j] = join_cell_lines(prev[j] + "\n" + line[j])
                continue
        rows.append(list(line))
        prev_shape = shape
    return rows


def blocks_from_antiword(text: str) -> list[Block]:
    """Return paragraphs and tables from antiword's text output.

    Paragraphs are separated by blank lines (lines of one paragraph are joined like wrapped
    lines); consecutive lines starting and ending with ``|`` form one table.
    """
    blocks: list[Block] = []
    para: list[str] = []
    table: list[str] = []

    def flush_para() -> None:
        if para:
            joined = join_cell_lines("\n".join(para))
            if joined:
                blocks.append(Block(kind="para", text=joined))
            para.clear()

    def flush_table() -> None:
        if table:
            grid = _grid_from_lines(table)
            if grid and max(len(r) for r in grid) == 1:
                # a one-column table frames running text (the preamble, a section)
                blocks.extend(Block(kind="para", text=r[0]) for r in grid if r[0])
            elif grid:
                blocks.append(Block(kind="table", rows=grid))
            table.clear()

    for raw in text.replace("\f", "\n").splitlines():
        line = raw.rstrip()
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            flush_para()
            table.append(line)
            continue
        flush_table()
        if not line.strip():
            flush_para()
        else:
            para.append(re.sub(r"^\s+", "", line))
    flush_para()
    flush_table()
    return blocks


def read(data: bytes, source: str) -> IntermediateDoc:
    """Read a DOC/WPS file through LibreOffice (then the DOCX reader) and/or antiword.

    In ``auto`` mode a converter that fails (or whose output cannot be read) is reported as a
    problem and the other one's result is used: one converter's failure never ends the document.

    Raises:
        LimitExceeded: the converted document is over a limit.
        UnreadableError: no converter is installed, or no converter could read the file.
    """
    converters = find_converters()
    choice = os.environ.get("GKAUDIT_DOC_CONVERTER", "auto").strip().lower()
    if choice in ("soffice", "antiword"):
        converters = {k: v for k, v in converters.items() if k == choice}
    if not converters:
        raise UnreadableError(f"无法读取 Word 97-2003/WPS 文件：未安装转换程序。{INSTALL_HINT}")
    failures: list[str] = []
    doc = _via_soffice(data, source, converters["soffice"], failures) if "soffice" in converters else None
    blocks = _via_antiword(data, converters["antiword"], failures) if "antiword" in converters else None
    if blocks is not None:
        tables = sum(1 for b in blocks if b.kind == "table")
        if doc is None or tables > sum(1 for b in doc.blocks if b.kind == "table"):
            if doc is not None:
                failures.append("LibreOffice 转换丢失了表格，已改用 antiword 的结果")
            doc = IntermediateDoc(source=source, blocks=blocks)
    if doc is None:
        raise UnreadableError("无法读取 Word 97-2003/WPS 文件：" + "；".join(failures))
    if failures:
        doc.problems.append({"kind": "reader", "detail": "；".join(failures)})
    doc.media_type = "application/msword"
    if not has_han(doc.blocks) and not any(p["kind"] == "unreadable" for p in doc.problems):
        doc.problems.append({"kind": "unreadable", "detail": "Word 文档中没有可读的中文文字，无法机读"})
    return doc


def _via_soffice(data: bytes, source: str, soffice: str, failures: list[str]) -> IntermediateDoc | None:
    """Return the document as LibreOffice converts it, or None (the failure added to ``failures``)."""
    try:
        return read_docx(convert_with_soffice(data, soffice), source)
    except LimitExceeded:
        raise
    except ConversionError as exc:
        failures.append(f"LibreOffice：{exc}")
    except Exception as exc:  # noqa: BLE001 - a broken conversion result must not stop antiword
        failures.append(f"LibreOffice 转换结果无法读取（{type(exc).__name__}）")
    return None


def _via_antiword(data: bytes, antiword: str, failures: list[str]) -> list[Block] | None:
    """Return the blocks of antiword's text, or None (the failure added to ``failures``)."""
    try:
        return blocks_from_antiword(convert_with_antiword(data, antiword))
    except ConversionError as exc:
        failures.append(f"antiword：{exc}")
    except Exception as exc:  # noqa: BLE001 - antiword's output must never end the document
        failures.append(f"antiword 的输出无法读取（{type(exc).__name__}）")
    return None
