"""Genre: is a parsed document a 政府信息公开工作年度报告 at all?

A meeting notice, a list page, a news item or an e-mail is not audited as a report: it would
collect a pile of “missing section” findings that say nothing. The verdict comes from the form
itself — the report title, the six sections, the three tables — never from the file name:

- a report: its printed title names a 政府信息公开（工作）年度报告, or the body shows at least
  :data:`MIN_SECTIONS` of the six sections, or at least one of the form's tables;
- not a report: readable text with none of that (a title alone, without any section or table, is a
  page that announces the report, e.g. the HTML page an attachment hangs from);
- unknown: an unreadable document (no text layer, broken fonts) cannot be judged from its text;
  it is treated as the report it claims to be (TL03 then says it cannot be read).

To change what counts: adjust the thresholds here and the cases in tests/test_genre.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.report import Report

MIN_SECTIONS = 3  # sections of the form that make a body a report even without a title
MIN_CELLS = 10  # table values that make a document a report even without title or sections


@dataclass(frozen=True)
class Verdict:
    """Whether a document is an annual report (``None``: cannot tell) and why, in Chinese."""

    is_report: bool | None
    reason: str


def judge(report: Report) -> Verdict:
    """Return whether ``report`` is a 政府信息公开工作年度报告, from its title, sections and tables."""
    if not report.readable:
        return Verdict(None, "文档无法机读，无法判断是否为年报")
    sections = sum(1 for s in report.sections.values() if s.present)
    values = sum(1 for c in report.cells.values() if c.value is not None)
    tables = len(report.tables_found)
    if sections >= MIN_SECTIONS or (tables and values >= MIN_CELLS):
        return Verdict(True, f"识别出{sections}个部分、{tables}张统计表")
    if report.title and (sections or values):
        return Verdict(True, f"标题为“{report.title}”")
    if report.title:
        why = f"只有年报标题“{report.title}”，未见年报正文和统计表（可能是附件的发布页）"
    else:
        why = f"未见年报标题，六个部分只识别出{sections}个，未见规定的统计表"
    return Verdict(False, f"不是政府信息公开工作年度报告：{why}")
