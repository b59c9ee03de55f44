"""Precision on real wording (issue K items 1, 2, 3 and 5): never accuse on a misreading.

Each test rewords a passage of a clean fixture report (tests/fixtures/reports) the way real
agencies write it and audits the whole report. The phrasings themselves are listed, with the
reading each must give, in docs/wording.md (tests/test_wording_list.py reads that list).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rewording import GOV, reworded, rules_fired

from audit.facts import build_facts
from audit.report import AuditContext
from audit.rulebook.check import check_report

# ---------------------------------------------------------------------------------------------
# 1. Several outcome categories counted together are compared with the sum of their rows

OUTCOMES = "其中，予以公开26件，部分公开6件，不予公开6件，无法提供11件，不予处理2件，其他处理1件。"


@pytest.mark.parametrize(
    "combined",
    [
        "其中，予以公开及部分公开32件，占61.5%，不予公开、无法提供共17件，不予处理2件，其他处理1件。",
        "其中予以公开和部分公开合计32件，不予公开与无法提供共计17件，不予处理2件，其他处理1件。",
        "其中，予以公开以及部分公开共32件，占办结总数的61.54%；不予公开6件，无法提供11件，不予处理、其他处理共3件。",
        "其中，予以公开、部分公开分别为26件、6件，不予公开、无法提供、不予处理分别为6件、11件、2件，其他处理1件。",
        "其中，32件予以公开或部分公开，17件不予公开或无法提供，不予处理2件，其他处理1件。",
    ],
)
def test_combined_outcomes_that_add_up_are_clean(tmp_path: Path, combined: str) -> None:
    assert rules_fired(tmp_path, GOV, (OUTCOMES, combined)) == []


def test_a_combined_count_that_differs_from_the_sum_is_one_finding_on_both_rows(tmp_path: Path) -> None:
    fired = rules_fired(
        tmp_path, GOV, (OUTCOMES, "其中，予以公开及部分公开33件，不予公开6件，无法提供11件。")
    )
    assert fired == [("NT03", "t3.granted.total+t3.partial.total")]


def test_a_share_that_does_not_match_its_count_is_found(tmp_path: Path) -> None:
    fired = rules_fired(tmp_path, GOV, (OUTCOMES, "其中，予以公开及部分公开32件，占70%，不予公开6件。"))
    assert fired == [("NT07", "t3.granted.total+t3.partial.total")]


@pytest.mark.parametrize(
    "ambiguous",
    [
        "其中，予以公开（含部分公开）33件，不予公开6件。",
        "其中，予以公开和部分公开分别为26件。",
        "其中，无法提供和本机关不掌握相关政府信息共20件。",
    ],
)
def test_an_ambiguous_combined_statement_is_counted_not_compared(tmp_path: Path, ambiguous: str) -> None:
    report = reworded(tmp_path, GOV, (OUTCOMES, ambiguous))
    assert check_report(report, AuditContext()) == []
    unread = [f for f in build_facts(report, AuditContext()) if f.type == "unread_statement"]
    assert [f.fields["kind"] for f in unread] == ["outcome"]
    assert any(k.startswith("原文") for k in unread[0].evidence)


# ---------------------------------------------------------------------------------------------
# 2. Topics from the structure of 一 first, words second; ST07 needs results, not mechanisms

PLATFORM = "（四）政府信息公开平台建设情况。优化区政府门户网站政府信息公开专栏，新设“优化营商环境”专题；加强政务新媒体管理，关停整合低效账号3个；按月编印《临河区人民政府公报》。"
SUPERVISION = "（五）监督保障情况。将政务公开工作纳入全区高质量发展综合考核，年度考核结果已在全区通报；委托第三方开展政务公开社会评议，群众满意度为96%；全年未发生因政府信息公开工作被责任追究的情况。组织全区政务公开业务培训2次。"
MANAGEMENT = "（三）政府信息管理情况。严格执行信息发布保密审查制度，"


def test_deleting_the_supervision_subsection_fires_st06_though_its_words_occur_elsewhere(
    tmp_path: Path,
) -> None:
    fired = rules_fired(
        tmp_path,
        GOV,
        (SUPERVISION, ""),
        (MANAGEMENT, "（三）政府信息管理情况。接受社会监督，开展督查考核，严格执行信息发布保密审查制度，"),
    )
    assert ("ST06", "S1:监督保障") in fired


def test_deleting_the_platform_subsection_fires_st06(tmp_path: Path) -> None:
    # 门户网站 and 专栏 still occur in （一）主动公开情况
    assert ("ST06", "S1:平台建设") in rules_fired(tmp_path, GOV, (PLATFORM, ""))


def test_topic_evidence_quotes_the_subheading(tmp_path: Path) -> None:
    facts = build_facts(reworded(tmp_path, GOV), AuditContext())
    topics = {f.fields["topic"]: f.evidence for f in facts if f.type == "s1_topic"}
    assert topics["平台建设"]["S1"].startswith("（四）政府信息公开平台建设情况")
    assert topics["监督保障"]["依据"] == "小标题"


@pytest.mark.parametrize(
    "mechanisms",
    [
        # a year, 结果 as a word and 情况 as a word are no results
        "（五）监督保障情况。2023年将政务公开工作纳入全区高质量发展综合考核，建立社会评议制度，以评议结果作为考核的重要依据，完善责任追究情况通报机制。",
        "（五）监督保障情况。将政府网站平台信息公开工作纳入全区高质量发展考核内容，促进信息公开工作持续向好，建立健全社会评议和责任追究制度。",
    ],
)
def test_mechanisms_without_results_fire_st07(tmp_path: Path, mechanisms: str) -> None:
    assert ("ST07", "S1") in rules_fired(tmp_path, GOV, (SUPERVISION, mechanisms))


@pytest.mark.parametrize(
    "results",
    [
        "（五）监督保障情况。全区政务公开工作年度考核结果为优秀等次；第三方评估显示群众满意率达98.5%；全年无被追究责任的人员。",
        "（五）监督保障情况。在全市政务公开考核中得分95分，排名第2；开展社会评议，评议结果为满意；本年度未发生政府信息公开责任追究情况。",
    ],
)
def test_results_in_other_words_satisfy_st07(tmp_path: Path, results: str) -> None:
    assert rules_fired(tmp_path, GOV, (SUPERVISION, results)) == []


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
    # the notice reported under 一（二）依申请公开 while 六 says no fee was collected
    notice = ("不予处理2件，其他处理1件。", "不予处理2件，其他处理1件，其中向申请人发出收费通知1件。")
    fee = (FEE, "（二）信息处理费收取情况。2023年本机关未收取信息处理费。")
    assert "NT06" not in {rule for rule, _ in rules_fired(tmp_path, GOV, UNPAID, notice, fee)}


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
