"""Clean reports reworded the way real agencies phrase them must still audit clean.

Each case rewrites one passage of a clean fixture (tests/fixtures/reports) with a wording seen in
real reports and checks the whole report: no finding may appear. The negative cases next to them
keep the detectors sharp (a real defect in the same wording is still found).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rewording import DEPT, GOV, rules_fired

from audit.facts.content import is_nil
from audit.facts.narrative.appeals import appeal_statements
from audit.facts.narrative.fees import fee_denials
from audit.facts.years import key_points_year

KEY_POINTS = "（一）2023年政务公开工作要点落实情况。按照《2023年政务公开工作要点》，"
PERIOD = "本报告所列数据统计期限自2023年1月1日起至2023年12月31日止。"
GAZETTE = "按月编印《临河区人民政府公报》。"
APPEALS = (
    "全年因政府信息公开引起行政复议4件，其中结果维持2件，结果纠正1件，其他结果1件；"
    "行政诉讼3件，其中结果维持2件，尚未审结1件。"
)
RECEIVED = "2023年，区政府共收到政府信息公开申请50件，上年结转4件；"
MANAGEMENT = (
    "（三）政府信息管理情况。严格执行信息发布保密审查制度，落实公开属性源头认定机制，"
    "对拟公开信息实行“先审查、后公开”，全年未发生泄密事件。动态调整主动公开目录，清理过时失效信息120条。"
)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # 要点 implemented as the year's 政务公开工作任务
        (KEY_POINTS, "（一）落实上级年度政务公开工作任务情况。按照省市部署，"),
        # next year's 要点 named in a plan before this year's
        (KEY_POINTS, "（一）关于工作要点落实。下一步将认真落实2024年政务公开工作要点。今年，"),
        # statistical period written in Chinese numerals
        (PERIOD, "本报告所列数据统计期限自二〇二三年一月一日起至二〇二三年十二月三十一日止。"),
        # platform names, file formats, account ids
        (GAZETTE, "按月编印公报，开通Android、iOS客户端，提供csv、xlsx格式数据下载。"),
        (GAZETTE, "按月编印公报，上线“一网通办”Pro版，接入Kimi智能问答助手。"),
        (GAZETTE, "按月编印公报，在抖音、快手、bilibili等平台开设账号。"),
        (GAZETTE, "按月编印公报，微信公众号“临河发布”（ID：linhefabu）关注人数达12万。"),
        (GAZETTE, "按月编印公报，在微信公众号、微博、抖音号（linhe_fb）同步发布。"),
        # counts given "respectively" for review and lawsuit
        (APPEALS, "全年政府信息公开行政复议、行政诉讼案件分别为4件、3件。"),
        # the whole district's applications next to this organ's own
        (
            RECEIVED,
            "2023年，全区各级行政机关共收到政府信息公开申请320件，其中区政府本级收到50件，上年结转4件；",
        ),
        (RECEIVED, "2023年，区政府共收到政府信息公开申请50件，同时各部门收到申请120件，上年结转4件；"),
        # 政府信息管理 worded as review before publication
        (MANAGEMENT, "（三）规范信息发布。严格执行政府信息公开前审查机制，动态更新政策文件库。"),
    ],
)
def test_real_wording_is_clean(tmp_path: Path, old: str, new: str) -> None:
    assert rules_fired(tmp_path, GOV, (old, new)) == []


@pytest.mark.parametrize(
    ("old", "new", "finding"),
    [
        (KEY_POINTS, "（一）政务公开工作要点落实情况。按照《2022年政务公开工作要点》，", ("FM07", "S6")),
        (
            PERIOD,
            "本报告所列数据统计期限自二〇二二年一月一日起至二〇二二年十二月三十一日止。",
            ("FM07", "preamble"),
        ),
        (GAZETTE, "按月编印公报，完善各项 workflows。", ("FM06", "S1")),
        (KEY_POINTS, "（一）年度重点工作。按照省市部署，", ("ST11", "S6")),
        (APPEALS, "全年政府信息公开行政复议、行政诉讼案件分别为3件、3件。", ("NT04", "t4.review.total")),
        (
            RECEIVED,
            "2023年，区政府共收到政府信息公开申请48件，同时各部门收到申请120件，上年结转4件；",
            ("NT01", "t3.new.total"),
        ),
    ],
)
def test_defects_in_real_wording_are_still_found(
    tmp_path: Path, old: str, new: str, finding: tuple[str, str]
) -> None:
    assert finding in rules_fired(tmp_path, GOV, (old, new))


def test_key_points_year_prefers_the_report_year() -> None:
    text = "下一步将落实2024年政务公开工作要点。今年按照《2023年政务公开工作要点》完成各项任务。"
    assert key_points_year(text, 2023)[1] == 2023
    assert key_points_year("下一步将认真落实2024年政务公开工作要点。", 2023)[1] is None
    assert key_points_year("按照《2022年政务公开工作要点》完成各项任务。", 2023)[1] == 2022


def test_respectively_pairs_counts_with_groups_in_order() -> None:
    got = {
        (st.what, st.value)
        for st in appeal_statements("因政府信息公开引起的行政复议、行政诉讼分别为2件、1件。", "S1", 2023)
    }
    assert got == {("appeal:review:total", 2), ("appeal:litigation:total", 1)}
    got = {
        (st.what, st.value)
        for st in appeal_statements("因政府信息公开引起的行政复议、行政诉讼分别为0件。", "S1", 2023)
    }
    assert got == {("appeal:review:total", 0), ("appeal:litigation:total", 0)}


S6_DEPT = "（一）2023年政务公开工作要点落实情况。按照区政务公开工作要点，完成涉企信息公开等任务12项。\n\n（二）信息处理费收取情况。2023年未收取信息处理费。"


@pytest.mark.parametrize(
    "nil",
    ["本单位无需要说明的其他事项。", "暂无其他需要报告事项。", "本机关2023年度没有其他需要报告的事项。"],
)
def test_nil_section_six_in_other_words_is_st12_only(tmp_path: Path, nil: str) -> None:
    assert rules_fired(tmp_path, DEPT, (S6_DEPT, nil)) == [("ST12", "S6")]


@pytest.mark.parametrize("text", ["无收费情况。", "本年度未收取信息处理费。", "无。联系电话：0571-88886666"])
def test_section_six_with_content_is_not_nil(text: str) -> None:
    assert not is_nil(text)


@pytest.mark.parametrize(
    "text",
    [
        "本年度政府信息公开行政复议、行政诉讼均为零。",
        "因政府信息公开被申请行政复议、提起行政诉讼的数量均为0。",
        "全年政府信息公开类行政复议和诉讼案件数为0。",
        "全年政府信息公开工作零行政复议、零行政诉讼。",
    ],
)
def test_no_appeals_in_other_words_is_checked_against_table_four(tmp_path: Path, text: str) -> None:
    fired = rules_fired(tmp_path, GOV, (APPEALS, text))
    assert ("NT04", "t4.review.total") in fired


def test_one_count_for_review_and_lawsuit_together_is_not_the_lawsuits(tmp_path: Path) -> None:
    for text in (
        "因政府信息公开引起行政复议和行政诉讼共3件。",
        "因政府信息公开被申请行政复议和提起行政诉讼3件。",
    ):
        assert appeal_statements(text, "S1", 2023) == []
    assert rules_fired(tmp_path, GOV, (APPEALS, "因政府信息公开引起行政复议和行政诉讼共7件。")) == []


FEE = "（二）信息处理费收取情况。2023年本机关未发出收费通知，未收取信息处理费。"
FEE_ROW = "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0"


def test_zero_fee_notices_contradict_an_unpaid_fee_in_table_three(tmp_path: Path) -> None:
    unpaid = (FEE_ROW, FEE_ROW.replace("\t0\t0\t0\t0\t0\t0\t0", "\t1\t0\t0\t0\t0\t0\t1"))
    fee = (FEE, "（二）信息处理费收取情况。本年度发出收费通知0件，收取信息处理费0元。")
    assert "NT06" in {rule for rule, _ in rules_fired(tmp_path, GOV, unpaid, fee)}
    assert not fee_denials("本年度发出收费通知10件，收取信息处理费0.2万元。", "S6")


@pytest.mark.parametrize(
    "period",
    [
        "本报告所列数据统计期为2023年度。",
        "本报告数据时间范围为2023年01月01日至2023年12月31日。",
        "本报告数据自2023年1月1日0时起至2023年12月31日24时止。",
    ],
)
def test_statistical_period_in_other_words(tmp_path: Path, period: str) -> None:
    assert rules_fired(tmp_path, GOV, (PERIOD, period)) == []
