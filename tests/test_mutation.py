"""Mutation tests: break one cell or one narrative number of a clean report and see the right rule fire.

Every BL and NT rule is exercised through the real pipeline (parse → facts → durable-rules engine →
findings). The clean fixture reports audit clean (see test_facts); each mutation must produce the
expected finding at the expected locator — and, for the table equations, exactly the expected set
of BL findings, so a rule that fires too widely fails as well.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.form import T3_COLUMN_IDS, T4_CELLS, t3_data_rows, t3_result_leaves
from audit.parse import parse_bytes, parse_path
from audit.report import AuditContext, Report
from audit.rulebook.check import check_report

REPORTS = Path(__file__).parent / "fixtures" / "reports"
GOV = REPORTS / "clean_gov_2023.txt"
DEPT = REPORTS / "clean_dept_2023.txt"
TRIAL = REPORTS / "clean_dept_2020.txt"


@pytest.fixture(scope="module")
def gov() -> Report:
    return parse_path(GOV)


def findings(report: Report, rules: tuple[str, ...]) -> set[tuple[str, str | None]]:
    return {(f.rule, f.locator) for f in check_report(report, AuditContext()) if f.rule.startswith(rules)}


def bump(report: Report, *cell_ids: str, by: int = 1) -> Report:
    copy = report.model_copy(deep=True)
    for cid in cell_ids:
        cell = copy.cells[cid]
        assert cell.value is not None, cid
        cell.value = cell.value + by
    return copy


def edited(path: Path, find: str, replace: str) -> Report:
    text = path.read_text(encoding="utf-8")
    assert text.count(find) == 1, find
    return parse_bytes(text.replace(find, replace).encode("utf-8"), path.name)


# ---------------------------------------------------------------------------------------------
# Table equations: every cell of tables 3 and 4


def expected_bl(fmt: str, row: str, col: str) -> set[tuple[str, str]]:
    """The BL findings one incremented table-3 cell must cause."""
    out = {("BL01", f"t3.{row}")}
    if row in t3_result_leaves(fmt) or row == "result_total":
        out.add(("BL02", f"t3.result_total.{col}"))
    if row in ("new", "carry_in", "carry_out", "result_total"):
        out.add(("BL03", f"t3.{col}"))
    return out


@pytest.mark.parametrize("row", t3_data_rows("2021"))
def test_every_t3_cell_change_fires_exactly_the_broken_equations(gov: Report, row: str) -> None:
    for col in T3_COLUMN_IDS:
        got = findings(bump(gov, f"t3.{row}.{col}"), ("BL",))
        assert got == expected_bl("2021", row, col), (row, col)


def test_trial_form_table3_equations() -> None:
    report = parse_path(TRIAL)
    assert report.format == "2019"
    for row in ("other", "granted", "result_total", "carry_in"):
        got = findings(bump(report, f"t3.{row}.natural"), ("BL",))
        assert got == expected_bl("2019", row, "natural"), row


@pytest.mark.parametrize("cell", T4_CELLS)
def test_every_t4_cell_change_fires_bl04_on_its_group(gov: Report, cell: str) -> None:
    group = cell.split(".")[1]
    assert findings(bump(gov, cell), ("BL",)) == {("BL04", f"t4.{group}")}


def test_a_cell_edited_in_the_text_is_found_through_the_parser() -> None:
    report = edited(
        GOV,
        "\t\t4.保护第三方合法权益\t1\t0\t0\t0\t0\t0\t1",
        "\t\t4.保护第三方合法权益\t1\t0\t0\t0\t0\t0\t2",
    )
    assert findings(report, ("BL",)) == {
        ("BL01", "t3.denied.third_party"),
        ("BL02", "t3.result_total.total"),
    }


def test_balanced_change_of_a_whole_row_and_its_totals_fires_nothing(gov: Report) -> None:
    # one more 自然人 application granted: new, granted and result_total move together
    report = bump(
        gov,
        "t3.new.natural",
        "t3.new.total",
        "t3.granted.natural",
        "t3.granted.total",
        "t3.result_total.natural",
        "t3.result_total.total",
    )
    assert findings(report, ("BL",)) == set()


# ---------------------------------------------------------------------------------------------
# Narrative numbers against the tables


NARRATIVE_MUTATIONS = [
    ("区政府共收到政府信息公开申请50件", "区政府共收到政府信息公开申请51件", "NT01", "t3.new.total"),
    ("办结52件", "办结53件", "NT03", "t3.result_total.total"),
    ("（含上年度结转申请4件）", "（含上年度结转申请5件）", "NT03", "t3.carry_in.total"),
    ("结转下年度继续办理2件", "结转下年度继续办理1件", "NT03", "t3.carry_out.total"),
    ("予以公开26件", "予以公开27件", "NT03", "t3.granted.total"),
    ("部分公开6件", "部分公开5件", "NT03", "t3.partial.total"),
    ("不予公开6件", "不予公开7件", "NT03", "t3.denied"),
    ("无法提供11件", "无法提供10件", "NT03", "t3.unable"),
    ("不予处理2件", "不予处理3件", "NT03", "t3.not_processed"),
    ("其他处理1件", "其他处理2件", "NT03", "t3.other"),
    ("引起行政复议4件", "引起行政复议6件", "NT04", "t4.review.total"),
    ("其中结果维持2件，结果纠正1件", "其中结果维持3件，结果纠正1件", "NT04", "t4.review.upheld"),
    ("结果纠正1件，其他结果1件", "结果纠正2件，其他结果1件", "NT04", "t4.review.corrected"),
    ("行政诉讼3件", "行政诉讼4件", "NT04", "t4"),
    ("尚未审结1件", "尚未审结0件", "NT04", "t4.lit.pending"),
    ("制发行政规范性文件3件", "制发行政规范性文件4件", "NT05", "t2.norm.made"),
    ("废止2件，年末", "废止1件，年末", "NT05", "t2.norm.repealed"),
    ("现行有效行政规范性文件25件", "现行有效行政规范性文件26件", "NT05", "t2.norm.valid"),
]


@pytest.mark.parametrize(("find", "replace", "rule", "locator"), NARRATIVE_MUTATIONS)
def test_changed_narrative_number_fires(find: str, replace: str, rule: str, locator: str) -> None:
    got = findings(edited(GOV, find, replace), ("NT",))
    assert got == {(rule, locator)}


def test_table_side_changes_fire_the_narrative_rules(gov: Report) -> None:
    cases = [
        (("t3.new.natural", "t3.new.total"), ("NT01", "t3.new.total")),
        (("t3.granted.natural", "t3.granted.total"), ("NT03", "t3.granted.total")),
        (("t4.review.upheld", "t4.review.total"), ("NT04", "t4.review.total")),
        (("t4.lit_after_review.upheld", "t4.lit_after_review.total"), ("NT04", "t4")),
        (("t2.norm.valid",), ("NT05", "t2.norm.valid")),
        (("t3.other.fee_unpaid.natural", "t3.other.fee_unpaid.total"), ("NT06", "t3.other.fee_unpaid.total")),
    ]
    for cells, expected in cases:
        assert expected in findings(bump(gov, *cells), ("NT",)), cells


def test_no_applications_statement_against_a_non_zero_table() -> None:
    dept = parse_path(DEPT)
    assert findings(dept, ("NT",)) == set()
    got = findings(bump(dept, "t3.new.natural", "t3.new.total"), ("NT",))
    assert ("NT02", "t3.new.total") in got


def test_no_reviews_statement_against_a_non_zero_table() -> None:
    dept = parse_path(DEPT)
    got = findings(bump(dept, "t4.review.other", "t4.review.total"), ("NT",))
    assert got == {("NT04", "t4.review.total")}


def wrapped_like_a_pdf(text: str, width: int = 28) -> str:
    """Return the report with narrative lines wrapped and numbers spaced as PDF extraction gives them."""
    import re
    import textwrap

    out: list[str] = []
    for line in text.split("\n"):
        if "\t" in line or len(line) < 40:
            out.append(line)
            continue
        out.extend(textwrap.wrap(re.sub(r"(\d+)(件|年|条|次|个|篇)", r"\1 \2", line), width))
    return "\n".join(out)


def test_wrapped_lines_and_spaced_numbers_read_the_same() -> None:
    text = wrapped_like_a_pdf(GOV.read_text(encoding="utf-8"))
    assert "50 件" in text
    assert check_report(parse_bytes(text.encode("utf-8"), "wrapped.txt"), AuditContext()) == []
    broken = text.replace("政府信息公开申请50 件", "政府信息公开申请45 件").replace(
        "予以公开26", "予以公开27"
    )
    got = findings(parse_bytes(broken.encode("utf-8"), "wrapped.txt"), ("NT",))
    assert got == {("NT01", "t3.new.total"), ("NT03", "t3.granted.total")}
