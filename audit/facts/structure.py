"""Structure facts: which sections and table cells are there, and how the printed form departs from it.

Rules: ST01 (a section is missing), ST02 (sections out of order), ST03–ST05 (table cells missing),
FM01 (old form), FM02/FM03 (labels and titles printed differently), FM04 (rows and columns not
as in the form), FM05 (a value that is not a number).
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.facts.base import Fact, Family, View, register
from audit.form import (
    SECTION_BY_ID,
    SECTION_IDS,
    T3_COLUMNS,
    T3_ROW_BY_ID,
    T4_CELLS,
    T4_COLUMNS,
    T4_GROUP_BY_ID,
    TABLE_LABELS,
    describe_cell,
    t2_cells,
    t3_cells,
)


@register
class Sections(Family):
    """One fact per prescribed section (present?) and one per pair of consecutive sections found."""

    FACTS = {
        "section": ("section", "title", "present", "printed_title"),
        "section_pair": ("section", "title", "next_section", "next_title", "position", "next_position"),
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield the section and section_pair facts."""
        present = []
        for sid in SECTION_IDS:
            sec = v.report.sections.get(sid)
            is_present = bool(sec and sec.present)
            yield self.fact(
                "section",
                sid,
                {
                    "section": sid,
                    "title": SECTION_BY_ID[sid].canonical,
                    "present": is_present,
                    "printed_title": (sec.title if sec else None) or "",
                },
                {sid: (sec.title if sec and sec.present else None)},
            )
            if is_present and sec is not None and sec.position is not None:
                present.append((sid, sec.position))
        for (a, pa), (b, pb) in zip(present, present[1:], strict=False):
            yield self.fact(
                "section_pair",
                f"{a}-{b}",
                {
                    "section": a,
                    "title": SECTION_BY_ID[a].canonical,
                    "next_section": b,
                    "next_title": SECTION_BY_ID[b].canonical,
                    "position": pa,
                    "next_position": pb,
                },
                {"实际顺序": "、".join(v.report.section_order)},
            )


def describe_missing(table: str, missing: list[str], limit: int = 12) -> str:
    """Return the missing cells as a reader sees them: whole rows/groups named once, else each cell.

    ``t3.other.fee_unpaid.*`` (all 7 columns) becomes “2.申请人逾期未按收费通知…”行; a single cell
    becomes 表三“…”行“自然人”列 (see :func:`audit.form.describe_cell`).
    """
    if not missing:
        return ""
    groups: dict[str, list[str]] = {}
    for cid in missing:
        groups.setdefault(cid.rsplit(".", 1)[0], []).append(cid)
    width = {"t3": len(T3_COLUMNS), "t4": len(T4_COLUMNS)}.get(table)
    parts: list[str] = []
    for row, cids in groups.items():
        key = row.split(".", 1)[1] if "." in row else row
        if width and len(cids) == width:
            if table == "t3":
                parts.append(f"“{T3_ROW_BY_ID[key].label if key in T3_ROW_BY_ID else key}”行")
            else:
                parts.append(f"“{T4_GROUP_BY_ID[key].full_label if key in T4_GROUP_BY_ID else key}”各栏")
        else:
            parts.extend(describe_cell(c) for c in cids)
    shown = "、".join(parts[:limit])
    return shown + (f"等{len(parts)}处" if len(parts) > limit else "")


