"""The label-driven parser: intermediate document → canonical :class:`~audit.report.Report`.

Rows are recognised by their normalised label (full/half-width, spaces, quotes, numbering and known
variants), never by position, so shifted, wrapped and merged rows of real documents land in the
right cells. Values are the trailing value cells of a row; a row with the wrong number of values,
a row not in the form, a prescribed row that is absent and a printed label that differs from the
form are recorded as anomalies. Missing values stay ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from audit.form import (
    FORMAT_2019,
    FORMAT_2021,
    OUTDATED_STRONG_MARKERS,
    SECTIONS,
    T3_COLUMN_IDS,
    T3_COLUMNS,
    T3_ROWS,
    T4_CELLS,
    T4_COLUMNS,
    T4_GROUP_BY_ID,
    RowDef,
    SectionDef,
    T2Block,
    all_cells,
    t2_blocks,
    t3_data_rows,
)
from audit.organs import organ_level
from audit.readers import read, read_path
from audit.report import Anomaly, CellValue, IntermediateDoc, Provenance, Report, Section
from audit.text import (
    LABEL_NUMBERING_RE,
    RUN_IN_TITLE_RE,
    SECTION_NUMBER_RE,
    SUBITEM_RE,
    is_missing_token,
    is_value_cell,
    looks_like_value,
    norm,
    parse_number,
    strip_numbering,
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
# Title, agency, year, level

_TITLE_RE = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?P<mid>[\u4e00-\u9fa5]{2,20}?)?\s*(?:的)?\s*"
    r"政(?:府信息|务)\s*公开\s*(?:工作)?\s*(?:的)?\s*年\s*度\s*报\s*告"
)
# A bare place name as the reporting organ ("2022年上海市政府信息公开…", "XX县2023年…") means its government.
_PLACE_SUFFIX = re.compile(r"(省|自治区|市|区|县|旗|自治州|州|盟)$")
_PERIOD_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_ORGAN_SUFFIX = re.compile(
    r"(人民政府|政府|办公室|办公厅|局|委员会|委|厅|部|署|院|中心|管委会|管理委员会|街道办事处|办事处|镇|乡|所|会|队|站|处|馆|社)$"
)


def _clean_agency(text: str) -> str:
    s = re.sub(r"[\s\u3000]+", "", text)
    s = s.strip("《》“”\"'：:，,。 ")
    s = re.sub(r"^(关于|印发)", "", s)
    return s


# What ends a clause before a quoted title: punctuation, or a verb of publishing.
_SENTENCE_RE = re.compile(r"[，。；：,;:《〈“”\"]|现予?公布|现予?发布|现将|予以公布|特?发布|印发|公开发布")


def _find_title(rows: list[Row], limit: int) -> tuple[str | None, str | None, int | None, int]:
    """Return (title, agency, year, index of the title row) from the first rows."""
    for row in rows[:limit]:
        text = " ".join(c for c in row.cells if c)
        m = _TITLE_RE.search(text)
        if not m:
            continue
        year = int(m.group("year"))
        prefix = text[: m.start()]
        if _SENTENCE_RE.search(prefix):
            # The title quoted inside a sentence (“…要求，现公布某县人民政府2023年…年度报告”): the organ
            # is the name right before the year, and this line is the preamble, not the title line.
            named = _clean_agency(m.group("mid") or _SENTENCE_RE.split(prefix)[-1])
            if named and len(named) <= 40 and (_ORGAN_SUFFIX.search(named) or _PLACE_SUFFIX.search(named)):
                return None, named, year, -1
            continue
        agency = _clean_agency(m.group("mid") or prefix)
        if not agency or not (_ORGAN_SUFFIX.search(agency) or _PLACE_SUFFIX.search(agency)):
            # The organ is printed on the line(s) above the year line.
            for prev in reversed(rows[max(0, row.index - 3) : row.index]):
                cand = _clean_agency(" ".join(prev.cells))
                if cand and len(cand) <= 40 and _ORGAN_SUFFIX.search(cand):
                    agency = cand + agency if agency and not _ORGAN_SUFFIX.search(agency) else cand
                    break
        if agency and _PLACE_SUFFIX.search(agency) and not _ORGAN_SUFFIX.search(agency):
            agency += "人民政府"
        title = f"{agency or ''}{year}年政府信息公开工作年度报告"
        return title, agency or None, year, row.index
    return None, None, None, -1


# ----------------------------------------------------------------------------------------------
# Sections


def _section_body(title: str) -> str:
    return strip_numbering(title)


def _title_equal(a: str, b: str) -> bool:
    return _section_body(a) == _section_body(b)


def _match_section(text: str) -> SectionDef | None:
    """Return the section a short title line announces, or None."""
    t = norm(text)
    if not t or len(t) > 48 or SUBITEM_RE.match(t):
        return None  # "（一）主动公开政府信息情况" is a sub-item of 一, not section 二
    m = SECTION_NUMBER_RE.match(t)
    body = _section_body(t)
    for sdef in SECTIONS:
        keyed = any(all(k in body for k in group) for group in sdef.keys)
        if not keyed:
            continue
        if m and m.group(1) == sdef.number:
            return sdef
        best = max(
            SequenceMatcher(None, body, _section_body(c)).ratio() for c in (sdef.canonical, *sdef.variants)
        )
        if best >= 0.8:
            return sdef
    return None


def _detect_sections(rows: list[Row], start: int) -> dict[str, tuple[int, str, Row, str]]:
    """Return section id → (row index, printed title, row, text run in after the title)."""
    found: dict[str, tuple[int, str, Row, str]] = {}
    for row in rows[start + 1 if start >= 0 else 0 :]:
        if row.is_table and sum(1 for c in row.cells if c.strip()) > 1:
            continue
        text = next((c for c in row.cells if c.strip()), "").strip()
        if any(is_value_cell(c) for c in row.cells[1:]):
            continue
        sdef, title, rest = _match_section(text), text, ""
        if sdef is None and len(norm(text)) > 12:
            # a title run into the first sentence of its section: "一、总体情况。2023年，我局……"
            m = RUN_IN_TITLE_RE.match(text)
            if m:
                sdef, title, rest = _match_section(m.group(1)), m.group(1).strip(), text[m.end() :].strip()
        if sdef and sdef.id not in found:
            found[sdef.id] = (row.index, title, row, rest)
    return found


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


def _parse_t3(p: _Parse, rows: list[Row]) -> None:
    group: str | None = None
    pending: tuple[str, SplitRow] | None = None  # a labelled row still waiting for its values
    orphan: SplitRow | None = None  # values printed before their label
    other_single: SplitRow | None = None
    data_rows = t3_data_rows(p.fmt)

    def assign(row_id: str, sr: SplitRow, values_from: SplitRow) -> None:
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


def parse_document(doc: IntermediateDoc) -> Report:
    """Parse an intermediate document into the canonical report."""
    report = Report(source=doc.source, media_type=doc.media_type)
    for prob in doc.problems:
        if prob.get("kind") == "unreadable":
            report.readable = False
            report.unreadable_reason = prob.get("detail") or "文档无法机读"
        report.anomalies.append(
            Anomaly(kind=prob.get("kind", "reader"), locator=prob.get("code"), detail=prob.get("detail", ""))
        )
    rows = _rows(doc)
    full_text = "\n".join(" ".join(c for c in r.cells if c) for r in rows)
    title, agency, year, title_idx = _find_title(rows, 40)
    report.title, report.agency, report.year = title, agency, year
    report.level = organ_level(agency)  # type: ignore[assignment]

    found = _detect_sections(rows, title_idx)
    order = sorted(found.items(), key=lambda kv: kv[1][0])
    report.section_order = [sid for sid, _ in order]
    bounds: dict[str, tuple[int, int]] = {}
    for i, (sid, (idx, *_rest)) in enumerate(order):
        end = order[i + 1][1][0] if i + 1 < len(order) else len(rows)
        bounds[sid] = (idx, end)
    for sdef in SECTIONS:
        sec = Section(id=sdef.id)
        if sdef.id in found:
            _idx, printed, row, run_in = found[sdef.id]
            start, end = bounds[sdef.id]
            sec.present, sec.title, sec.line, sec.page = True, printed, row.line, row.page
            sec.position = report.section_order.index(sdef.id)
            body = [r for r in rows[start + 1 : end] if not r.is_table]
            texts = [" ".join(c for c in r.cells if c) for r in body]
            sec.lines, sec.pages = [r.line for r in body], [r.page for r in body]
            if run_in:
                texts, sec.lines, sec.pages = [run_in, *texts], [row.line, *sec.lines], [row.page, *sec.pages]
            sec.text = "\n".join(texts)
            if not _title_equal(printed, sdef.canonical):
                report.anomalies.append(
                    Anomaly(
                        kind="section_title_variant",
                        locator=sdef.id,
                        detail=f"章节标题“{printed}”与规定格式“{sdef.canonical}”不一致",
                        printed=printed,
                        canonical=sdef.canonical,
                        line=row.line,
                        page=row.page,
                    )
                )
        report.sections[sdef.id] = sec
    first_section = order[0][1][0] if order else len(rows)
    report.preamble = "\n".join(
        " ".join(c for c in r.cells if c) for r in rows[title_idx + 1 : first_section] if r.cells
    )
    if report.year is None:
        m = _PERIOD_RE.search(report.preamble) or _PERIOD_RE.search(full_text[:3000])
        if m:
            report.year = int(m.group(1))

    def region(sid: str, fallback: tuple[int, int]) -> list[Row]:
        if sid in bounds:
            a, b = bounds[sid]
            return rows[a:b]
        return rows[fallback[0] : fallback[1]]

    n = len(rows)
    s3_start = bounds.get("S3", (n, n))[0]
    s4_start = bounds.get("S4", (n, n))[0]
    t2_rows = region("S2", (0, s3_start))
    report.markers = _format_markers(t2_rows)
    p = _Parse(report, fmt=FORMAT_2019 if report.markers else FORMAT_2021)
    report.format = p.fmt  # type: ignore[assignment]
    for cid in all_cells(p.fmt):
        report.cells[cid] = CellValue()
    if report.readable:
        _parse_t2(p, t2_rows)
        _parse_t3(p, region("S3", (bounds.get("S2", (0, 0))[1] if "S2" in bounds else 0, s4_start)))
        _parse_t4(p, region("S4", (s4_start, bounds.get("S5", (n, n))[0])))
        for table in ("t2", "t3", "t4"):
            if any(cid.startswith(table + ".") and c.source for cid, c in report.cells.items()):
                if table not in report.tables_found:
                    report.tables_found.append(table)
            else:
                report.anomalies.append(
                    Anomaly(kind="missing_table", locator=table, detail=f"未找到{table}表格")
                )
        images = int(doc.meta.get("images", "0") or 0)
        if not report.tables_found and images and any(s.present for s in report.sections.values()):
            # the text is there but the three statistical tables were published as pictures
            report.readable = False
            report.unreadable_reason = f"正文可读，但统计表格以图片形式发布（共{images}张图片），无法机读"
            report.anomalies.append(Anomaly(kind="unreadable", detail=report.unreadable_reason))
    return report


def parse_bytes(data: bytes, source: str, content_type: str | None = None) -> Report:
    """Parse a document given as bytes in this process (kind sniffed; ``content_type`` a hint).

    Untrusted documents are parsed by :func:`audit.bounded.parse_bounded`, which runs this in a
    worker process bounded in time and memory.
    """
    return parse_document(read(data, source, content_type))


def parse_path(path: str | Path) -> Report:
    """Parse a document file; raises :class:`audit.readers.UnreadableError` for unreadable input."""
    return parse_document(read_path(path))
