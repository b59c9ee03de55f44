"""Precision on real wording (issue K items 1, 2, 3 and 5): never accuse on a misreading.

Each test rewords a passage of a clean fixture report (tests/fixtures/reports) the way real
agencies write it and audits the whole report. The phrasings themselves are listed, with the
reading each must give, in docs/wording.md (tests/test_wording_list.py reads that list).
"""

from __future__ import annotations

from pathlib import Path

from rewording import GOV, reworded, rules_fired

from audit.report import AuditContext
from audit.rulebook.check import check_report

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