@register
class TableCells(Family):
    """One fact per table: how many of its prescribed cells are missing, listed in the evidence.

    A cell printed with something that is not a valid value (“251000元” in a 万元 cell, 1.5 件) is
    not missing: its defect is that anomaly (FM05), one finding per defect instance.
    """

    FACTS = {"table_cells": ("table", "table_label", "cells", "missing", "missing_list", "table_found")}

    def build(self, v: View) -> Iterator[Fact]:
        """Yield a table_cells fact for each of tables 2, 3 and 4."""
        fmt = v.format
        malformed = {a.locator for a in v.report.anomalies if a.kind == "not_a_number"}
        for table, ids in (("t2", t2_cells(fmt)), ("t3", t3_cells(fmt)), ("t4", T4_CELLS)):
            missing = [c for c in ids if v.value(c) is None and c not in malformed]
            yield self.fact(
                "table_cells",
                table,
                {
                    "table": table,
                    "table_label": TABLE_LABELS[table],
                    "cells": len(ids),
                    "missing": len(missing),
                    "missing_list": describe_missing(table, missing),
                    "table_found": table in v.report.tables_found,
                },
                {c: None for c in missing},
            )


_STRUCTURE_KINDS = ("column_count", "missing_row", "unexpected_row")
_LABEL_KINDS = ("label_variant", "section_title_variant", "not_a_number")


@register
class Anomalies(Family):
    """What the parser met: one fact per label or value anomaly, one per table for its structure."""

    FACTS = {
        "anomaly": ("kind", "locator", "printed", "canonical", "detail", "is_table"),
        "table_structure": (
            "table",
            "table_label",
            "column_count",
            "missing_rows",
            "unexpected_rows",
            "rows",
        ),
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield the anomaly facts, then the table_structure facts."""
        counts: dict[str, dict[str, list[str]]] = {}
        for i, a in enumerate(v.report.anomalies):
            loc = a.locator or ""
            if a.kind in _STRUCTURE_KINDS:
                table = loc.split(".")[0] if loc else "t3"
                counts.setdefault(table, {k: [] for k in _STRUCTURE_KINDS})[a.kind].append(loc)
                continue
            if a.kind not in _LABEL_KINDS:
                continue
            where = f"第{a.page}页" if a.page else (f"第{a.line}行" if a.line else "")
            evidence = {"印制": a.printed, "规定": a.canonical, "说明": a.detail, "位置": where}
            yield self.fact(
                "anomaly",
                f"{i}:{a.kind}:{loc}",
                {
                    "kind": a.kind,
                    "locator": loc,
                    "printed": a.printed or "",
                    "canonical": a.canonical or "",
                    "detail": a.detail,
                    "is_table": loc.startswith(("t2", "t3", "t4")),
                },
                {k: val for k, val in evidence.items() if val},
            )
        for table, kinds in counts.items():
            rows = [loc for locs in kinds.values() for loc in locs]
            labelled = {"列数异常": "column_count", "缺少的行": "missing_row", "格式外的行": "unexpected_row"}
            yield self.fact(
                "table_structure",
                table,
                {
                    "table": table,
                    "table_label": TABLE_LABELS.get(table, table),
                    "column_count": len(kinds["column_count"]),
                    "missing_rows": len(kinds["missing_row"]),
                    "unexpected_rows": len(kinds["unexpected_row"]),
                    "rows": "、".join(rows[:12]) + (f"等{len(rows)}行" if len(rows) > 12 else ""),
                },
                {label: "、".join(kinds[kind]) for label, kind in labelled.items() if kinds[kind]},
            )


@register
class OutdatedMarkers(Family):
    """One fact per table that prints a marker of the 2019 trial form."""

    FACTS = {"outdated_marker": ("table", "table_label", "markers", "year")}

    def build(self, v: View) -> Iterator[Fact]:
        """Yield an outdated_marker fact per table with markers."""
        by_table: dict[str, list[str]] = {}
        for m in v.report.markers:
            table = "t3" if "表三" in m or "其他处理" in m else "t4" if "表四" in m else "t2"
            by_table.setdefault(table, []).append(m)
        for table, markers in by_table.items():
            yield self.fact(
                "outdated_marker",
                table,
                {
                    "table": table,
                    "table_label": TABLE_LABELS[table],
                    "markers": "；".join(markers),
                    "year": v.report.year,
                },
                {"旧版格式标志": "；".join(markers)},
            )
