"""The 通报: the province's results by region, organ level and rule, the worst and the most improved.

:func:`bulletin_view` counts from the findings, agencies and reports of a scope; the HTML template
``bulletin.html.j2`` and :func:`bulletin_docx` (a 公文 like the notice) print it. Counts are of
unresolved findings (open, confirmed, overdue) unless a table says otherwise. To add a table: a
``Table`` in :func:`bulletin_view`; both writers print every table in order.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from audit.render import gongwen, words
from audit.render.office import Office, chinese_date, office

LATE_RULE = "TL01"
MISSING_RULE = "TL02"


@dataclass
class Table:
    """One table of the 通报: heading, an explaining sentence, header and rows."""

    heading: str
    note: str
    header: list[str]
    rows: list[list[object]]


@dataclass
class BulletinView:
    """Everything the 通报 prints."""

    office: Office
    scope: str
    dated: date
    summary: str
    tables: list[Table]

    @property
    def title(self) -> str:
        """The 通报's title."""
        return f"关于{self.scope}政府信息公开工作年度报告审核情况的通报"

    @property
    def date_zh(self) -> str:
        """The date in Chinese numerals."""
        return chinese_date(self.dated)


def _active(f: dict) -> bool:
    """Return whether a finding is unresolved."""
    return f["status"] in ("open", "confirmed", "overdue")


def _improved(findings: list[dict], years: list[int]) -> list[list[object]]:
    """Return agencies whose findings fell from the year before the last to the last year."""
    if len(years) < 2:
        return []
    last, before = years[-1], years[-2]
    per: dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        if f["status"] not in ("dismissed", "withdrawn"):
            per[f["agency"]][f["year"]] += 1
    rows = [[a, c[before], c[last], c[before] - c[last]] for a, c in per.items() if c[before] > c[last]]
    return sorted(rows, key=lambda r: (-r[3], r[0]))[:5]


def bulletin_view(
    findings: list[dict], agencies: list[dict], reports: list[dict], *, scope: str, today: date
) -> BulletinView:
    """Return the 通报 of a scope from its findings, agencies and reports."""
    level_of = {a["name"]: a["level"] for a in agencies}
    active = [f for f in findings if _active(f) and f["rule"] not in (LATE_RULE, MISSING_RULE)]
    years = sorted({r["year"] for r in reports} | {f["year"] for f in findings})
    by_region: dict[str, Counter] = defaultdict(Counter)
    for a in agencies:
        by_region[a["region"] or "未设区划"]["agencies"] += 1
    for r in reports:
        by_region[r["region"] or "未设区划"]["reports"] += 1
    for f in active:
        c = by_region[f["region"] or "未设区划"]
        c["findings"] += 1
        c["errors"] += f["severity"] == "error"
    by_level: dict[str, Counter] = defaultdict(Counter)
    for f in active:
        by_level[words.LEVEL_NAMES.get(level_of.get(f["agency"]), "层级未明")][f["severity"]] += 1
    by_rule = Counter((f["rule"], f["title"] or "") for f in active)
    per_agency = Counter(f["agency"] for f in active)
    errors = Counter(f["agency"] for f in active if f["severity"] == "error")
    worst = sorted(per_agency, key=lambda a: (-errors[a], -per_agency[a], a))[:5]
    recurring: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        if f["recurring"] and _active(f):
            recurring[f["agency"]].add(f["rule"])
    late = [
        f
        for f in findings
        if f["rule"] in (LATE_RULE, MISSING_RULE) and f["status"] not in ("dismissed", "withdrawn")
    ]
    per_year: dict[int, Counter] = defaultdict(Counter)
    for r in reports:
        per_year[r["year"]]["reports"] += 1
    for f in findings:
        if f["status"] not in ("dismissed", "withdrawn"):
            per_year[f["year"]]["findings"] += 1
            per_year[f["year"]]["fixed"] += f["status"] == "fixed"
    tables = [
        Table("各地区情况", "按行政区划统计机关数、报告数和未整改问题数。", ["区划", "机关", "报告", "未整改问题", "其中错误"],
              [[k, c["agencies"], c["reports"], c["findings"], c["errors"]] for k, c in sorted(by_region.items())]),
        Table("按机关层级", "未整改问题按机关层级和问题级别统计。", ["层级", "错误", "警告", "提示"],
              [[k, c["error"], c["warning"], c["info"]] for k, c in sorted(by_level.items())]),
        Table("按规则", "各规则的未整改问题数，多者在前。", ["规则", "问题", "数量"],
              [[rule, title, n] for (rule, title), n in by_rule.most_common()]),
        Table("问题较多的机关", "按错误数、问题总数排序的前五名。", ["机关", "错误", "问题总数"],
              [[a, errors[a], per_agency[a]] for a in worst]),
        Table("整改成效明显的机关", f"{years[-2] if len(years) > 1 else ''}年度至{years[-1] if years else ''}年度问题数减少最多的机关。",
              ["机关", "上一年度", "本年度", "减少"], _improved(findings, years)),
        Table("屡查屡犯的机关", "上一年度报告已有、本年度再次出现的问题。", ["机关", "规则"],
              [[a, "、".join(sorted(r))] for a, r in sorted(recurring.items())]),
        Table("逾期发布和未发布年报", "按法定期限检查年报发布情况（TL01 逾期发布，TL02 未发布）。", ["机关", "年度", "情况"],
              [[f["agency"], f["year"], f["message"]] for f in late]),
        Table("年度对比", "各年度报告数、问题数和已整改数。", ["年度", "报告", "问题", "已整改"],
              [[y, per_year[y]["reports"], per_year[y]["findings"], per_year[y]["fixed"]] for y in years]),
    ]  # fmt: skip
    summary = (
        f"{scope}共有{len(agencies)}个机关，库中年度报告{len(reports)}份；"
        f"目前未整改问题{len(active)}个（其中错误{sum(errors.values())}个），"
        f"屡查屡犯的机关{len(recurring)}个，逾期发布或未发布年报{len(late)}起。"
    )
    return BulletinView(office=office(), scope=scope, dated=today, summary=summary, tables=tables)


def bulletin_docx(v: BulletinView) -> bytes:
    """Write the 通报 as a 公文 DOCX (red header without 文号, tables in 4号仿宋)."""
    doc = gongwen.new_document()
    gongwen.masthead(doc, v.office.name, "")
    gongwen.title(doc, v.title)
    gongwen.paragraph(doc, v.summary)
    for i, t in enumerate(v.tables, 1):
        gongwen.heading(doc, f"{words.zh_number(i)}、{t.heading}", 1)
        gongwen.paragraph(doc, t.note)
        if t.rows:
            gongwen.table(doc, t.header, t.rows)
        else:
            gongwen.paragraph(doc, "无。")
    gongwen.signature(doc, v.office.name, v.date_zh)
    gongwen.banji(doc, v.office.name, v.date_zh, v.office.copy_to)
    return gongwen.to_bytes(doc)
