"""Stated facts: a count the narrative states, beside the table value it names.

Rules: NT01 (applications received), NT02 ("no applications" while table 3 counts some), NT03
(outcomes, answered, carried over; several outcomes counted together against the sum of their
rows), NT04 (行政复议 / 行政诉讼), NT05 (规章 / 行政规范性文件), NT06 (no 收费通知 while table 3
counts an unpaid fee), NT07 (a share printed with a count that the count does not give). The
fact says what is printed on both sides; the comparison is the rule's. Counts are read by
:mod:`audit.facts.narrative` from 一, from the notes printed with the tables (二–四) and from 六;
the same count stated twice yields one fact. A statement the readers recognise but cannot read
for certain becomes an ``unread_statement`` fact: counted (the report's "not compared"
coverage), matched by no rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from audit.facts.base import Fact, Family, View, quote, register
from audit.facts.narrative.appeals import appeal_statements
from audit.facts.narrative.applications import application_statements, none_received
from audit.facts.narrative.common import Statement
from audit.facts.narrative.documents import t2_statements
from audit.facts.narrative.fees import fee_denials, reports_notices
from audit.facts.tables import total_of
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
_UNREAD_KINDS = {"outcome": "办理结果件数"}
_NOTE_RE = re.compile(r"（[^）]*）$")  # the form's note after a label: （区分处理的，只计这一情形…）

Converted = tuple[str, dict, dict]  # (fact type, fields, evidence without the quote)


@register
class Stated(Family):
    """Counts stated in the narrative beside the table values they name (NT01–NT07)."""

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
            "table_detail",
            "locator",
            "section",
            "share",
            "implied_share",
            "share_slack",
            "share_base_label",
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
        "unread_statement": ("kind", "kind_label", "reason", "section"),
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield the stated facts of 一, 二–四 and 六, then the fee statement of 六 (or 一)."""
        seen: set[tuple] = set()
        n = 0
        for sid in NARRATIVE_SECTIONS:
            text = v.text(sid)
            if not text:
                continue
            for st in _statements(text, sid, v.report.year, v.format):
                key = _seen_key(st)
                if key in seen:
                    continue
                seen.add(key)
                converted = _convert(v, st)
                if converted is None:
                    continue
                n += 1
                type_, fields, evidence = converted
                yield self.fact(
                    type_, f"{sid}:{n}", fields, {v.quote_key(sid, st.quote): quote(st.quote), **evidence}
                )
        yield from self._fee(v)

    def _fee(self, v: View) -> Iterator[Fact]:
        """Yield the first statement of 六 (else 一) that no 收费通知 / 信息处理费 was involved.

        None when either section reports the notices that were issued or went unpaid.
        """
        cid = "t3.other.fee_unpaid.total"
        if any(reports_notices(v.text(sid)) for sid in FEE_SECTIONS):
            return
        for sid in FEE_SECTIONS:
            for st in fee_denials(v.text(sid), sid):
                yield self.fact(
                    "fee_statement",
                    sid,
                    {"fee_unpaid": v.value(cid), "section": sid, "section_label": SECTION_LABELS[sid]},
                    {v.quote_key(sid, st.quote): quote(st.quote), cid: v.value(cid)},
                )
                return


def _statements(text: str, sid: str, year: int | None, fmt: str) -> Iterator[Statement]:
    """Yield every statement read from a section, kind by kind."""
    yield from application_statements(text, sid, year)
    yield from none_received(text, sid)
    yield from appeal_statements(text, sid, year)
    if fmt != FORMAT_2019:  # the 2019 form's table 2 has no 制发/废止/现行有效 columns
        yield from t2_statements(text, sid, year)


def _seen_key(st: Statement) -> tuple:
    """Return what makes two statements the same count (stated twice, read once)."""
    if st.what == "none_received":
        return ("none", st.quote)
    if st.what.startswith("unread:"):
        return ("unread", st.reason, st.quote)
    if st.what.startswith(("appeal:", "none_appeal:", "t2:")):
        return (st.what, st.value)
    return (st.what, st.value, st.column)


