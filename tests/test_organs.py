"""Organ level, 规章 power and publication deadlines: one answer each (audit/organs.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_store_support import db  # noqa: F401

from audit.cli import main
from audit.organs import effective_level, may_make_rules, organ_level, publication_deadline

REPORTS = Path(__file__).parent / "fixtures" / "reports"


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


# --- the same answers through `check` and through the store --------------------------------------

CASES = [  # printed name, TL01 on a report published 2024-02-15, TL02 on 2024-02-15 without a report
    ("江北市临河区某某镇人民政府", True, True),  # 乡镇: a department, deadline 01-31
    ("江北市临河区城关街道办事处", True, True),  # 街道: a department
    ("江北市临河区教育局", True, True),  # a county department
    ("江北市某某经济开发区管委会", False, False),  # 管委会: unknown level, deadline 03-31
    ("江北市大数据", False, False),  # no organ word at all: unknown, deadline 03-31
]


def _report_of(name: str, tmp_path: Path) -> Path:
    text = (
        (REPORTS / "clean_dept_2023.txt")
        .read_text(encoding="utf-8")
        .replace("江北市临河区市场监督管理局", name)
    )
    path = tmp_path / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "late", "missing"), CASES)
def test_levels_through_check(name: str, late: bool, missing: bool, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["check", str(_report_of(name, tmp_path)), "--json", "--published-on", "2024-02-15"],
        env={"GKAUDIT_TODAY": "2024-12-01"},
    )  # fmt: skip
    rules = {json.loads(line)["rule"] for line in result.stdout.splitlines() if line.strip()}
    assert ("TL01" in rules) is late, result.output


@pytest.mark.parametrize(("name", "late", "missing"), CASES)
def test_levels_through_the_store(name: str, late: bool, missing: bool, db: str, tmp_path: Path) -> None:  # noqa: F811
    """An agency known from its 2023 report; on 2025-02-15 its 2024 report is missing or not yet due."""
    env = {"GKAUDIT_TODAY": "2025-02-15"}
    runner = CliRunner()
    path = str(_report_of(name, tmp_path))
    out = runner.invoke(main, ["ingest", path, "--agency", name, "--new-agency", "--force"], env=env)
    assert out.exit_code == 0, out.output
    assert runner.invoke(main, ["audit"], env=env).exit_code == 0
    found = runner.invoke(main, ["findings", "--json", "--rule", "TL02"], env=env).stdout
    assert bool(found.strip()) is missing, found
