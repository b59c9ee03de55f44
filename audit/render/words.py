"""How the outputs say things to people: statuses, severities, locators and evidence in Chinese.

Everything a notice, a list or the dashboard shows about a finding is worded here once, so the
DOCX, the HTML and the XLSX say the same. To add a wording: a function or a table here and a case
in tests/test_render_words.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from audit.form import (
    FORMAT_2019,
    FORMAT_2021,
    SECTION_BY_ID,
    T3_COLUMNS,
    T3_ROW_BY_ID,
    T4_GROUPS,
    describe_cell,
    t2_blocks,
)
from audit.store import tables as m
from audit.store.db import SHANGHAI

STATUS_NAMES = {
    m.OPEN: "待整改",
    m.CONFIRMED: "已确认",
    m.OVERDUE: "已逾期",
    m.ACCEPTED: "暂缓接受",
    m.DISMISSED: "误报",
    m.FIXED: "已整改",
    m.WITHDRAWN: "已撤销",
}
STATUS_CODES = {v: k for k, v in STATUS_NAMES.items()}
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = ("error", "warning", "info")
# How a notice heads each severity group.
SEVERITY_HEADINGS = {
    "error": "须限期整改的问题",
    "warning": "须限期整改的不规范问题",
    "info": "提示事项（不设整改时限）",
}
LEVEL_NAMES = {"government": "人民政府", "department": "政府部门", None: "层级未明"}
_NUMERALS = "一二三四五六七八九十"


def table_name(table: str) -> str:
    """Return 表二/表三/表四 for t2/t3/t4."""
    return {"t2": "表二", "t3": "表三", "t4": "表四"}.get(table, table)


def section_name(sid: str) -> str:
    """Return how a reader names a section: 第五部分“存在的主要问题及改进情况”."""
    sec = SECTION_BY_ID.get(sid)
    if sec is None:
        return {"preamble": "报告前言", "report": "报告全文"}.get(sid, sid)
    title = sec.canonical.split("、", 1)[-1]
    return f"第{sec.number}部分“{title}”"


def _t2_row(row: str) -> str | None:
    """Return the printed label of a table-2 row id, in either form."""
    for fmt in (FORMAT_2021, FORMAT_2019):
        for block in t2_blocks(fmt):
            for r in block.rows:
                if r.id == row:
                    return r.label
    return None


def say_locator(locator: str | None) -> str:
    """Return a locator as a reader says it: 表三“总计”列, 第五部分“…”, 报告前言.

    Unknown shapes are returned as they are (never dropped).
    """
    if not locator:
        return "报告全文"
    head, _, topic = locator.partition(":")
    if head in SECTION_BY_ID or head in ("preamble", "report"):
        return section_name(head) + (f"（{topic}）" if topic else "")
    parts = locator.split(".")
    table = parts[0]
    if len(parts) == 1:
        return table_name(table)
    described = describe_cell(locator)
    if described != locator:
        return described
    rest = ".".join(parts[1:])
    column = next((c.label for c in T3_COLUMNS if c.id == rest), None)
    if table == "t3" and column:
        return f"表三“{column}”列"
    if table == "t3" and rest in T3_ROW_BY_ID:
        return f"表三“{T3_ROW_BY_ID[rest].label}”行"
    if table == "t4" and rest in dict(T4_GROUPS):
        return f"表四“{dict(T4_GROUPS)[rest]}”"
    if table == "t2":
        label = _t2_row(parts[1])
        if label:
            return f"表二“{label}”" + ("行" if len(parts) == 2 else f"（{parts[-1]}）")
    return locator


def merge_key(finding: dict) -> tuple:
    """Return what makes findings one cause: same year, rule and table (or section).

    Several BL03 findings of table 3 (one per unbalanced column) come from one wrong table and are
    written as one line; a missing 第五部分 and a missing 第六部分 stay two lines.
    """
    where = (finding.get("locator") or "").partition(":")[0]
    return (finding["year"], finding["rule"], where.split(".")[0])


def zh_number(n: int) -> str:
    """Return 1..10 as 一..十 (list numbering in a 公文), larger numbers as digits."""
    return _NUMERALS[n - 1] if 1 <= n <= len(_NUMERALS) else str(n)


def local_time(value: str | datetime | None) -> str:
    """Return a stored UTC time as Asia/Shanghai ``YYYY-MM-DD HH:MM`` (empty for None)."""
    if not value:
        return ""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class EvidenceLine:
    """One line of evidence: where it is printed (page/line and cell), and what is printed there."""

    where: str
    text: str
    quote: bool = False  # a sentence quoted from the narrative (shown in quotation marks)


def evidence_lines(evidence: dict, limit: int = 6) -> tuple[list[EvidenceLine], int]:
    """Return the evidence to print for a finding and how many cited cells were left out.

    Cells come first, in the rule's order (the cells its condition names lead), each with where it
    is printed (``出处``: page or line, row and column); then quoted sentences and other facts.
    At most ``limit`` cells are listed; the rest are counted, for a note that the list has them all.
    """
    places = evidence.get("出处") or {}
    cells: list[EvidenceLine] = []
    others: list[EvidenceLine] = []
    for key, value in evidence.items():
        if key == "出处":
            continue
        shown = "（空）" if value is None else str(value)
        if key in places or key.startswith(("t2.", "t3.", "t4.")):
            cells.append(EvidenceLine(places.get(key) or describe_cell(key), shown))
        elif key.startswith("原文"):
            inner = key[3:-1] if key.endswith("）") else ""
            sid, _, place = inner.partition("，")
            where = "，".join(x for x in (section_name(sid) if sid else "", place) if x) or "原文"
            others.append(EvidenceLine(where, shown, quote=True))
        elif key in SECTION_BY_ID or key == "preamble":
            others.append(EvidenceLine(section_name(key), shown if value is not None else "未找到该部分"))
        else:
            others.append(EvidenceLine(key, shown))
    left_out = max(0, len(cells) - limit)
    return cells[:limit] + others, left_out


def severity_heading(index: int, severity: str) -> str:
    """Return the heading of a severity group in a notice: 一、须限期整改的问题（错误）."""
    return f"{zh_number(index)}、{SEVERITY_HEADINGS.get(severity, severity)}"