def _convert(v: View, st: Statement) -> Converted | None:
    """Return the fact of a statement: its type, fields and evidence (None for an unknown kind)."""
    if st.what in _APPLICATION_KINDS:
        return _application(v, st)
    if st.what.startswith("outcome:") or st.what in _TOTAL_STATEMENTS:
        return _outcome(v, st)
    if st.what == "none_received":
        new = v.value("t3.new.total")
        return "stated_no_applications", {"new": new, "section": st.section}, {"t3.new.total": new}
    if st.what.startswith(("appeal:", "none_appeal:")):
        return _appeal(v, st)
    if st.what.startswith("t2:"):
        return _t2(v, st)
    if st.what.startswith("unread:"):
        kind = st.what.split(":", 1)[1]
        fields = {
            "kind": kind,
            "kind_label": _UNREAD_KINDS.get(kind, kind),
            "reason": st.reason,
            "section": st.section,
        }
        return "unread_statement", fields, {"未比较原因": st.reason}
    return None


def _application(v: View, st: Statement) -> Converted:
    """Return the stated_applications fact of a count of applications received."""
    col = st.column
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
    return "stated_applications", fields, ev


def _outcome(v: View, st: Statement) -> Converted:
    """Return the stated_outcome fact of an outcome count (one row or group, or several summed)."""
    col = st.column
    if st.what in _TOTAL_STATEMENTS:
        row, label = _TOTAL_STATEMENTS[st.what]
        cid = f"t3.{row}.{col}"
        parts = [(v.value(cid), {cid: v.value(cid)}, label, cid)]
    else:
        parts = [_t3_group_value(v, row, col) for row in st.what.split(":", 1)[1].split("+")]
    values = [p[0] for p in parts]
    evidence = {k: val for p in parts for k, val in p[1].items()}
    several = len(parts) > 1
    fields = {
        "outcome": st.what,
        "outcome_label": "、".join(f"“{p[2]}”" for p in parts) + "合计" if several else parts[0][2],
        "column_label": T3_COLUMN_LABEL[col],
        "stated": st.value,
        "table": total_of(values),
        "table_detail": "＋".join(f"{p[2]}{'（空）' if p[0] is None else p[0]}件" for p in parts)
        if several
        else "",
        "locator": "+".join(p[3] for p in parts),
        "section": st.section,
        **_share(v, st),
    }
    return "stated_outcome", fields, evidence


def _share(v: View, st: Statement) -> dict:
    """Return the share fields: the printed share, the share its count gives of the closest base."""
    fields: dict = {"share": st.share, "implied_share": None, "share_slack": None, "share_base_label": ""}
    if st.share is None or st.value is None:
        return fields
    col = st.column
    answered, new, carry = (v.value(f"t3.{r}.{col}") for r in ("result_total", "new", "carry_in"))
    bases = {
        "answered": [("办理结果总计", answered)],
        "received": [
            ("本年新收申请", new),
            ("本年新收与上年结转申请", None if None in (new, carry) else new + carry),
        ],  # type: ignore[operator]
    }
    candidates = bases.get(st.share_base) or [*bases["answered"], *bases["received"]]
    implied = [(label, round(100 * st.value / base, 4)) for label, base in candidates if base]
    if implied:
        label, closest = min(implied, key=lambda x: abs(x[1] - st.share))  # type: ignore[operator]
        fields.update(implied_share=closest, share_slack=10.0**-st.share_digits, share_base_label=label)
    return fields


def _appeal(v: View, st: Statement) -> Converted:
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
    return "stated_appeal", fields, ev


def _t2(v: View, st: Statement) -> Converted:
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
    return "stated_t2", fields, {cid: v.value(cid)}


def _t3_group_value(v: View, row: str, col: str) -> tuple[int | float | None, dict, str, str]:
    """Return the table value of a result row or group (sum of its leaves), evidence, label, locator."""
    if row in T3_GROUPS and not (row == "other" and v.format == FORMAT_2019):
        ids = [f"t3.{r}.{col}" for r in t3_data_rows(v.format) if r.startswith(row + ".")]
        vals = [v.value(i) for i in ids]
        total = total_of(vals) if vals else None
        return total, dict(zip(ids, vals, strict=True)), T3_ROW_BY_ID[row].label, f"t3.{row}"
    cid = f"t3.{row}.{col}"
    label = T3_ROW_BY_ID[row].label if row in T3_ROW_BY_ID else row
    return v.value(cid), {cid: v.value(cid)}, _NOTE_RE.sub("", label), cid
