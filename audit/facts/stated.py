"""Stated facts: a count the narrative states, beside the table value it names.

Rules: NT01 (applications received), NT02 ("no applications" while table 3 counts some), NT03
(outcomes, answered, carried over), NT04 (行政复议 / 行政诉讼), NT05 (规章 / 行政规范性文件), NT06
(no 收费通知 while table 3 counts an unpaid fee). The fact says what is printed on both sides; the
comparison is the rule's. Counts are read by :mod:`audit.facts.narrative` from 一, from the notes
printed with the tables (二–四) and from 六; the same count stated twice yields one fact.
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.facts.base import Fact, Family, View, quote, register
from audit.facts.narrative.appeals import appeal_statements
from audit.facts.narrative.applications import application_statements, none_received
from audit.facts.narrative.common import Statement
from audit.facts.narrative.documents import t2_statements
from audit.facts.narrative.fees import fee_denials
from audit.form import (
    FORMAT_2019,
    SECTION_LABELS,
    T3_COLUMNS,
    T3_ROW_BY_ID,
    T4_COLUMNS,
    T4_GROUP_BY_ID,
    T4_LITIGATION,
    t2_blocks,
    t3_data_rows,
)

NARRATIVE_SECTIONS = ("S1", "S2", "S3", "S4", "S6")  # S2–S4: notes printed with the tables
FEE_SECTIONS = ("S6", "S1")  # 六 reports the fee; some reports say it under 一（二）依申请公开
T3_COLUMN_LABEL = {c.id: c.label for c in T3_COLUMNS}
T4_COLUMN_LABEL = {c.id: c.label for c in T4_COLUMNS}
T3_GROUPS = ("denied", "unable", "not_processed", "other")  # result groups of table 3
# Table-3 totals a narrative count may name: statement kind → (row, reader-facing label).
_TOTAL_STATEMENTS = {
    "answered": ("result_total", "办理结果总计（答复）"),
    "carry_in": ("carry_in", "上年结转申请"),
    "carry_out": ("carry_out", "结转下年度继续办理"),
}
_APPLICATION_KINDS = {"new": "本年新收申请", "new_plus_carry": "本年新收与上年结转申请合计"}


@register
class Stated(Family):
    """Counts stated in the narrative beside the table values they name (NT01–NT06)."""

    FACTS = {
        "stated_applications": (
            "kind",
            "kind_label",
            "column",
            "column_label",
            "stated",
            "table",
            "new",
            "carry_in",
            "locator",
            "section",
        ),
        "stated_no_applications": ("new", "section"),
        "stated_outcome": (
            "outcome",
            "outcome_label",
            "column_label",
            "stated",
            "table",
            "locator",
            "section",
        ),
        "stated_appeal": (
            "group",
            "group_label",
            "column",
            "column_label",
            "stated",
            "stated_none",
            "table",
            "table_blank",
            "locator",
            "section",
        ),
        "stated_t2": ("row", "row_label", "column", "column_label", "stated", "table", "locator", "section"),
        "fee_statement": ("fee_unpaid", "section", "section_label"),
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield the stated facts of 一, 二–四 and 六, then the fee statement of 六."""
        seen: set[tuple] = set()
        n = 0
        for sid in NARRATIVE_SECTIONS:
            text = v.text(sid)
            if not text:
                continue
            y = v.report.year
            for st in application_statements(text, sid, y):
                made = self._application(v, st, seen)
                if made is not None:
                    n += 1
                    yield self.fact(made[0], f"{sid}:{n}", made[1], made[2])
            for st in none_received(text, sid):
                if ("none", st.quote) in seen:
                    continue
                seen.add(("none", st.quote))
                n += 1
                new = v.value("t3.new.total")
                yield self.fact(
                    "stated_no_applications",
                    f"{sid}:{n}",
                    {"new": new, "section": sid},
                    {v.quote_key(sid, st.quote): quote(st.quote), "t3.new.total": new},
                )
            for st in appeal_statements(text, sid, y):
                if ("appeal", st.what, st.value) not in seen:
                    seen.add(("appeal", st.what, st.value))
                    n += 1
                    yield self._appeal(v, st, f"{sid}:{n}")
            for st in t2_statements(text, sid, y):
                if v.format != FORMAT_2019 and ("t2", st.what, st.value) not in seen:
                    seen.add(("t2", st.what, st.value))
                    n += 1
                    yield self._t2(v, st, f"{sid}:{n}")
        yield from self._fee(v)

    def _application(self, v: View, st: Statement, seen: set[tuple]) -> tuple[str, dict, dict] | None:
        """Return (type, fields, evidence) of an application or outcome count, None if seen or unknown."""
        col = st.column
        qkey = v.quote_key(st.section, st.quote)
        if st.what in _APPLICATION_KINDS:
            k = ("app", st.what, st.value, col)
            if k in seen:
                return None
            seen.add(k)
            new, carry = v.value(f"t3.new.{col}"), v.value(f"t3.carry_in.{col}")
            ev: dict = {f"t3.new.{col}": new}
            table = new
            if st.what == "new_plus_carry":
                ev[f"t3.carry_in.{col}"] = carry
                table = new + carry if new is not None and carry is not None else None
            fields = {
                "kind": st.what,
                "kind_label": _APPLICATION_KINDS[st.what],
                "column": col,
                "column_label": T3_COLUMN_LABEL[col],
                "stated": st.value,
                "table": table,
                "new": new,
                "carry_in": carry,
                "locator": f"t3.new.{col}",
                "section": st.section,
            }
            return "stated_applications", fields, {qkey: quote(st.quote), **ev}
        if st.what.startswith("outcome:"):
            table, ev, label, loc = _t3_group_value(v, st.what.split(":", 1)[1], col)
        elif st.what in _TOTAL_STATEMENTS:
            row, label = _TOTAL_STATEMENTS[st.what]
            loc = f"t3.{row}.{col}"
            table, ev = v.value(loc), {loc: v.value(loc)}
        else:
            return None
        k = ("out", st.what, st.value, col)
        if k in seen:
            return None
        seen.add(k)
        fields = {
            "outcome": st.what,
            "outcome_label": label,
            "column_label": T3_COLUMN_LABEL[col],
            "stated": st.value,
            "table": table,
            "locator": loc,
            "section": st.section,
        }
        return "stated_outcome", fields, {qkey: quote(st.quote), **ev}

    def _appeal(self, v: View, st: Statement, key: str) -> Fact:
        """Return the stated_appeal fact of a 行政复议 / 行政诉讼 count or "none" statement."""
        if st.what.startswith("none_appeal:"):
            group, col = st.what.split(":")[1], "total"
        else:
            _, group, col = st.what.split(":")
        groups = ["lit_direct", "lit_after_review"] if group == "litigation" else [group]
        ids = [f"t4.{g}.{col}" for g in groups]
        vals = [v.value(i) for i in ids]
        ev: dict = dict(zip(ids, vals, strict=True))
        recorded: int | float | None = 0
        for g, val in zip(groups, vals, strict=True):
            if val is not None:
                recorded += val  # type: ignore[operator]
            elif col == "total":
                # the total cell is blank: count what the group's result cells record
                parts = {
                    f"t4.{g}.{c}": v.value(f"t4.{g}.{c}") for c in ("upheld", "corrected", "other", "pending")
                }
                ev.update(parts)
                recorded += sum(p for p in parts.values() if p is not None)  # type: ignore[operator]
            else:
                recorded = None
                break
        if group == "litigation":
            group_label, loc = T4_LITIGATION, ("t4" if col == "total" else f"t4.lit.{col}")
        else:
            group_label, loc = T4_GROUP_BY_ID[group].full_label, f"t4.{group}.{col}"
        fields = {
            "group": group,
            "group_label": group_label,
            "column": col,
            "column_label": T4_COLUMN_LABEL[col],
            "stated": st.value,
            "stated_none": st.what.startswith("none_appeal:"),
            "table": recorded,
            "table_blank": any(val is None for val in vals),
            "locator": loc,
            "section": st.section,
        }
        return self.fact(
            "stated_appeal", key, fields, {v.quote_key(st.section, st.quote): quote(st.quote), **ev}
        )

    def _t2(self, v: View, st: Statement, key: str) -> Fact:
        """Return the stated_t2 fact of a 规章 / 行政规范性文件 count."""
        _, row, col = st.what.split(":")
        cid = f"t2.{row}.{col}"
        block = t2_blocks(v.format)[0]
        fields = {
            "row": row,
            "row_label": next(r.label for r in block.rows if r.id == row),
            "column": col,
            "column_label": next(c.label for c in block.columns if c.id == col),
            "stated": st.value,
            "table": v.value(cid),
            "locator": cid,
            "section": st.section,
        }
        return self.fact(
            "stated_t2", key, fields, {v.quote_key(st.section, st.quote): quote(st.quote), cid: v.value(cid)}
        )

    def _fee(self, v: View) -> Iterator[Fact]:
        """Yield the first statement of 六 (else 一) that no 收费通知 / 信息处理费 was involved."""
        cid = "t3.other.fee_unpaid.total"
        for sid in FEE_SECTIONS:
            for st in fee_denials(v.text(sid), sid):
                yield self.fact(
                    "fee_statement",
                    sid,
                    {"fee_unpaid": v.value(cid), "section": sid, "section_label": SECTION_LABELS[sid]},
                    {v.quote_key(sid, st.quote): quote(st.quote), cid: v.value(cid)},
                )
                return


def _t3_group_value(v: View, row: str, col: str) -> tuple[int | float | None, dict, str, str]:
    """Return the table value of a result row or group (sum of its leaves), evidence, label, locator."""
    if row in T3_GROUPS and not (row == "other" and v.format == FORMAT_2019):
        ids = [f"t3.{r}.{col}" for r in t3_data_rows(v.format) if r.startswith(row + ".")]
        vals = [v.value(i) for i in ids]
        total = sum(vals) if vals and all(x is not None for x in vals) else None  # type: ignore[arg-type]
        return total, dict(zip(ids, vals, strict=True)), T3_ROW_BY_ID[row].label, f"t3.{row}"
    cid = f"t3.{row}.{col}"
    label = T3_ROW_BY_ID[row].label if row in T3_ROW_BY_ID else row
    return v.value(cid), {cid: v.value(cid)}, label, cid
