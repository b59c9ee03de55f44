"""Numbers, topics, years and artefacts read from the narrative (audit.facts.narrative).

The phrasings below are the ways real reports word these things (several taken from the seeds and
the 淮安 PDFs, the others from the usual variants of other agencies); each negative is a sentence a
naive reader would misread.
"""

from __future__ import annotations

import re

import pytest

from audit.facts.artefacts import artefacts
from audit.facts.content import last_year_rectification, measures_quote
from audit.facts.history import similarity
from audit.facts.narrative.appeals import appeal_statements
from audit.facts.narrative.applications import application_statements, none_received
from audit.facts.narrative.documents import t2_statements
from audit.facts.narrative.fees import fee_denials
from audit.facts.topics import OVERSIGHT, TOPIC_PATTERNS, result_quote, subsections, topic_evidence
from audit.facts.years import key_points_year, opening_year, statistical_period
from audit.text import norm, to_int


def has(pattern: str, sentence: str) -> bool:
    return re.search(pattern, norm(sentence)) is not None


def counts(text: str, year: int = 2023) -> set[tuple[str, int | None, str]]:
    return {(s.what, s.value, s.column) for s in application_statements(text, "S1", year)}


def appeals(text: str, year: int = 2023) -> set[tuple[str, int | None]]:
    return {(s.what, s.value) for s in appeal_statements(text, "S1", year)}


def t2(text: str, year: int = 2023) -> set[tuple[str, int | None]]:
    return {(s.what, s.value) for s in t2_statements(text, "S1", year)}


# ---------------------------------------------------------------------------------------------
# Applications (NT01–NT03)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024 年，全市共受理政府信息公开申请 3119 件，答复 3050 件。", ("new", 3119, "total")),
        (
            "2023年，石嘴山市人民政府办公室共收到政府信息公开申请12件，均规范及时办理答复。",
            ("new", 12, "total"),
        ),
        (
            "2024 年，区政府办代表区政府受理政府信息公开申请 17 件，均已在法定期限内予以答复。",
            ("new", 17, "total"),
        ),
        ("截至目前，共收到自然人申请的政府信息公开申请 8 件，均已及时办理答复。", ("new", 8, "natural")),
        ("本年度新收政府信息公开申请5件，上年结转1件。", ("new", 5, "total")),
        ("全年共受理依申请公开事项 8 件。", ("new", 8, "total")),
        ("我局收到并办理政府信息公开申请 3 件。", ("new", 3, "total")),
        ("受理政府信息公开申请数量为二十件。", ("new", 20, "total")),
        ("全年共受理政府信息公开申请 1,203 件。", ("new", 1203, "total")),
        ("收到政府信息公开申请54件（含上年度结转申请4件）。", ("new_plus_carry", 54, "total")),
        ("办理政府信息公开申请 20 件（含上年结转 2 件）。", ("new_plus_carry", 20, "total")),
    ],
)
def test_application_counts_are_read_with_what_they_count(text: str, expected: tuple) -> None:
    assert expected in counts(text)


@pytest.mark.parametrize(
    "text",
    [
        "受理政府信息公开申请同比增长20%，达到 120 件。",
        "依申请公开数量较2022年的21件有所下降。",
        "全年受理行政许可申请 1200 件。",
        "12345 热线受理群众诉求 10965 件。",
        "办理政府信息公开申请 20 件。",  # 办理 without 含上年结转: new or new + carry-over
        "收到法人或其他组织提出的政府信息公开申请 3 件。",  # one applicant group, not the total
        "除上述申请外，县政府办公室受理其他政府信息公开申请 4 件。",
        "全年收到人大代表建议 58 件、政协委员提案 73 件。",
    ],
)
def test_ambiguous_or_foreign_counts_are_not_read(text: str) -> None:
    assert not {c for c in counts(text) if c[0] in ("new", "new_plus_carry")}


