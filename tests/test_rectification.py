"""CY06's observations: which notified problems 五 mentions, and which findings count as notified."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select
from test_store_support import db  # noqa: F401

from audit.facts import build_facts
from audit.facts.rectification import GROUP_TOPICS, document_number, mention, topic_of
from audit.parse import parse_path
from audit.report import AuditContext
from audit.report import Finding as CheckFinding
from audit.store import archive, lifecycle, queries
from audit.store import db as store
from audit.store import tables as m

REPORTS = Path(__file__).parent / "fixtures" / "reports"


@pytest.mark.parametrize(
    ("rule", "sentence", "mentioned"),
    [
        ("BL03", "针对上年度年报表三数据勾稽关系有误的问题，已重新核对并更正。", True),
        ("BL01", "统计数据填报不准确的问题已整改。", True),
        ("BL03", "基层政务公开推进不够平衡。", False),  # 平衡 of the work, not of a table
        ("FM02", "已按统一格式修改表格行名称。", True),
        ("FM02", "进一步规范依申请公开办理流程。", False),  # 规范 is in every 五
        ("NT04", "正文与表四所列件数不一致的问题已更正。", True),
        ("TL01", "上年度年报未按时发布的问题，今年已提前公布。", True),
        ("TL01", "政务信息发布不够及时。", False),  # 发布/及时 of information, not of the report
        ("ST07", "已在总体情况中补充工作考核、社会评议和责任追究结果。", True),
        ("ST06", "主动公开目录还不够健全。", False),
        ("CY05", "针对年报内容与其他单位雷同的问题，已重新撰写。", True),
        ("ST09", "上年度问题均已整改。", True),  # reporting last year's rectification is the fix of ST09
        ("LC01", "已按要求更正年报。", True),  # a local pack's rule: a sentence on correcting the report
        ("LC01", "加强政务公开培训。", False),
    ],
)
def test_a_problem_is_mentioned_by_its_topic(rule: str, sentence: str, mentioned: bool) -> None:
    assert bool(mention(sentence, rule, None)) is mentioned


def test_every_rule_group_has_a_topic_and_a_notice_number_is_a_mention() -> None:
    assert set(GROUP_TOPICS) == {"BL", "NT", "CY", "FM", "ST", "TL", "PL"}
    assert topic_of("BL02")[0] == "表格数据" and topic_of("ST04")[0] == "表格数据"
    said = "按照某政公开[2024] 3号通知要求，已逐项完成整改。"
    assert mention(said, "FM06", "某政公开〔2024〕3号") == "按照某政公开[2024]3号通知要求,已逐项完成整改"
    assert mention(said, "FM06", "某政公开〔2024〕13号") == ""
    assert document_number("某政公开（2024）3号") == document_number("某政公开〔2024〕3号")


NOTIFIED = [
    {"finding_id": 1, "rule": "BL03", "rule_title": "表三勾稽关系不平衡", "locator": "t3.total",
     "message": "不平衡", "year": 2022, "notice": "某政公开〔2023〕5号", "notice_date": "2023-03-01"},
    {"finding_id": 2, "rule": "TL01", "rule_title": "年报未在规定期限内公布", "locator": "report",
     "message": "逾期", "year": 2022, "notice": "某政公开〔2023〕5号", "notice_date": "2023-03-01"},
]  # fmt: skip


def test_one_fact_per_notified_finding_and_none_when_five_cannot_be_read() -> None:
    report = parse_path(REPORTS / "clean_gov_2023.txt")
    facts = [f for f in build_facts(report, AuditContext(notified=NOTIFIED)) if f.type == "notified_finding"]
    assert [(f.fields["prev_rule"], f.fields["mentioned"]) for f in facts] == [
        ("BL03", False),
        ("TL01", False),
    ]
    assert facts[0].evidence["整改通知"] == "某政公开〔2023〕5号（2023-03-01）"
    assert not [f for f in build_facts(report, AuditContext()) if f.type == "notified_finding"]
    report.sections["S5"].present = False  # 五 missing: no CY06 (ST01 says it)
    assert not [
        f for f in build_facts(report, AuditContext(notified=NOTIFIED)) if f.type == "notified_finding"
    ]


def _finding(
    s, agency: m.Agency, report: m.Report, run: m.AuditRun, year: int, rule: str, locator: str
) -> int:  # noqa: ANN001
    found = CheckFinding(rule=rule, severity="error", locator=locator, message=f"{rule} 问题")
    lifecycle.reconcile(
        s,
        run=run,
        agency=agency,
        year=year,
        report=report,
        findings=[found],
        today=date(2024, 2, 1),
        close_missing=False,
    )
    return s.exec(select(m.Finding.id).where(m.Finding.rule == rule, m.Finding.year == year)).one()


def test_notified_findings_are_last_years_still_standing_and_notified_before_publication(db: str) -> None:  # noqa: F811
    with store.session_scope() as s:
        doc, _ = archive.store_document(s, b"2023", agency="甲局", original_name="a.txt")
        agency = s.get(m.Agency, doc.agency_id)
        report = m.Report(agency_id=doc.agency_id, document_id=doc.id, year=2023)
        run = m.AuditRun(catalogue_version="t")
        s.add_all([report, run])
        s.flush()
        ids = {
            r: _finding(s, agency, report, run, 2023, r, loc)
            for r, loc in (("BL03", "t3.total"), ("ST01", "S5"), ("FM02", "t2.reg"), ("CY05", "S1"))
        }
        _finding(s, agency, report, run, 2022, "TL01", "report")  # two years back: not last year
        lifecycle.record_notice(
            s,
            agency=agency,
            number="某政公开〔2024〕1号",
            issued_on=date(2024, 3, 1),
            finding_ids=[ids["BL03"], ids["ST01"], ids["FM02"]],
        )
        lifecycle.record_notice(
            s,
            agency=agency,
            number="某政公开〔2024〕9号",
            issued_on=date(2024, 9, 1),
            finding_ids=[ids["ST01"], ids["CY05"]],
        )
        fm02 = s.get(m.Finding, ids["FM02"])
        lifecycle.event(s, fm02, m.FIXED, reason="更正后重新发布")
    with store.session_scope() as s:
        got = queries.notified_findings(s, agency.id, 2024, date(2025, 1, 20))
        assert {(n["rule"], n["notice"]) for n in got} == {
            ("BL03", "某政公开〔2024〕1号"),
            ("ST01", "某政公开〔2024〕9号"),
            ("CY05", "某政公开〔2024〕9号"),
        }  # FM02 was fixed; ST01 is given with its latest notice
        early = queries.notified_findings(s, agency.id, 2024, date(2024, 6, 1))
        assert {(n["rule"], n["notice"]) for n in early} == {
            ("BL03", "某政公开〔2024〕1号"),
            ("ST01", "某政公开〔2024〕1号"),
        }
        assert queries.notified_findings(s, agency.id, 2025, None) == []
