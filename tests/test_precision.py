"""Precision on real wording (issue K items 1, 2, 3 and 5): never accuse on a misreading.

Each test rewords a passage of a clean fixture report (tests/fixtures/reports) the way real
agencies write it and audits the whole report. The phrasings themselves are listed, with the
reading each must give, in docs/wording.md (tests/test_wording_list.py reads that list).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rewording import GOV, reworded, rules_fired

from audit.report import AuditContext
from audit.rulebook.check import check_report

# ---------------------------------------------------------------------------------------------
# 3. Fee wording: "no fee" while table 3 counts an applicant who did not pay a 收费通知

FEE = "（二）信息处理费收取情况。2023年本机关未发出收费通知，未收取信息处理费。"
FEE_ROW = "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0"
UNPAID = (FEE_ROW, FEE_ROW.replace("\t0\t0\t0\t0\t0\t0\t0", "\t1\t0\t0\t0\t0\t0\t1"))


@pytest.mark.parametrize(
    "wording",
    [
        "（二）信息处理费收取情况。2023年本机关未收取信息处理费。",
        "（二）信息处理费收取情况。本年度不涉及收费。",
        "（二）信息处理费收取情况。2023年未产生信息处理费。",
        "（二）信息处理费收取情况。本机关未向申请人收取任何费用。",
    ],
)
def test_no_fee_wording_contradicts_an_unpaid_fee_notice(tmp_path: Path, wording: str) -> None:
    assert ("NT06", "t3.other.fee_unpaid.total") in rules_fired(tmp_path, GOV, UNPAID, (FEE, wording))
    assert rules_fired(tmp_path, GOV, (FEE, wording)) == []


def test_a_fee_statement_that_reports_the_notice_is_no_contradiction(tmp_path: Path) -> None:
    wording = "（二）信息处理费收取情况。本年度发出收费通知1件，申请人逾期未缴纳，未收取信息处理费。"
    assert "NT06" not in {rule for rule, _ in rules_fired(tmp_path, GOV, UNPAID, (FEE, wording))}


# ---------------------------------------------------------------------------------------------
# 5. One finding per defect instance: a cell FM05 explains is not also missing


def test_an_amount_printed_in_yuan_is_fm05_only(tmp_path: Path) -> None:
    fired = rules_fired(tmp_path, GOV, ("行政事业性收费\t35.6", "行政事业性收费\t251000元"))
    assert fired == [("FM05", "t2.fee.amount")]


def test_a_fractional_count_is_fm05_only(tmp_path: Path) -> None:
    row = "3.危及“三安全一稳定”\t1\t0\t0\t0\t0\t0\t1"
    fired = rules_fired(tmp_path, GOV, (row, row.replace("\t1\t0", "\t1.5\t0", 1)))
    assert fired == [("FM05", "t3.denied.security_stability.natural")]


def test_a_missing_cell_beside_a_malformed_one_is_still_missing(tmp_path: Path) -> None:
    report = reworded(
        tmp_path, GOV, ("行政事业性收费\t35.6", "行政事业性收费\t251000元"), ("行政强制\t12", "行政强制\t-")
    )
    st03 = [f for f in check_report(report, AuditContext()) if f.rule == "ST03"]
    assert len(st03) == 1
    assert "缺失1个" in st03[0].message and "行政强制" in st03[0].message
    assert "行政事业性收费" not in st03[0].message
