"""Organ level, 规章 power and publication deadlines: one answer each (audit/organs.py)."""

from __future__ import annotations

from datetime import date

import pytest

from audit.organs import effective_level, may_make_rules, organ_level, publication_deadline


@pytest.mark.parametrize(
    ("agency", "level"),
    [
        ("淮安市人民政府", "government"),
        ("淮安市洪泽区人民政府", "government"),
        ("某 县 人民政府", "government"),
        ("石嘴山市人民政府办公室", "department"),
        ("中卫市信访局", "department"),
        ("某县教育局", "department"),
        ("某县某某镇人民政府", "department"),
        ("岔河镇人民政府", "department"),
        ("某乡人民政府", "department"),
        ("城关街道办事处", "department"),
        ("平潭综合实验区管委会", None),
        ("某某经济技术开发区管理委员会", None),
        ("某某市大数据", None),
        ("", None),
    ],
)
def test_organ_level_from_name(agency: str, level: str | None) -> None:
    assert organ_level(agency) == level


def test_a_declared_level_wins_over_the_name() -> None:
    assert effective_level("government", "平潭综合实验区管委会") == "government"
    assert effective_level("department", "淮安市人民政府") == "department"
    assert effective_level(None, "某县某某镇人民政府") == "department"
    assert effective_level("nonsense", "某某中心") == "department"
    assert effective_level(None, "某某市大数据") is None


@pytest.mark.parametrize(
    ("level", "local", "deadline"),
    [
        ("government", None, date(2024, 3, 31)),
        ("department", None, date(2024, 1, 31)),
        (None, None, date(2024, 3, 31)),  # unknown: the later date, never late on a guess
        ("government", date(2024, 2, 20), date(2024, 2, 20)),
        ("department", date(2024, 2, 28), date(2024, 1, 31)),  # a local date is only ever earlier
    ],
)
def test_publication_deadline(level: str | None, local: date | None, deadline: date) -> None:
    assert publication_deadline(level, 2023, local) == deadline


@pytest.mark.parametrize(
    ("agency", "level", "may"),
    [
        ("淮安市人民政府", "government", True),
        ("江苏省人民政府", "government", True),
        ("上海市人民政府", "government", True),
        ("延边朝鲜族自治州人民政府", "government", True),
        ("淮安市洪泽区人民政府", "government", False),
        ("洪泽区人民政府", "government", False),
        ("某县人民政府", "government", False),
        ("某镇人民政府", "government", False),
        ("苏州市昆山市人民政府", "government", False),
        ("中卫市信访局", "department", False),
        ("石嘴山市人民政府办公室", "department", True),  # publishes the city government's 规章
        ("洪泽区人民政府办公室", "department", False),
        ("生态环境部", "department", True),
    ],
)
def test_who_may_make_rules(agency: str, level: str, may: bool) -> None:
    assert may_make_rules(agency, level)[0] is may