def test_answered_is_the_result_total_and_the_parenthesis_gives_carry_over() -> None:
    text = (
        "2024 年，全市共受理政府信息公开申请 3119 件，答复 3050 件（含上年度结转申请 34 件，"
        "另有 103 件顺延到下年度答复），均在法定期限内予以答复。"
    )
    got = counts(text, 2024)
    assert ("new", 3119, "total") in got
    assert ("answered", 3050, "total") in got
    assert ("carry_in", 34, "total") in got
    assert ("carry_out", 103, "total") in got
    assert not any(c[0] == "new_plus_carry" for c in got)


def test_outcomes_continue_the_application_paragraph() -> None:
    text = (
        "（二）依申请公开情况。2023年共收到政府信息公开申请50件；办结52件，结转下年度继续办理2件。"
        "其中，予以公开26件，部分公开6件，不予公开6件，无法提供11件，不予处理2件，其他处理1件，"
        "3件属于本机关不掌握相关政府信息。\n（三）政府信息管理情况。全年全部公开政策文件12件。"
    )
    got = counts(text)
    for what, value in [
        ("answered", 52),
        ("carry_out", 2),
        ("outcome:granted", 26),
        ("outcome:partial", 6),
        ("outcome:denied", 6),
        ("outcome:unable", 11),
        ("outcome:not_processed", 2),
        ("outcome:other", 1),
        ("outcome:unable.not_held", 3),
    ]:
        assert (what, value, "total") in got
    assert len([c for c in got if c[1] == 12]) == 0  # the next block is not about applications


@pytest.mark.parametrize(
    "text",
    [
        "2022年本机关未收到政府信息公开申请。",
        "2024年未收到和处理政府信息公开申请，无针对本部门有关政府信息公开事务的行政复议。",
        "本年度没有收到公民、法人或其他组织的政府信息公开申请。",
        "全年无政府信息公开申请。",
    ],
)
def test_no_applications_statements(text: str) -> None:
    assert none_received(text, "S1")


@pytest.mark.parametrize(
    "text",
    [
        "2022年未收到申请超出一定数量或者频次范围的政府信息公开申请，未收取信息处理费。",
        "未收到针对政府信息公开申请办理的投诉举报。",
        "除上述申请外，未收到其他政府信息公开申请。",
    ],
)
def test_no_application_lookalikes(text: str) -> None:
    assert not none_received(text, "S1")


# ---------------------------------------------------------------------------------------------
# Reviews and lawsuits (NT04)


def test_review_and_lawsuit_breakdown_like_huaian() -> None:
    text = (
        "政府信息公开行政复议 351 件，其中结果维持 72 件，结果纠正 64 件，其他结果 178 件，尚未审结 37 件；"
        "政府信息公开行政诉讼 46 件，其中结果维持 25 件，结果纠正 5 件，其他结果 9 件，尚未审结 7 件。"
    )
    got = appeals(text, 2024)
    assert {
        ("appeal:review:total", 351),
        ("appeal:review:upheld", 72),
        ("appeal:review:corrected", 64),
        ("appeal:review:other", 178),
        ("appeal:review:pending", 37),
        ("appeal:litigation:total", 46),
        ("appeal:litigation:upheld", 25),
        ("appeal:litigation:corrected", 5),
        ("appeal:litigation:other", 9),
        ("appeal:litigation:pending", 7),
    } <= got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("因政府信息公开申请引发行政复议1件，申请人后撤销行政复议。", {("appeal:review:total", 1)}),
        (
            "2023 年因政府信息公开依申请公开引起行政复议 0 件，行政诉讼 0 件。",
            {("appeal:review:total", 0), ("appeal:litigation:total", 0)},
        ),
        (
            "发生政府信息公开行政复议案件2件、行政诉讼案件1件。",
            {("appeal:review:total", 2), ("appeal:litigation:total", 1)},
        ),
        (
            "因政府信息公开引起的行政复议、行政诉讼均为0件。",
            {("appeal:review:total", 0), ("appeal:litigation:total", 0)},
        ),
        (
            "政府信息公开类行政复议和行政诉讼各1件。",
            {("appeal:review:total", 1), ("appeal:litigation:total", 1)},
        ),
        (
            "也没有政府信息公开行政复议和行政诉讼情况。",
            {("none_appeal:review", 0), ("none_appeal:litigation", 0)},
        ),
        (
            "未发生因政府信息公开引起的行政复议、行政诉讼。",
            {("none_appeal:review", 0), ("none_appeal:litigation", 0)},
        ),
        ("因政府信息公开被未经复议直接起诉2件。", {("appeal:lit_direct:total", 2)}),
    ],
)
def test_review_and_lawsuit_wordings(text: str, expected: set) -> None:
    assert expected <= appeals(text)


