"""Table facts: the rows, columns and groups the balance equations of format.md §5–6 are written over.

Rules: BL01 (table-3 row total), BL02 (table-3 result total per column), BL03 (一 + 二 = 三 + 四
per column), BL04 (table-4 group total), PL01 (规章 counted by an organ that cannot make them).
A missing cell is ``None`` and a sum over a missing cell is ``None``: a rule never fires on it.
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.facts.base import Fact, Family, View, register
from audit.form import (
    FORMAT_2019,
    T3_COLUMNS,
    T3_PARTS,
    T3_RESULT_LEAVES_2019,
    T3_ROW_BY_ID,
    T4_COLUMNS,
    T4_GROUPS,
    t3_data_rows,
)
from audit.organs import may_make_rules

#: The 19 result terms （七）总计 adds up: the 2021 leaves with （六）'s three sub-rows summed into
#: ``other`` (T3-SUB), which is the single （六） row of the 2019 form.
T3_RESULT_TERMS: tuple[str, ...] = T3_RESULT_LEAVES_2019
T3_COLUMN_LABEL = {c.id: c.label for c in T3_COLUMNS}
T4_PARTS = ("upheld", "corrected", "other", "pending")


def field_name(row_id: str) -> str:
    """Return the fact-field name of a table-3 row id (``denied.state_secret`` → ``denied_state_secret``)."""
    return row_id.replace(".", "_")


def total_of(values: list) -> int | float | None:
    """Return the sum of values, ``None`` when any is missing."""
    return sum(values) if all(x is not None for x in values) else None


@register
class T3Rows(Family):
    """One fact per table-3 data row: the six applicant columns and the row total (BL01)."""

    FACTS = {
        "t3_row": (
            "row",
            "row_label",
            "natural",
            "commercial",
            "research",
            "social",
            "legal",
            "other_org",
            "total",
            "parts_sum",
        ),
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield a t3_row fact per data row of the report's form."""
        for row in t3_data_rows(v.format):
            ids = {c: f"t3.{row}.{c}" for c in (*T3_PARTS, "total")}
            vals = {c: v.value(i) for c, i in ids.items()}
            label = T3_ROW_BY_ID[row].label if row in T3_ROW_BY_ID else row
            yield self.fact(
                "t3_row",
                row,
                {"row": row, "row_label": label, **vals, "parts_sum": total_of([vals[c] for c in T3_PARTS])},
                {i: vals[c] for c, i in ids.items()},
            )


@register
class T3Columns(Family):
    """One fact per table-3 column: 一, 二, the result terms, （七）总计 and 四 (BL02, BL03)."""

    FACTS = {
        "t3_column": (
            "column",
            "column_label",
            "new",
            "carry_in",
            "result_total",
            "carry_out",
            *(field_name(t) for t in T3_RESULT_TERMS),
            "leaves_sum",
        ),
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield a t3_column fact per applicant column and the total column."""
        for col in (*T3_PARTS, "total"):
            f: dict = {"column": col, "column_label": T3_COLUMN_LABEL[col]}
            ev: dict = {}
            for row in ("new", "carry_in", "result_total", "carry_out"):
                cid = f"t3.{row}.{col}"
                f[row] = ev[cid] = v.value(cid)
            for term in T3_RESULT_TERMS:
                if term == "other" and v.format != FORMAT_2019:
                    subs = [f"t3.other.{s}.{col}" for s in ("no_correction", "fee_unpaid", "other")]
                    vals = [v.value(s) for s in subs]
                    ev.update(zip(subs, vals, strict=True))
                    f["other"] = total_of(vals)
                    continue
                cid = f"t3.{term}.{col}"
                f[field_name(term)] = ev[cid] = v.value(cid)
            f["leaves_sum"] = total_of([f[field_name(t)] for t in T3_RESULT_TERMS])
            yield self.fact("t3_column", col, f, ev)


@register
class T4Groups(Family):
    """One fact per table-4 group: 维持, 纠正, 其他, 尚未审结 and 总计 (BL04)."""

    FACTS = {
        "t4_group": ("group", "group_label", "upheld", "corrected", "other", "pending", "total", "parts_sum")
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield a t4_group fact per group."""
        for group in T4_GROUPS:
            ids = {c.id: f"t4.{group.id}.{c.id}" for c in T4_COLUMNS}
            vals = {c: v.value(i) for c, i in ids.items()}
            yield self.fact(
                "t4_group",
                group.id,
                {
                    "group": group.id,
                    "group_label": group.full_label,
                    **vals,
                    "parts_sum": total_of([vals[c] for c in T4_PARTS]),
                },
                {i: vals[c] for c, i in ids.items()},
            )


@register
class RuleMaking(Family):
    """The 规章 row of table 2 beside whether the organ may make 规章 at all (PL01; 2021 form only)."""

    FACTS = {"rule_making": ("made", "repealed", "valid", "may_make_rules", "organ_label", "agency")}

    def build(self, v: View) -> Iterator[Fact]:
        """Yield the rule_making fact."""
        if v.format == FORMAT_2019:
            return
        may, why = may_make_rules(v.report.agency, v.level)
        ids = {c: f"t2.reg.{c}" for c in ("made", "repealed", "valid")}
        vals = {c: v.value(i) for c, i in ids.items()}
        yield self.fact(
            "rule_making",
            "t2.reg",
            {**vals, "may_make_rules": may, "organ_label": why, "agency": v.report.agency or ""},
            {**{i: vals[c] for c, i in ids.items()}, "机关": v.report.agency, "判断": why},
        )
