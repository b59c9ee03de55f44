"""The coverage record of a checked report: evaluated, not applicable and why, not evaluated and why."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from audit.parse import parse_bytes, parse_path
from audit.render.notice import coverage_sentences
from audit.report import AuditContext, Report
from audit.rulebook.check import evaluate
from audit.store import coverage

REPORTS = Path(__file__).parent / "fixtures" / "reports"
STORE = Path(__file__).parent / "fixtures" / "store"


def _coverage(report: Report, ctx: AuditContext | None = None) -> dict:
    ctx = ctx or AuditContext()
    return coverage.build(report, ctx, evaluate(report, ctx), report.model_dump(mode="json"))


def test_a_clean_report_is_complete_and_says_what_did_not_apply() -> None:
    report = parse_path(REPORTS / "clean_dept_2023.txt")
    cov = _coverage(report, AuditContext(published_on=date(2024, 1, 20)))
    assert cov["complete"] and not cov["not_evaluated"] and not cov["gaps"]
    assert cov["not_applicable"]["ST07"] == "仅适用于人民政府"
    assert cov["not_applicable"]["CY01"].startswith("库中没有同一机关上一年度的年报")
    assert cov["not_applicable"]["CY06"] == "上一年度没有已印发整改通知且尚未整改的问题"
    assert "TL01" in cov["evaluated"] and "CY05" in cov["evaluated"]  # no copy found: looked, nothing
    assert "TL01" in _coverage(report)["not_applicable"]  # no 发布日期: not checked
    assert set(cov["evaluated"]) | set(cov["not_applicable"]) == {r for r in evaluate(report).catalog.by_id}
    (line,) = coverage_sentences([{**cov, "year": 2023, "evaluated": len(cov["evaluated"])}])
    assert line.startswith(f"2023年度报告各部分和表格均已读取，适用的{len(cov['evaluated'])}条规则已检查")
    assert "ST07不适用（仅适用于人民政府）" in line


def test_an_unread_table_leaves_its_rules_not_evaluated() -> None:
    text = (STORE / "y2024.txt").read_text(encoding="utf-8")
    start, end = text.index("三、收到和处理政府信息公开申请情况"), text.index("四、政府信息公开行政复议")
    report = parse_bytes(
        (text[:start] + "三、收到和处理政府信息公开申请情况\n\n" + text[end:]).encode(), "r.txt"
    )
    cov = _coverage(report)
    assert not cov["complete"]
    assert {"BL01", "BL02", "BL03", "NT01"} <= set(cov["not_evaluated"])
    assert cov["not_evaluated"]["BL03"].startswith("未能读取表三")
    assert "BL04" in cov["evaluated"]  # table 4 was read
    # the rows of a table that was not found are not listed one by one
    assert [g["kind"] for g in cov["gaps"]] == ["missing_table"]
    (line,) = coverage_sentences([{**cov, "year": 2024, "evaluated": len(cov["evaluated"])}])
    assert line.startswith("2024年度报告未能完整审核：未能读取表三，相关勾稽关系未检查；")
    assert "BL01、BL02、BL03" in line and line.endswith("未检查的部分不视为合格。")


def test_an_unreadable_report_evaluates_only_the_document_rules() -> None:
    report = Report(
        source="scan.pdf", year=2024, level="department", readable=False, unreadable_reason="扫描件"
    )
    cov = _coverage(report)
    assert not cov["complete"] and cov["gaps"][0]["kind"] == "unreadable"
    assert cov["not_evaluated"]["BL03"] == "报告无法机读"
    assert "TL03" in cov["evaluated"] and "TL03" not in cov["not_evaluated"]