@pytest.mark.parametrize(
    "text",
    [
        "下一步将规范答复文书，降低行政复议、行政诉讼发生率。",
        "全年办理行政复议案件120件，纠错率10%。",
        "公开行政复议决定书、行政复议终止决定书 65 件，推进政府信息公开。",
        "涉及政府信息公开的行政复议案件较上年减少 2 件。",
    ],
)
def test_review_lookalikes_yield_nothing(text: str) -> None:
    assert not {a for a in appeals(text) if not a[0].startswith("none")}


# ---------------------------------------------------------------------------------------------
# 规章 / 行政规范性文件 (NT05)


def test_clean_up_counts_keep_the_noun_of_the_sentence() -> None:
    text = (
        "按程序主动公开规范性文件 3 件，全面集中清理 2002 年以来现行有效的行政规范性文件，保留 27 件，"
        "宣布失效和废止 25 件，修改 7 件。"
    )
    got = t2(text, 2022)
    assert ("t2:norm:valid", 27) in got
    assert ("t2:norm:repealed", 25) in got
    assert not any(v == 3 for _, v in got)  # 公开 is not 制发


def test_policy_documents_are_not_normative_documents() -> None:
    text = "全年新增公开市政府规章 1 件、市政府及市政府办政策性文件 11 件，印发政策性文件 8 件。"
    assert t2(text, 2024) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "全年制发行政规范性文件 5 件，废止 2 件，现行有效 46 件。",
            {("t2:norm:made", 5), ("t2:norm:repealed", 2), ("t2:norm:valid", 46)},
        ),
        ("出台规章 1 件。", {("t2:reg:made", 1)}),
        ("全年制定市政府规章2件，废止1件。", {("t2:reg:made", 2), ("t2:reg:repealed", 1)}),
        ("印发区政府行政规范性文件3件。", {("t2:norm:made", 3)}),
        ("目前现行有效规范性文件 30 件。", {("t2:norm:valid", 30)}),
    ],
)
def test_document_counts(text: str, expected: set) -> None:
    assert expected <= t2(text)


# ---------------------------------------------------------------------------------------------
# Fees (NT06), topics, years, artefacts


def test_fee_denials_only_when_notices_or_fees_are_denied() -> None:
    assert fee_denials("2023年本机关未发出收费通知，未收取信息处理费。", "S6")
    assert fee_denials("本年度不涉及信息处理费收取。", "S6")
    assert fee_denials("2023年未收取信息处理费。", "S6")
    assert fee_denials("全年收取政府信息公开信息处理费 0 元。", "S6")
    assert not fee_denials("发出收费通知1件，申请人逾期未缴纳，未收取信息处理费。", "S6")
    assert not fee_denials("本年度发出收费通知2件。全年未收取信息处理费。", "S6")
    assert not fee_denials("全年收取信息处理费3940元。", "S6")


def test_topic_patterns_use_topics_not_numbering() -> None:
    s1 = "一是强化保密审查，落实公开属性源头认定；二是优化政府网站专栏；三是开展督查考核。"
    assert has(TOPIC_PATTERNS["政府信息管理"], s1)
    assert has(TOPIC_PATTERNS["平台建设"], s1)
    assert has(TOPIC_PATTERNS["监督保障"], s1)
    assert not has(TOPIC_PATTERNS["依申请公开"], s1)
    # 网络信息管理 is not 政府信息管理 (seed 004)
    assert not has(TOPIC_PATTERNS["政府信息管理"], "负责信息整合、网络信息管理等有关工作")


