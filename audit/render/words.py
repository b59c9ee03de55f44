"""How the outputs say things to people: statuses, severities, locators and evidence in Chinese.

Everything a notice, a list or the dashboard shows about a finding is worded here once, so the
DOCX, the HTML and the XLSX say the same. To add a wording: a function or a table here and a case
in tests/test_render_words.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.form import (
    SECTION_BY_ID,
    describe_cell,
)
from audit.form import describe_locator as say_locator
from audit.store.status import STATUS_NAMES

STATUS_CODES = {v: k for k, v in STATUS_NAMES.items()}
SEVERITY_ORDER = ("error", "warning", "info")
# How a notice heads each severity group.
SEVERITY_HEADINGS = {
    "error": "须限期整改的问题",
    "warning": "须限期整改的不规范问题",
    "info": "提示事项（不设整改时限）",
}
LEVEL_NAMES = {"government": "人民政府", "department": "政府部门", None: "层级未明"}
_NUMERALS = "一二三四五六七八九十"


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
            where = "，".join(x for x in (say_locator(sid) if sid else "", place) if x) or "原文"
            others.append(EvidenceLine(where, shown, quote=True))
        elif key in SECTION_BY_ID or key == "preamble":
            others.append(EvidenceLine(say_locator(key), shown if value is not None else "未找到该部分"))
        else:
            others.append(EvidenceLine(key, shown))
    left_out = max(0, len(cells) - limit)
    return cells[:limit] + others, left_out


def severity_heading(index: int, severity: str) -> str:
    """Return the heading of a severity group in a notice: 一、须限期整改的问题（错误）."""
    return f"{zh_number(index)}、{SEVERITY_HEADINGS.get(severity, severity)}"
