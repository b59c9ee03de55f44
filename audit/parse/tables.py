"""The three tables of the form, read by their row labels (never by position) into the report's cells."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from audit.form import (
    FORMAT_2019,
    FORMAT_2021,
    OUTDATED_STRONG_MARKERS,
    T3_COLUMN_IDS,
    T3_COLUMNS,
    T3_ROWS,
    T4_CELLS,
    T4_COLUMNS,
    T4_GROUP_BY_ID,
    RowDef,
    T2Block,
    t2_blocks,
    t3_data_rows,
)
from audit.parse.rows import Row, SplitRow, _split, _unpad, _value
from audit.report import Anomaly, CellValue, Provenance, Report
from audit.text import (
    LABEL_NUMBERING_RE,
    is_value_cell,
    looks_like_value,
    norm,
    strip_numbering,
)

# ----------------------------------------------------------------------------------------------
# The parser state


@dataclass
class _Parse:
    report: Report
    fmt: str = FORMAT_2021
    t3_found: dict[str, SplitRow] = field(default_factory=dict)

    def anomaly(self, kind: str, locator: str | None, detail: str, row: Row | None = None, **kw: str) -> None:
        self.report.anomalies.append(
            Anomaly(
                kind=kind,
                locator=locator,
                detail=detail,
                line=row.line if row else None,
                page=row.page if row else None,
                **kw,
            )
        )

    def set_cell(self, cell_id: str, raw: str, table: str, row: Row, row_label: str, column: str) -> None:
        value, malformed = _value(raw)
        if malformed:
            self.anomaly("not_a_number", cell_id, f"“{raw}”不是有效的数值", row, printed=raw)
        elif isinstance(value, float) and not cell_id.endswith(".amount") and not value.is_integer():
            self.anomaly("not_a_number", cell_id, f"“{raw}”不是整数件数", row, printed=raw)
            value = None
        elif isinstance(value, (int, float)) and value < 0 and not cell_id.endswith(".change"):
            self.anomaly("not_a_number", cell_id, f"“{raw}”为负数", row, printed=raw)
            value = None
        elif isinstance(value, float) and not cell_id.endswith(".amount") and value.is_integer():
            value = int(value)
        self.report.cells[cell_id] = CellValue(
            value=value,
            raw=raw,
            source=Provenance(
                table=table, row_label=row_label, column=column, line=row.line, page=row.page, raw=raw
            ),
        )


# ----------------------------------------------------------------------------------------------
# Table 2


def _t2_row_match(label: str, blocks: tuple[T2Block, ...]) -> tuple[T2Block, RowDef, bool] | None:
    """Return (block, row, exact) for a table-2 row label."""
    body = strip_numbering(label)
    for block in blocks:
        for rdef in block.rows:
            if body == norm(rdef.label):
                return block, rdef, True
    for block in blocks:
        for rdef in block.rows:
            if any(body == norm(v) for v in rdef.variants):
                return block, rdef, False
    for block in blocks:
        for rdef in block.rows:
            if norm(rdef.label) in body and len(body) <= len(norm(rdef.label)) + 4:
                return block, rdef, False
    for block in blocks:
        for rdef in block.rows:  # a header glued in front by text extraction: "信息内容…行政事业性收费"
            if body.endswith(norm(rdef.label)) and ("信息内容" in body or "第二十条" in body):
                return block, rdef, True
    return None


def _parse_t2(p: _Parse, rows: list[Row]) -> None:
    blocks = t2_blocks(p.fmt)
    seen: set[str] = set()
    for row in rows:
        sr = _split(row)
        if not row.is_table and not sr.n_values:
            continue  # prose; a line like "行政许可 0" is a table row extracted as text
        if not sr.label or (not sr.n_values and ("信息内容" in sr.label or sr.label.startswith("第二十条"))):
            continue
        hit = _t2_row_match(sr.label, blocks)
        if hit is None:
            continue
        block, rdef, exact = hit
        if rdef.id in seen:
            continue
        seen.add(rdef.id)
        if not exact:
            p.anomaly(
                "label_variant",
                f"t2.{rdef.id}",
                f"表二行名“{sr.printed}”与规定格式“{rdef.label}”不一致",
                row,
                printed=sr.printed,
                canonical=rdef.label,
            )
        n = len(block.columns)
        values = _unpad(sr.values, n)
        if sr.n_values != n:
            value_like = [v for v in values if v]
            if len(value_like) > n or (0 < len(value_like) < n and len(values) < n):
                p.anomaly("column_count", f"t2.{rdef.id}", f"应有{n}个数值，实有{len(value_like)}个", row)
        if len(values) < n:
            values = values + [""] * (n - len(values))
        for cdef, raw in zip(block.columns, values[:n], strict=True):
            p.set_cell(f"t2.{rdef.id}.{cdef.id}", raw, "t2", row, sr.printed, cdef.label)
    for block in blocks:
        for rdef in block.rows:
            if rdef.id not in seen:
                p.anomaly("missing_row", f"t2.{rdef.id}", f"表二缺少“{rdef.label}”行")


# ----------------------------------------------------------------------------------------------
# Table 3

_T3_BODIES: list[tuple[str, RowDef]] = sorted(
    ((strip_numbering(r.label), r) for r in T3_ROWS), key=lambda x: -len(x[0])
)
_T3_COLUMN_LABEL = {c.id: c.label for c in T3_COLUMNS}
_T3_HEADER_WORDS = [norm(c.label) for c in T3_COLUMNS] + ["申请人情况", "法人或其他组织"]


def _t3_is_header(sr: SplitRow) -> bool:
    """Return True for the column-header rows of table 3 (申请人情况, 自然人, …, 总计)."""
    if "勾稽关系" in sr.label:
        return True
    hits = sum(1 for w in _T3_HEADER_WORDS if w in sr.label)
    # a row label never counts as a header, though 其他/总计 are also column names
    return sr.n_values == 0 and hits >= 1 and not any(b in sr.label for b, _ in _T3_BODIES if len(b) >= 4)


def _t3_match(label: str, group: str | None) -> tuple[list[RowDef], RowDef | None, bool, str]:
    """Return (groups found, data row, exact, printed leaf text) for a table-3 label."""
    rest = label
    groups: list[RowDef] = []
    leaves: list[tuple[int, RowDef]] = []
    for body, rdef in _T3_BODIES:
        pos = rest.find(body)
        if pos < 0:
            continue
        if rdef.id == "other.other" and group != "other" and groups == []:
            # a bare "其他" only means 3.其他 inside the （六）其他处理 group
            if not re.search(r"(^|\d[.、．])其他$", rest):
                continue
        rest = rest[:pos] + "\x00" * len(body) + rest[pos + len(body) :]
        if rdef.kind == "group":
            groups.append(rdef)
        else:
            leaves.append((pos, rdef))
    if leaves:
        leaves.sort()
        return groups, leaves[-1][1], True, ""
    remainder = strip_numbering(rest.replace("\x00", ""))
    if len(remainder) < 2:
        return groups, None, True, ""
    # a long label wrapped inside its cell, its continuation printed on the next row; the label may
    # trail an orphan fragment of the group label above it ("公开2.其他法律行政法")
    head = LABEL_NUMBERING_RE.split(remainder)[-1]
    starts = [r for body, r in _T3_BODIES if r.kind == "data" and len(head) >= 6 and body.startswith(head)]
    if len(starts) == 1 or (starts and all(r.parent == group for r in starts[:1])):
        return groups, starts[0], True, remainder
    best: tuple[float, RowDef | None] = (0.0, None)
    for body, rdef in _T3_BODIES:
        if rdef.kind == "group" or len(body) < 3 or body.endswith(remainder):
            continue  # (the second line of a wrapped label is no label of its own)
        ratio = SequenceMatcher(None, remainder, body).ratio()
        if rdef.parent == group:
            ratio += 0.05
        if ratio > best[0]:
            best = (ratio, rdef)
    if best[1] is not None and best[0] >= 0.72:
        return groups, best[1], False, remainder
    return groups, None, True, remainder


def _t3_assign(p: _Parse, row_id: str, sr: SplitRow, values_from: SplitRow) -> None:
    """Set the seven cells of table-3 row ``row_id`` from the values of ``values_from``."""
    values = list(values_from.values)
    n_like = values_from.n_values
    positional = values_from.row.positional and len(values) < 7
    if n_like != 7:
        how = "空白按所在位置记为缺失" if positional else "按最后7个取值"
        p.anomaly(
            "column_count",
            f"t3.{row_id}",
            f"“{sr.printed}”行应有7个数值，实有{n_like}个，{how}",
            values_from.row,
        )
    values = _unpad(values, 7)
    if len(values) >= 7:
        values = values[-7:]
    elif positional:
        values = values + [""] * (7 - len(values))  # each tab is a position: blanks stay put
    elif n_like:
        values = [v for v in values if v]
        values = [""] * (7 - len(values)) + values if len(values) < 7 else values[-7:]
    else:
        values = [""] * 7
    for col, raw in zip(T3_COLUMN_IDS, values, strict=True):
        p.set_cell(f"t3.{row_id}.{col}", raw, "t3", values_from.row, sr.printed, _T3_COLUMN_LABEL[col])
    p.t3_found[row_id] = sr


def _t3_completeness(p: _Parse, data_rows: tuple[str, ...], other_single: SplitRow | None) -> None:
    """Record the missing rows of table 3 and a single （六） row printed in the 2021 form."""
    for row_id in data_rows:
        if row_id not in p.t3_found:
            rdef = next(r for r in T3_ROWS if r.id == row_id)
            p.anomaly("missing_row", f"t3.{row_id}", f"表三缺少“{rdef.label}”行")
    if (
        p.fmt == FORMAT_2021
        and other_single is not None
        and not any(r.startswith("other.") for r in p.t3_found)
    ):
        p.report.markers.append("表三“（六）其他处理”为单行（2019试行格式），无1–3子项")


def _parse_t3(p: _Parse, rows: list[Row]) -> None:
    """Read table 3 row by row: labels matched to the form, wrapped labels, values printed apart."""
    group: str | None = None
    pending: tuple[str, SplitRow] | None = None  # a labelled row still waiting for its values
    orphan: SplitRow | None = None  # values printed before their label
    other_single: SplitRow | None = None
    data_rows = t3_data_rows(p.fmt)

    def assign(row_id: str, sr: SplitRow, values_from: SplitRow) -> None:
        _t3_assign(p, row_id, sr, values_from)

    for row in rows:
        if not row.is_table and len(row.text) > 60:
            continue  # prose; short lines may be table rows extracted as text
        sr = _split(row)
        if not sr.label and sr.n_values == 0:
            continue
        if sr.label and _t3_is_header(sr):
            continue
        if not sr.label:
            if pending is not None:
                assign(pending[0], pending[1], sr)
                pending = None
            else:
                orphan = sr
            continue
        groups, rdef, exact, printed_leaf = _t3_match(sr.label, group)
        if groups:
            group = groups[-1].id
        if rdef is None:
            if groups and groups[-1].id == "other" and sr.n_values:
                other_single = sr
                if p.fmt == FORMAT_2019:
                    assign("other", sr, sr)
                else:
                    p.anomaly(
                        "unexpected_row",
                        "t3.other",
                        "“（六）其他处理”作为一行填报数值，缺少2021年格式的1–3子项",
                        row,
                        printed=sr.printed,
                    )
                pending = None
            elif pending is not None and sr.n_values:
                # the values printed beside the second line of a wrapped label
                assign(pending[0], pending[1], sr)
                pending = None
            elif not groups and sr.n_values:
                p.anomaly(
                    "unexpected_row", "t3", f"表三出现格式之外的行“{sr.printed}”", row, printed=sr.printed
                )
            continue
        if rdef.parent and rdef.parent != "result":
            group = rdef.parent
        if rdef.id in p.t3_found or rdef.id not in data_rows:
            continue
        if not exact:
            p.anomaly(
                "label_variant",
                f"t3.{rdef.id}",
                f"表三行名“{printed_leaf}”与规定格式“{rdef.label}”不一致",
                row,
                printed=printed_leaf,
                canonical=rdef.label,
            )
        if sr.n_values:
            assign(rdef.id, sr, sr)
            pending = None
        elif orphan is not None:
            assign(rdef.id, sr, orphan)
            orphan = None
        else:
            pending = (rdef.id, sr)
        orphan = None if sr.n_values else orphan
    _t3_completeness(p, data_rows, other_single)


# ----------------------------------------------------------------------------------------------
# Table 4


def _parse_t4(p: _Parse, rows: list[Row]) -> None:
    data: list[tuple[Row, list[str]]] = []
    for row in rows:
        if not row.is_table:
            continue
        cells = [c.strip() for c in row.cells]
        non_empty = [c for c in cells if c]
        if not non_empty:
            continue
        # drop a leading row label (e.g. 件数) in front of the values
        while cells and cells[0] and not is_value_cell(cells[0]) and not looks_like_value(cells[0]):
            cells = cells[1:]
        rest = [c for c in cells if c]
        if rest and all(is_value_cell(c) or looks_like_value(c) for c in rest) and len(rest) >= 3:
            data.append((row, cells))
    if not data:
        return
    cells: list[str] = []
    first = data[0][0]
    for _row, c in data:
        cells.extend(c)
    while len(cells) > 15 and not cells[-1]:
        cells.pop()
    cells = _unpad(cells, 15)
    n_like = sum(1 for c in cells if c)
    if len(cells) > 15:
        if n_like >= 15:
            p.anomaly("column_count", "t4", f"表四数据行应有15个数值，实有{n_like}个，按最后15个取值", first)
        cells = cells[-15:]
    elif len(cells) < 15:
        p.anomaly("column_count", "t4", f"表四数据行应有15个数值，实有{len(cells)}个", first)
        cells = [""] * (15 - len(cells)) + cells if n_like == len(cells) else cells + [""] * (15 - len(cells))
    labels = {c.id: c.label for c in T4_COLUMNS}
    for cell_id, raw in zip(T4_CELLS, cells, strict=True):
        _, g, c = cell_id.split(".")
        p.set_cell(cell_id, raw, "t4", first, T4_GROUP_BY_ID[g].label, labels[c])
    p.report.tables_found.append("t4")


# ----------------------------------------------------------------------------------------------
# Entry points


def _format_markers(rows: list[Row]) -> list[str]:
    text = norm(" ".join(" ".join(r.cells) for r in rows if r.is_table))
    return [m for m in OUTDATED_STRONG_MARKERS if norm(m) in text]