def test_subsections_of_one_and_what_they_claim() -> None:
    s1 = (
        "2023年，我局持续推进政务公开。\n（一）主动公开情况。一是通过门户网站发布信息；二是开展政策解读。\n"
        "（二）依申请公开情况。收到申请3件。\n（三）其他工作。优化政务新媒体。"
    )
    lead, subs = subsections(s1)
    assert lead == "2023年,我局持续推进政务公开。\n"
    assert [(x.style, x.heading) for x in subs] == [
        ("paren", "(一)主动公开情况"),
        ("ordinal", "一是通过门户网站发布信息"),
        ("ordinal", "二是开展政策解读"),
        ("paren", "(二)依申请公开情况"),
        ("paren", "(三)其他工作"),
    ]
    # 一是 names 平台建设 itself; 二是 is 主动公开's text; （三） claims nothing
    assert [x.claimed for x in subs] == [["主动公开"], ["平台建设"], ["主动公开"], ["依申请公开"], []]
    found = topic_evidence(s1)
    assert found["主动公开"] == ("小标题", "(一)主动公开情况")
    assert found["平台建设"] == ("小标题", "一是通过门户网站发布信息")
    assert "政府信息管理" not in found


def test_topic_words_count_only_outside_the_subsections_of_other_topics() -> None:
    s1 = "（一）主动公开情况。通过门户网站主动公开信息120条。\n（二）监督保障情况。开展培训2次。"
    assert "平台建设" not in topic_evidence(s1)
    s1 = "全年优化政府网站栏目。\n（一）主动公开情况。主动公开信息120条。"
    assert topic_evidence(s1)["平台建设"] == ("正文用语", "全年优化政府网站栏目")
    # no numbered structure at all: words anywhere
    assert topic_evidence("我局主动公开信息120条，优化政府网站，开展培训。").keys() == {
        "主动公开",
        "平台建设",
        "监督保障",
    }


def test_last_year_rectification() -> None:
    assert last_year_rectification("针对上年度年报指出的问题，已全部整改到位。", 2023)
    assert last_year_rectification("对照2022年度报告中的不足，逐项进行了改进。", 2023)
    assert not last_year_rectification("针对以上问题，主要从以下几方面进行了改进。", 2023)
    assert not last_year_rectification("上年结转申请均已办结。", 2023)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("本报告所列数据统计期限自 2024 年 1 月 1 日起至 2024 年 12 月 31 日止。", 2024),
        ("本报告统计数据从2022年1月1日至12月31日。", 2022),
        ("本报告中所列数据的统计期限为2023年度。", 2023),
        ("统计时段为2021年1月至12月。", 2021),
    ],
)
def test_statistical_period(text: str, year: int) -> None:
    phrase, got = statistical_period(text)
    assert phrase and got == year


def test_years_of_opening_and_key_points() -> None:
    assert opening_year("2023 年，我局认真落实……")[1] == 2023
    assert opening_year("2021年以来，我局按照……")[1] == 2021
    assert opening_year("我局认真落实……")[1] is None
    assert key_points_year("（一）2023 年政务公开工作要点落实情况")[1] == 2023


@pytest.mark.parametrize(
    ("text", "latin", "markdown", "placeholders"),
    [
        ("使全体人员掌握政务公开各项规章制度和 workflows；", ["workflows"], 0, 0),
        ("群众关心的问题 and 政策咨询共计 10965 条", ["and"], 0, 0),
        ("**一是**紧扣工作实际", [], 2, 0),
        ("XX局于××年印发通知，此处填写内容", [], 0, 3),
        ("电子邮箱：hazwgkc@163.com，网址 www.example.gov.cn", [], 0, 0),
        ("通过“中卫信访”手机APP平台和 40 块 LED 显示屏、3 台 AI 机器人", [], 0, 0),
        ("新区行政中心 B2 区设有窗口，推进5G网络和政务App建设，导出PDF文件", [], 0, 0),
    ],
)
def test_artefacts(text: str, latin: list[str], markdown: int, placeholders: int) -> None:
    found = artefacts(text)
    assert found.latin == latin
    assert len(found.markdown) == markdown
    assert len(found.placeholders) == placeholders


