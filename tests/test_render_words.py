"""How the outputs word things: locators, dates, evidence, the office settings, merging by cause."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from audit.clock import local_time
from audit.form import describe_locator
from audit.render import words
from audit.render.office import chinese_date, office, plain_date


@pytest.mark.parametrize(
    ("locator", "said"),
    [
        ("t3.total", "表三“总计”列"),
        ("t3.natural", "表三“自然人”列"),
        ("t3.new.total", "表三“一、本年新收政府信息公开申请数量”行“总计”列"),
        ("S5", "第五部分“存在的主要问题及改进情况”"),
        ("S1:政务公开工作要点", "第一部分“总体情况”（政务公开工作要点）"),
        ("preamble", "报告前言"),
        ("report", "报告全文"),
        ("t4", "表四"),
        ("t4.review", "表四“行政复议”"),
        (None, "报告全文"),
        ("x9.unknown", "x9.unknown"),
    ],
)
def test_locators_as_a_reader_says_them(locator: str | None, said: str) -> None:
    assert describe_locator(locator) == said


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 12, 1), "二〇二六年十二月一日"),
        (date(2025, 1, 10), "二〇二五年一月十日"),
        (date(2030, 10, 31), "二〇三〇年十月三十一日"),
        (date(2024, 2, 20), "二〇二四年二月二十日"),
    ],
)
def test_chinese_date(day: date, text: str) -> None:
    assert chinese_date(day) == text


def test_plain_date_and_local_time() -> None:
    assert plain_date(date(2026, 3, 5)) == "2026年3月5日"
    assert plain_date(None) == ""
    # 16:30 UTC is half past midnight the next day in Asia/Shanghai
    assert local_time(datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == "2026-12-01 00:30"
    assert local_time("2026-11-30T16:30:00+00:00") == "2026-12-01 00:30"


def test_office_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("NAME", "UNIT", "PREFIX", "CONTACT", "PHONE", "COPY_TO"):
        monkeypatch.delenv(f"GKAUDIT_OFFICE_{key}", raising=False)
    assert office().name == "某某省人民政府办公厅" and office().prefix == "某政公开"
    monkeypatch.setenv("GKAUDIT_OFFICE_NAME", "  宁夏回族自治区\n人民政府办公厅 ")
    monkeypatch.setenv("GKAUDIT_OFFICE_PHONE", "0951-1234567")
    assert office().name == "宁夏回族自治区 人民政府办公厅"
    assert office().phone == "0951-1234567"


def test_evidence_lines_cells_first_with_their_place() -> None:
    evidence = {
        "t3.new.total": 12,
        "t3.carry_in.total": 0,
        "原文（S5，第12行）": "本机关全年共受理申请12件…",
        "相似度": 0.99,
        "t3.other.other.total": None,
        "出处": {"t3.new.total": "第59行 “一、本年新收”行“总计”列"},
    }
    lines, left_out = words.evidence_lines(evidence, limit=2)
    assert [(e.where, e.text, e.quote) for e in lines] == [
        ("第59行 “一、本年新收”行“总计”列", "12", False),
        ("表三“二、上年结转政府信息公开申请数量”行“总计”列", "0", False),
        ("第五部分“存在的主要问题及改进情况”，第12行", "本机关全年共受理申请12件…", True),
        ("相似度", "0.99", False),
    ]
    assert left_out == 1  # the third cell is counted, not dropped silently


def test_merge_key_joins_one_table_not_two_sections() -> None:
    def f(rule: str, locator: str) -> dict:
        return {"year": 2023, "rule": rule, "locator": locator}

    assert words.merge_key(f("BL03", "t3.natural")) == words.merge_key(f("BL03", "t3.total"))
    assert words.merge_key(f("ST01", "S5")) != words.merge_key(f("ST01", "S6"))
    assert words.merge_key(f("BL03", "t3.total")) != words.merge_key(f("BL04", "t3.total"))
