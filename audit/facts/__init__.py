"""Facts: the small, flat records the rule base matches on, derived from a parsed report.

A rule in ``rules/catalog`` names one fact type and a condition over that fact's fields. Python
computes here what a declarative condition cannot (topic presence, numbers read from the
narrative, artefacts, years, similarity to last year, days after a deadline) and exposes it as
fields; the decision itself stays in the rule (``stated != table``, ``total != natural + …``).

Conventions:

- one fact per possible defect instance (a table-3 row, a column, a section, a topic, a sentence),
  so that one finding is reported per defect instance;
- ``fields`` holds flat JSON scalars only (fewer than 240); a missing cell is ``None`` and a rule
  never fires on a ``None`` field;
- ``evidence`` is what proves a finding: cell id → value, and the quoted sentence of the narrative;
- an unreadable report yields only the ``document`` fact (TL03), so no other rule can fire on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from audit.facts import narrative as nar
from audit.form import (
    FORMAT_2019,
    SECTION_BY_ID,
    SECTION_IDS,
    T3_COLUMNS,
    T3_PARTS,
    T3_ROW_BY_ID,
    T4_CELLS,
    T4_COLUMNS,
    T4_GROUPS,
    describe_cell,
    t2_blocks,
    t2_cells,
    t3_cells,
    t3_data_rows,
)
from audit.organs import LEVEL_LABEL, effective_level, may_make_rules, publication_deadline
from audit.report import AuditContext, Report


@dataclass
class Fact:
    """One fact: its type (what rules match on), a unique key, flat fields and the evidence."""

    type: str
    key: str
    fields: dict = field(default_factory=dict)
    evidence: dict = field(default_factory=dict)


TABLE_LABELS = {
    "t2": "表二（主动公开政府信息情况）",
    "t3": "表三（收到和处理政府信息公开申请情况）",
    "t4": "表四（政府信息公开行政复议、行政诉讼情况）",
}
SECTION_LABELS = {"preamble": "报告前言", **{s: SECTION_BY_ID[s].canonical for s in SECTION_IDS}}
T3_COLUMN_LABEL = {c.id: c.label for c in T3_COLUMNS}
T4_GROUP_LABEL = {
    "review": "行政复议",
    "lit_direct": "行政诉讼（未经复议直接起诉）",
    "lit_after_review": "行政诉讼（复议后起诉）",
}
T4_COLUMN_LABEL = {c.id: c.label for c in T4_COLUMNS}

# The 19 result terms that （七）总计 adds up: 21 leaves of the 2021 form with （六）'s three
# sub-rows summed into ``other`` (T3-SUB), which is the single （六） row of the 2019 form.
T3_RESULT_TERMS: tuple[str, ...] = (
    "granted",
    "partial",
    "denied.state_secret",
    "denied.law_forbidden",
    "denied.security_stability",
    "denied.third_party",
    "denied.internal_affairs",
    "denied.process_info",
    "denied.enforcement_file",
    "denied.admin_query",
    "unable.not_held",
    "unable.needs_creation",
    "unable.unclear",
    "not_processed.petition",
    "not_processed.repeat",
    "not_processed.publication",
    "not_processed.mass_repeat",
    "not_processed.confirm_reissue",
    "other",
)
T3_GROUPS = {
    "denied": "（三）不予公开",
    "unable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}


# Every fact type and its fields (the catalogue loader checks rules against this).
FACT_FIELDS: dict[str, tuple[str, ...]] = {
    "document": (
        "agency",
        "year",
        "level",
        "level_label",
        "format",
        "readable",
        "unreadable_reason",
        "published_on",
        "deadline",
        "days_late",
        "http_status",
        "missing_report",
    ),
    "section": ("section", "title", "present", "printed_title"),
    "section_pair": ("section", "title", "next_section", "next_title", "position", "next_position"),
    "table_cells": ("table", "table_label", "cells", "missing", "missing_list", "table_found"),
    "s1_topic": ("topic", "present"),
    "oversight": ("level", "has_assessment", "has_evaluation", "has_accountability", "missing_label"),
    "s5_content": ("has_problems", "has_measures", "last_year_reported"),
    "s6_content": ("fee_reported", "key_points_reported", "text", "nil"),
    "statistical_period": ("period",),
    "outdated_marker": ("table", "table_label", "markers", "year"),
    "anomaly": ("kind", "locator", "printed", "canonical", "detail", "is_table"),
    "table_structure": ("table", "table_label", "column_count", "missing_rows", "unexpected_rows", "rows"),
    "artefacts": (
        "section",
        "section_label",
        "latin",
        "latin_words",
        "markdown",
        "placeholders",
        "placeholder_words",
    ),
    "year_mention": ("where", "where_label", "stated_year", "report_year"),
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
    "t3_column": (
        "column",
        "column_label",
        "new",
        "carry_in",
        "result_total",
        "carry_out",
        *(t.replace(".", "_") for t in T3_RESULT_TERMS),
        "leaves_sum",
    ),
    "t4_group": ("group", "group_label", "upheld", "corrected", "other", "pending", "total", "parts_sum"),
    "rule_making": ("made", "repealed", "valid", "may_make_rules", "organ_label", "agency"),
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
    "stated_outcome": ("outcome", "outcome_label", "column_label", "stated", "table", "locator", "section"),
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
    "fee_statement": ("fee_unpaid",),
    "t3_carry": ("column", "column_label", "carry_in", "prev_carry_out", "prev_year"),
    "t2_continuity": ("row", "row_label", "made", "repealed", "valid", "prev_valid", "prev_year"),
    "similarity": ("section", "section_label", "similarity", "prev_year"),
    "copy": ("section", "section_label", "other_agency", "other_source", "similarity", "cluster"),
}


def field_name(row_id: str) -> str:
    """Return the fact-field name of a table-3 row id (``denied.state_secret`` → ``denied_state_secret``)."""
    return row_id.replace(".", "_")


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
            label = (
                T3_ROW_BY_ID[key].label
                if table == "t3" and key in T3_ROW_BY_ID
                else T4_GROUP_LABEL.get(key, key)
            )
            parts.append(f"“{label}”{'行' if table == 't3' else '各栏'}")
        else:
            parts.extend(describe_cell(c) for c in cids)
    shown = "、".join(parts[:limit])
    return shown + (f"等{len(parts)}处" if len(parts) > limit else "")


def _quote(text: str, limit: int = 160) -> str:
    """Return a normalised sentence with Chinese punctuation restored, for evidence and messages."""
    s = text.replace(",", "，").replace(";", "；").replace(":", "：").replace("(", "（").replace(")", "）")
    s = re.sub(r"(?<=\d)，(?=\d{3}(?!\d))", ",", s)
    return s if len(s) <= limit else s[: limit - 1] + "…"


# Table-3 totals a narrative count may name: statement kind → (row, reader-facing label).
_TOTAL_STATEMENTS = {
    "answered": ("result_total", "办理结果总计（答复）"),
    "carry_in": ("carry_in", "上年结转申请"),
    "carry_out": ("carry_out", "结转下年度继续办理"),
}


class _Builder:
    """Collects the facts of one report."""

    def __init__(self, report: Report, ctx: AuditContext) -> None:
        self.r = report
        self.ctx = ctx
        self.facts: list[Fact] = []
        self.level = effective_level(report.level, report.agency)

    def add(self, type_: str, key: str, fields: dict, evidence: dict | None = None) -> None:
        self.facts.append(Fact(type_, f"{type_}:{key}", fields, evidence or {}))

    def v(self, cell_id: str) -> int | float | None:
        return self.r.value(cell_id)

    def text(self, sid: str) -> str:
        if sid == "preamble":
            return self.r.preamble
        sec = self.r.sections.get(sid)
        return sec.text if sec and sec.present else ""

    def quote_key(self, sid: str, quote: str = "") -> str:
        """Return the evidence key of a quote: the section and where the quote is in the document."""
        sec = self.r.sections.get(sid)
        line, page = sec.locate(quote) if sec is not None else (None, None)
        if page:
            return f"原文（{sid}，第{page}页）"
        if line:
            return f"原文（{sid}，第{line}行）"
        return f"原文（{sid}）"

    def present(self, sid: str) -> bool:
        sec = self.r.sections.get(sid)
        return bool(sec and sec.present)

    # -- document and publication -------------------------------------------------------------

    def document(self) -> None:
        r, ctx = self.r, self.ctx
        deadline: date | None = None
        if r.year:
            deadline = publication_deadline(self.level, r.year, ctx.local_deadline)
        days_late = (ctx.published_on - deadline).days if (ctx.published_on and deadline) else None
        self.add(
            "document",
            "report",
            {
                "agency": r.agency,
                "year": r.year,
                "level": self.level,
                "level_label": LEVEL_LABEL.get(self.level or "", "机关层级未明，按较晚的法定期限"),
                "format": r.format,
                "readable": r.readable,
                "unreadable_reason": r.unreadable_reason or "",
                "published_on": ctx.published_on.isoformat() if ctx.published_on else None,
                "deadline": deadline.isoformat() if deadline else None,
                "days_late": days_late,
                "http_status": ctx.http_status,
                "missing_report": True if ctx.missing_report else None,
            },
            {
                k: v
                for k, v in {
                    "发布日期": ctx.published_on.isoformat() if ctx.published_on else None,
                    "公布期限": deadline.isoformat() if deadline else None,
                    "HTTP状态": ctx.http_status,
                    "无法读取原因": r.unreadable_reason,
                    "来源": r.source,
                }.items()
                if v is not None
            },
        )

    # -- structure ----------------------------------------------------------------------------

    def sections(self) -> None:
        present = []
        for sid in SECTION_IDS:
            sdef = SECTION_BY_ID[sid]
            sec = self.r.sections.get(sid)
            is_present = bool(sec and sec.present)
            self.add(
                "section",
                sid,
                {
                    "section": sid,
                    "title": sdef.canonical,
                    "present": is_present,
                    "printed_title": (sec.title if sec else None) or "",
                },
                {sid: (sec.title if sec and sec.present else None)},
            )
            if is_present and sec is not None and sec.position is not None:
                present.append((sid, sec.position))
        for (a, pa), (b, pb) in zip(present, present[1:], strict=False):
            self.add(
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
                {"实际顺序": "、".join(self.r.section_order)},
            )

    def table_cells(self) -> None:
        fmt = self.r.format
        for table, ids in (("t2", t2_cells(fmt)), ("t3", t3_cells(fmt)), ("t4", T4_CELLS)):
            missing = [c for c in ids if self.v(c) is None]
            shown = describe_missing(table, missing)
            self.add(
                "table_cells",
                table,
                {
                    "table": table,
                    "table_label": TABLE_LABELS[table],
                    "cells": len(ids),
                    "missing": len(missing),
                    "missing_list": shown,
                    "table_found": table in self.r.tables_found,
                },
                {c: None for c in missing},
            )

    def s1_topics(self) -> None:
        if not self.present("S1"):
            return
        text = self.text("S1")
        for topic, pattern in nar.TOPIC_PATTERNS.items():
            quote = nar.first_quote(pattern, text)
            self.add(
                "s1_topic",
                topic,
                {"topic": topic, "present": bool(quote)},
                {"S1": _quote(quote) if quote else "未见相关内容"},
            )

    def oversight(self) -> None:
        if not self.present("S1"):
            return
        text = self.text("S1") + "\n" + self.text("S6")
        parts = {
            "has_assessment": ("工作考核", nar.ASSESSMENT_RE),
            "has_evaluation": ("社会评议", nar.EVALUATION_RE),
            "has_accountability": ("责任追究", nar.ACCOUNTABILITY_RE),
        }
        fields: dict = {"level": self.level}
        evidence: dict = {}
        missing = []
        for name, (label, pattern) in parts.items():
            quote = nar.first_quote(pattern, text)
            fields[name] = bool(quote)
            evidence[label] = _quote(quote) if quote else "未见相关内容"
            if not quote:
                missing.append(label)
        fields["missing_label"] = "、".join(missing)
        self.add("oversight", "S1", fields, evidence)

    def s5(self) -> None:
        if not self.present("S5"):
            return
        text = self.text("S5")
        problems = nar.first_quote(nar.PROBLEM_RE, text)
        measures = nar.measures_quote(text)
        last = nar.last_year_rectification(text, self.r.year)
        self.add(
            "s5_content",
            "S5",
            {
                "has_problems": bool(problems),
                "has_measures": bool(measures),
                "last_year_reported": bool(last),
            },
            {
                "存在的问题": _quote(problems) if problems else "未见相关内容",
                "改进情况": _quote(measures) if measures else "未见相关内容",
                "上年度问题整改情况": _quote(last) if last else "未见相关内容",
            },
        )

    def s6(self) -> None:
        if not self.present("S6"):
            return
        text = self.text("S6")
        fee = nar.first_quote(nar.FEE_RE, text)
        points = nar.first_quote(nar.KEY_POINTS_RE, text)
        self.add(
            "s6_content",
            "S6",
            {
                "fee_reported": bool(fee),
                "key_points_reported": bool(points),
                "text": nar.nil_text(text),
                "nil": nar.is_nil(text),
            },
            {
                "六、其他需要报告的事项": _quote(nar.normalize(text), 120) or "（空）",
            },
        )

    def period(self) -> None:
        head = self.r.preamble + "\n" + self.text("S1")[:300]
        phrase, _year = nar.statistical_period(head)
        self.add(
            "statistical_period",
            "preamble",
            {"period": phrase},
            {"报告前言": _quote(nar.normalize(self.r.preamble), 120) or "（无前言）"},
        )

    # -- format -------------------------------------------------------------------------------

    def outdated_markers(self) -> None:
        by_table: dict[str, list[str]] = {}
        for m in self.r.markers:
            table = "t3" if "表三" in m or "其他处理" in m else "t4" if "表四" in m else "t2"
            by_table.setdefault(table, []).append(m)
        for table, markers in by_table.items():
            self.add(
                "outdated_marker",
                table,
                {
                    "table": table,
                    "table_label": TABLE_LABELS[table],
                    "markers": "；".join(markers),
                    "year": self.r.year,
                },
                {"旧版格式标志": "；".join(markers)},
            )

    def anomalies(self) -> None:
        counts: dict[str, dict[str, list[str]]] = {}
        for i, a in enumerate(self.r.anomalies):
            loc = a.locator or ""
            if a.kind in ("column_count", "missing_row", "unexpected_row"):
                table = loc.split(".")[0] if loc else "t3"
                counts.setdefault(table, {"column_count": [], "missing_row": [], "unexpected_row": []})
                counts[table][a.kind].append(loc)
                continue
            if a.kind not in ("label_variant", "section_title_variant", "not_a_number"):
                continue
            where = f"第{a.page}页" if a.page else (f"第{a.line}行" if a.line else "")
            self.add(
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
                {
                    k: v
                    for k, v in {
                        "印制": a.printed,
                        "规定": a.canonical,
                        "说明": a.detail,
                        "位置": where,
                    }.items()
                    if v
                },
            )
        for table, kinds in counts.items():
            rows = [loc for locs in kinds.values() for loc in locs]
            self.add(
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
                {
                    **({"列数异常": "、".join(kinds["column_count"])} if kinds["column_count"] else {}),
                    **({"缺少的行": "、".join(kinds["missing_row"])} if kinds["missing_row"] else {}),
                    **({"格式外的行": "、".join(kinds["unexpected_row"])} if kinds["unexpected_row"] else {}),
                },
            )

    def artefacts(self) -> None:
        for sid in ("preamble", *SECTION_IDS):
            text = self.text(sid)
            if not text:
                continue
            found = nar.artefacts(text)
            self.add(
                "artefacts",
                sid,
                {
                    "section": sid,
                    "section_label": SECTION_LABELS[sid],
                    "latin": len(found.latin),
                    "latin_words": "、".join(dict.fromkeys(found.latin))[:80],
                    "markdown": len(found.markdown),
                    "placeholders": len(found.placeholders),
                    "placeholder_words": "、".join(dict.fromkeys(found.placeholders))[:40],
                },
                {
                    k: v
                    for k, v in {
                        "外文词": "、".join(dict.fromkeys(found.latin)),
                        "Markdown标记": f"{len(found.markdown)}处" if found.markdown else "",
                        "占位符": "、".join(dict.fromkeys(found.placeholders)),
                    }.items()
                    if v
                },
            )

    def years(self) -> None:
        y = self.r.year
        mentions: list[tuple[str, str, str, int | None]] = []
        if self.r.title:
            m = re.search(r"((?:19|20)\d{2})\s*年", self.r.title)
            if m:
                mentions.append(("title", "标题", self.r.title, int(m.group(1))))
        phrase, py = nar.statistical_period(self.r.preamble)
        if phrase:
            mentions.append(("period", "统计期限", phrase, py))
        phrase, oy = nar.opening_year(self.text("S1"))
        if phrase:
            mentions.append(("S1", "一、总体情况开头", phrase, oy))
        phrase, ky = nar.key_points_year(self.text("S6"), y)
        if phrase:
            mentions.append(("S6", "六、政务公开工作要点", phrase, ky))
        for where, label, quote, year in mentions:
            self.add(
                "year_mention",
                where,
                {
                    "where": where if where in ("S1", "S6") else "preamble" if where == "period" else "title",
                    "where_label": label,
                    "stated_year": year,
                    "report_year": y,
                },
                {label: _quote(quote, 80), "报告年度": y},
            )

    # -- tables -------------------------------------------------------------------------------

    def t3_rows(self) -> None:
        for row in t3_data_rows(self.r.format):
            ids = {c: f"t3.{row}.{c}" for c in (*T3_PARTS, "total")}
            vals = {c: self.v(i) for c, i in ids.items()}
            parts = [vals[c] for c in T3_PARTS]
            label = T3_ROW_BY_ID[row].label if row in T3_ROW_BY_ID else row
            self.add(
                "t3_row",
                row,
                {
                    "row": row,
                    "row_label": label,
                    **vals,
                    "parts_sum": sum(parts) if all(p is not None for p in parts) else None,
                },
                {i: vals[c] for c, i in ids.items()},
            )

    def t3_columns(self) -> None:
        fmt = self.r.format
        for col in (*T3_PARTS, "total"):
            f: dict = {"column": col, "column_label": T3_COLUMN_LABEL[col]}
            ev: dict = {}
            for row in ("new", "carry_in", "result_total", "carry_out"):
                cid = f"t3.{row}.{col}"
                f[row] = self.v(cid)
                ev[cid] = f[row]
            for term in T3_RESULT_TERMS:
                if term == "other" and fmt != FORMAT_2019:
                    subs = [f"t3.other.{s}.{col}" for s in ("no_correction", "fee_unpaid", "other")]
                    vals = [self.v(s) for s in subs]
                    for s, val in zip(subs, vals, strict=True):
                        ev[s] = val
                    f["other"] = sum(vals) if all(x is not None for x in vals) else None  # type: ignore[arg-type]
                    continue
                cid = f"t3.{term}.{col}"
                f[field_name(term)] = self.v(cid)
                ev[cid] = f[field_name(term)]
            terms = [f[field_name(t)] for t in T3_RESULT_TERMS]
            f["leaves_sum"] = sum(terms) if all(t is not None for t in terms) else None
            self.add("t3_column", col, f, ev)

    def t4_groups(self) -> None:
        for group, _label in T4_GROUPS:
            ids = {c.id: f"t4.{group}.{c.id}" for c in T4_COLUMNS}
            vals = {c: self.v(i) for c, i in ids.items()}
            parts = [vals[c] for c in ("upheld", "corrected", "other", "pending")]
            self.add(
                "t4_group",
                group,
                {
                    "group": group,
                    "group_label": T4_GROUP_LABEL[group],
                    **vals,
                    "parts_sum": sum(parts) if all(p is not None for p in parts) else None,  # type: ignore[arg-type]
                },
                {i: vals[c] for c, i in ids.items()},
            )

    def rule_making(self) -> None:
        if self.r.format == FORMAT_2019:
            return
        may, why = may_make_rules(self.r.agency, self.level)
        ids = {c: f"t2.reg.{c}" for c in ("made", "repealed", "valid")}
        vals = {c: self.v(i) for c, i in ids.items()}
        self.add(
            "rule_making",
            "t2.reg",
            {**vals, "may_make_rules": may, "organ_label": why, "agency": self.r.agency or ""},
            {**{i: vals[c] for c, i in ids.items()}, "机关": self.r.agency, "判断": why},
        )

    # -- narrative against tables -------------------------------------------------------------

    def narrative_counts(self) -> None:
        y = self.r.year
        new = self.v("t3.new.total")
        seen: set[tuple] = set()
        for sid in ("S1", "S2", "S3", "S4", "S6"):  # S2–S4: notes printed with the tables
            text = self.text(sid)
            if not text:
                continue
            for st in nar.application_statements(text, sid, y):
                self._application(st, seen)
            for st in nar.none_received(text, sid):
                k = ("none", st.quote)
                if k in seen:
                    continue
                seen.add(k)
                self.add(
                    "stated_no_applications",
                    f"{sid}:{len(self.facts)}",
                    {"new": new, "section": sid},
                    {self.quote_key(sid, st.quote): _quote(st.quote), "t3.new.total": new},
                )
            for st in nar.appeal_statements(text, sid, y):
                self._appeal(st, seen)
            for st in nar.t2_statements(text, sid, y):
                self._t2(st, seen)
        text6 = self.text("S6")
        for st in nar.fee_denials(text6, "S6"):
            cid = "t3.other.fee_unpaid.total"
            self.add(
                "fee_statement",
                f"S6:{len(self.facts)}",
                {"fee_unpaid": self.v(cid)},
                {self.quote_key("S6", st.quote): _quote(st.quote), cid: self.v(cid)},
            )
            break

    def _application(self, st: nar.Statement, seen: set[tuple]) -> None:
        col = st.column
        new, carry = self.v(f"t3.new.{col}"), self.v(f"t3.carry_in.{col}")
        col_label = T3_COLUMN_LABEL[col]
        if st.what in ("new", "new_plus_carry"):
            if st.what == "new":
                table, label, loc = new, "本年新收申请", f"t3.new.{col}"
                ev = {f"t3.new.{col}": new}
            else:
                table = new + carry if new is not None and carry is not None else None
                label, loc = "本年新收与上年结转申请合计", f"t3.new.{col}"
                ev = {f"t3.new.{col}": new, f"t3.carry_in.{col}": carry}
            k = ("app", st.what, st.value, col)
            if k in seen:
                return
            seen.add(k)
            self.add(
                "stated_applications",
                f"{st.section}:{len(self.facts)}",
                {
                    "kind": st.what,
                    "kind_label": label,
                    "column": col,
                    "column_label": col_label,
                    "stated": st.value,
                    "table": table,
                    "new": new,
                    "carry_in": carry,
                    "locator": loc,
                    "section": st.section,
                },
                {self.quote_key(st.section, st.quote): _quote(st.quote), **ev},
            )
            return
        # outcome-type counts (NT03)
        if st.what.startswith("outcome:"):
            row = st.what.split(":", 1)[1]
            table, ev, label, loc = self._t3_group_value(row, col)
        elif st.what in _TOTAL_STATEMENTS:
            row, label = _TOTAL_STATEMENTS[st.what]
            loc = f"t3.{row}.{col}"
            table, ev = self.v(loc), {loc: self.v(loc)}
        else:
            return
        k = ("out", st.what, st.value, col)
        if k in seen:
            return
        seen.add(k)
        self.add(
            "stated_outcome",
            f"{st.section}:{len(self.facts)}",
            {
                "outcome": st.what,
                "outcome_label": label,
                "column_label": col_label,
                "stated": st.value,
                "table": table,
                "locator": loc,
                "section": st.section,
            },
            {self.quote_key(st.section, st.quote): _quote(st.quote), **ev},
        )

    def _t3_group_value(self, row: str, col: str) -> tuple[int | float | None, dict, str, str]:
        """Return the table value of a result row or group (sum of its leaves), evidence, label, locator."""
        if row in T3_GROUPS and not (row == "other" and self.r.format == FORMAT_2019):
            leaves = [r for r in t3_data_rows(self.r.format) if r.startswith(row + ".")]
            ids = [f"t3.{r}.{col}" for r in leaves]
            vals = [self.v(i) for i in ids]
            total = sum(vals) if vals and all(v is not None for v in vals) else None  # type: ignore[arg-type]
            return total, dict(zip(ids, vals, strict=True)), T3_GROUPS[row], f"t3.{row}"
        cid = f"t3.{row}.{col}"
        label = T3_ROW_BY_ID[row].label if row in T3_ROW_BY_ID else row
        return self.v(cid), {cid: self.v(cid)}, label, cid

    def _appeal(self, st: nar.Statement, seen: set[tuple]) -> None:
        k = ("appeal", st.what, st.value)
        if k in seen:
            return
        seen.add(k)
        if st.what.startswith("none_appeal:"):
            group, col = st.what.split(":")[1], "total"
        else:
            _, group, col = st.what.split(":")
        groups = ["lit_direct", "lit_after_review"] if group == "litigation" else [group]
        ids = [f"t4.{g}.{col}" for g in groups]
        vals = [self.v(i) for i in ids]
        ev: dict = dict(zip(ids, vals, strict=True))
        recorded = 0
        for g, val in zip(groups, vals, strict=True):
            if val is not None:
                recorded += val  # type: ignore[operator]
            elif col == "total":
                # the total cell is blank: count what the group's result cells record
                parts = [self.v(f"t4.{g}.{c}") for c in ("upheld", "corrected", "other", "pending")]
                for c, pv in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
                    ev[f"t4.{g}.{c}"] = pv
                recorded += sum(p for p in parts if p is not None)  # type: ignore[misc]
            else:
                recorded = None  # type: ignore[assignment]
                break
        group_label = "行政诉讼" if group == "litigation" else T4_GROUP_LABEL[group]
        loc = f"t4.{group}.{col}" if group != "litigation" else ("t4" if col == "total" else f"t4.lit.{col}")
        self.add(
            "stated_appeal",
            f"{st.section}:{len(self.facts)}",
            {
                "group": group,
                "group_label": group_label,
                "column": col,
                "column_label": T4_COLUMN_LABEL[col],
                "stated": st.value,
                "stated_none": st.what.startswith("none_appeal:"),
                "table": recorded,
                "table_blank": any(v is None for v in vals),
                "locator": loc,
                "section": st.section,
            },
            {self.quote_key(st.section, st.quote): _quote(st.quote), **ev},
        )

    def _t2(self, st: nar.Statement, seen: set[tuple]) -> None:
        _, row, col = st.what.split(":")
        if self.r.format == FORMAT_2019:
            return
        k = ("t2", st.what, st.value)
        if k in seen:
            return
        seen.add(k)
        cid = f"t2.{row}.{col}"
        block = t2_blocks(self.r.format)[0]
        row_label = next(r.label for r in block.rows if r.id == row)
        col_label = next(c.label for c in block.columns if c.id == col)
        self.add(
            "stated_t2",
            f"{st.section}:{len(self.facts)}",
            {
                "row": row,
                "row_label": row_label,
                "column": col,
                "column_label": col_label,
                "stated": st.value,
                "table": self.v(cid),
                "locator": cid,
                "section": st.section,
            },
            {self.quote_key(st.section, st.quote): _quote(st.quote), cid: self.v(cid)},
        )

    # -- across years and agencies ------------------------------------------------------------

    def previous_year(self) -> None:
        prev = self.ctx.previous
        if prev is None:
            return
        py = prev.year
        for col in (*T3_PARTS, "total"):
            a, b = f"t3.carry_in.{col}", f"t3.carry_out.{col}"
            self.add(
                "t3_carry",
                col,
                {
                    "column": col,
                    "column_label": T3_COLUMN_LABEL[col],
                    "carry_in": self.v(a),
                    "prev_carry_out": prev.value(b),
                    "prev_year": py,
                },
                {a: self.v(a), f"上年度报告 {b}": prev.value(b)},
            )
        if self.r.format != FORMAT_2019 and prev.format != FORMAT_2019:
            for row, label in (("reg", "规章"), ("norm", "行政规范性文件")):
                ids = {c: f"t2.{row}.{c}" for c in ("made", "repealed", "valid")}
                vals = {c: self.v(i) for c, i in ids.items()}
                pv = prev.value(f"t2.{row}.valid")
                self.add(
                    "t2_continuity",
                    row,
                    {"row": row, "row_label": label, **vals, "prev_valid": pv, "prev_year": py},
                    {**{i: vals[c] for c, i in ids.items()}, f"上年度报告 t2.{row}.valid": pv},
                )
        for sid in ("S5", "S1"):
            a, b = self.text(sid), (prev.sections.get(sid).text if prev.sections.get(sid) else "")
            if not a or not b:
                continue
            sim = round(nar.similarity(a, b), 3)
            self.add(
                "similarity",
                sid,
                {"section": sid, "section_label": SECTION_LABELS[sid], "similarity": sim, "prev_year": py},
                {
                    "相似度": sim,
                    "本年度": _quote(nar.normalize(a), 80),
                    "上年度": _quote(nar.normalize(b), 80),
                },
            )

    def copies(self) -> None:
        for i, c in enumerate(self.ctx.copies):
            sim = c.get("similarity")
            section = c.get("section") or "S1"
            self.add(
                "copy",
                f"{section}:{i}",
                {
                    "section": section,
                    "section_label": SECTION_LABELS.get(section, section),
                    "other_agency": c.get("other_agency") or "",
                    "other_source": c.get("other_source") or "",
                    "similarity": round(float(sim), 3) if sim is not None else None,
                    "cluster": str(c.get("cluster") or ""),
                },
                {"相似度": sim, "雷同机关": c.get("other_agency"), "雷同报告": c.get("other_source")},
            )

    # -- all ----------------------------------------------------------------------------------

    def build(self) -> list[Fact]:
        self.document()
        if not self.r.readable:
            return self.facts
        self.sections()
        self.table_cells()
        self.s1_topics()
        self.oversight()
        self.s5()
        self.s6()
        self.period()
        self.outdated_markers()
        self.anomalies()
        self.artefacts()
        self.years()
        self.t3_rows()
        self.t3_columns()
        self.t4_groups()
        self.rule_making()
        self.narrative_counts()
        self.previous_year()
        self.copies()
        return self.facts


def build_facts(report: Report, ctx: AuditContext) -> list[Fact]:
    """Return the facts of a report (and its context) that the rule base matches on."""
    return _Builder(report, ctx).build()