def test_similarity_ignores_headings_and_template_sentences() -> None:
    a = "（一）存在的主要问题。一是政策解读形式单一，图解视频偏少。\n（二）改进措施。下一步将丰富解读形式，推行同步解读。"
    b = "（一）主要问题。一是政策解读形式单一，图解视频偏少。\n（二）下一步措施。下一步将丰富解读形式，推行同步解读。"
    assert similarity(a, b) > 0.9
    assert similarity(a, "依申请公开答复文书规范性有待提升，队伍建设需要加强，培训次数偏少。") < 0.5


def test_numbers_with_spaces_and_chinese_numerals() -> None:
    assert to_int("1,203") == 1203
    assert to_int("十二") == 12
    assert to_int("两") == 2
    assert to_int("一百零五") == 105
    assert norm("12 件 2024 年") == "12件2024年"


def test_answers_to_enquiries_are_not_application_results() -> None:
    text = (
        "（二）依申请公开情况。共收到政府信息公开申请12件，均已答复。同时，通过12345热线答复群众咨询200件。"
    )
    assert not any(c[0] == "answered" for c in counts(text))


def test_camel_case_brand_names_are_not_artefacts() -> None:
    assert artefacts("通过iPhone和WeChat客户端以及 workflow 办理").latin == ["workflow"]


def test_needs_are_problems_not_measures() -> None:
    assert measures_quote("一是主动公开质量需要加强；二是业务能力有待进一步提升。") == ""
    assert measures_quote("存在问题：队伍不稳定。下一步，我局将加强培训。")


@pytest.mark.parametrize(
    "text",
    [
        "全年未发生因政府信息公开答复不规范引发行政复议的情况。",
        "未出现政府信息公开行政复议被纠错的情况。",
        "未发生政府信息公开行政诉讼败诉案件。",
    ],
)
def test_qualified_denials_are_not_no_reviews(text: str) -> None:
    assert not {a for a in appeals(text) if a[0].startswith("none")}


@pytest.mark.parametrize(
    "text",
    [
        "全区共受理政府信息公开申请 300 件，其中区政府本级受理政府信息公开申请 17 件。",
        "收到涉及征地拆迁的政府信息公开申请 20 件。",
    ],
)
def test_sub_counts_are_not_the_total(text: str) -> None:
    got = {c for c in counts(text) if c[0] == "new"}
    assert got <= {("new", 300, "total")}


@pytest.mark.parametrize(
    ("text", "assessment", "evaluation", "accountability"),
    [
        (
            "将政府网站平台信息公开工作纳入全区高质量发展考核内容，促进信息公开工作持续向好。",
            False,
            False,
            False,
        ),
        ("将政务公开纳入绩效考核，年度考核结果已在全区通报。", True, False, False),
        ("委托第三方开展社会评议，群众满意度为96%。", False, True, False),
        ("建立健全责任追究制度。", False, False, False),
        ("全年未发生因政府信息公开工作被责任追究的情况。", False, False, True),
        ("2023年将政务公开纳入综合考核，完善责任追究情况通报机制。", False, False, False),
        ("以评议结果作为考核的重要依据。", False, False, False),
        ("开展社会评议，收集意见建议32条；全年无责任追究情况。", False, True, True),
        ("年度政务公开考核获评优秀等次，问责0人。", True, False, True),
        ("对2个单位进行通报批评，问责1人。", False, False, True),
    ],
)
def test_oversight_needs_results_not_mechanisms(
    text: str, assessment: bool, evaluation: bool, accountability: bool
) -> None:
    got = {
        name: bool(result_quote(mechanism, result, text))
        for name, (_, mechanism, result) in OVERSIGHT.items()
    }
    assert got == {
        "has_assessment": assessment,
        "has_evaluation": evaluation,
        "has_accountability": accountability,
    }


def test_placeholders_inside_addresses_are_not_artefacts() -> None:
    assert artefacts("网址：http://www.xx.gov.cn，邮箱 xxgk@163.com").placeholders == []


def test_carry_out_to_a_named_year() -> None:
    assert ("carry_out", 2, "total") in counts(
        "（二）依申请公开情况。共收到政府信息公开申请9件，结转至2024年继续办理2件。"
    )


def test_addresses_wrapped_over_lines_are_not_artefacts() -> None:
    assert artefacts("电子邮箱：linhe_gk@examp\nle.gov.cn），网址 www.linhe.\ngov.cn").latin == []
