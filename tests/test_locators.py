"""Locators as a reader says them (audit.form.describe_locator)."""

from __future__ import annotations

import pytest

from audit.form import describe_locator


@pytest.mark.parametrize(
    ("locator", "said"),
    [
        ("t3.denied.law_forbidden.total", "表三“2.其他法律行政法规禁止公开”行“总计”列"),
        ("t3.denied.law_forbidden", "表三“2.其他法律行政法规禁止公开”行"),
        ("t3.total", "表三“总计”列"),
        ("t3", "表三"),
        ("t4.review", "表四“行政复议”"),
        ("t4.lit_direct", "表四“行政诉讼（未经复议直接起诉）”"),
        ("t4.review.total", "表四“行政复议”“总计”"),
        ("t4.lit.upheld", "表四“行政诉讼”“结果维持”"),
        ("t2.reg", "表二“规章”行"),
        ("S5", "第五部分“存在的主要问题及改进情况”"),
        ("S1:平台建设", "第一部分“总体情况”（平台建设）"),
        ("preamble", "报告前言"),
        ("report", "报告全文"),
        (None, "报告全文"),
        (
            "t3.granted.total+t3.partial.total",
            "表三“（一）予以公开”行“总计”列与表三“（二）部分公开（区分处理的，只计这一情形，不计其他情形）”行“总计”列",
        ),
        ("unknown.thing", "unknown.thing"),
    ],
)
def test_locators_are_said_as_a_reader_says_them(locator: str | None, said: str) -> None:
    assert describe_locator(locator) == said


def test_every_catalogue_locator_of_the_sample_findings_is_readable() -> None:
    """No finding produced on the fixtures shows a raw code."""
    from pathlib import Path

    from audit.parse import parse_path
    from audit.report import AuditContext
    from audit.rulebook.check import check_report

    for path in sorted((Path(__file__).parent / "fixtures").rglob("*.txt")):
        for f in check_report(parse_path(path), AuditContext()):
            said = describe_locator(f.locator)
            assert not any(code in said for code in ("t2.", "t3.", "t4.", "S1", "S5", "preamble")), (
                f.rule,
                said,
            )
