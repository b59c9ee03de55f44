"""Findings on table cells say where the cells are printed."""

from __future__ import annotations

from pathlib import Path

from audit.parse import parse_bytes
from audit.rulebook.check import check_report

CLEAN = Path(__file__).resolve().parent / "fixtures" / "reports" / "clean_dept_2023.txt"


def test_table_finding_evidence_names_line_row_and_column() -> None:
    text = CLEAN.read_text(encoding="utf-8")
    lines = text.splitlines()
    (i,) = [n for n, line in enumerate(lines) if line.startswith("四、结转下年度继续办理")]
    cells = lines[i].split("\t")
    cells[-1] = str(int(cells[-1]) + 5)  # 总计 of 结转下年度 no longer balances
    lines[i] = "\t".join(cells)
    report = parse_bytes("\n".join(lines).encode("utf-8"), "r.txt")
    findings = [f for f in check_report(report) if f.rule == "BL01" and f.locator == "t3.carry_out"]
    assert findings, [f.rule for f in check_report(report)]
    where = findings[0].evidence["出处"]
    assert where["t3.carry_out.total"] == f"第{i + 1}行 “四、结转下年度继续办理”行“总计”列"
