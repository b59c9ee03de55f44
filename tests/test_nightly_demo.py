"""``gkaudit demo`` end to end on two agencies of the sample: notices, a ledger and the dashboard, the
planted cases where planted (TL01 late, TL02 missing, TL04 broken attachment, a correction on night 2,
a site printing the name without the region prefix), and the user's own store left alone.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from audit.cli import main

LATE, QUIET = "柳塘县人民政府", "柳塘县自然资源和规划局"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    base = tmp_path_factory.mktemp("demo")
    env = {"DATABASE_URL": f"sqlite:///{base / 'mine.sqlite'}", "GKAUDIT_DATA": str(base / "mine")}
    before = {k: os.environ.get(k) for k in env}
    result = CliRunner().invoke(
        main,
        [
            "demo",
            "--out",
            str(base / "out"),
            "--data",
            str(base / "data"),
            "--agency",
            LATE,
            "--agency",
            QUIET,
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert {k: os.environ.get(k) for k in env} == before  # the demo's settings were put back
    return base / "out", base / "data", result.output


def _findings(data: Path) -> set[tuple[str, int, str, str]]:
    with sqlite3.connect(data / "gkaudit.sqlite") as db:
        rows = db.execute(
            "SELECT a.name, f.year, f.rule, f.status FROM finding f JOIN agency a ON a.id = f.agency_id"
        )
        return set(rows.fetchall())


def test_the_demo_writes_notices_ledgers_and_the_dashboard(demo: tuple[Path, Path, str]) -> None:
    out, data, output = demo
    assert (out / "index.html").is_file()
    assert (out / "bulletin.html").is_file() and (out / "bulletin.docx").is_file()
    notices = sorted(p.name for p in (out / "notices").iterdir())
    assert "notice-1.html" in notices and "notice-1.docx" in notices  # issued between the two nights
    assert any(name.startswith("preview-a") for name in notices)
    ledger = load_workbook(out / "ledgers" / "ledger-all.xlsx").active
    listed = {str(c.value) for row in ledger.iter_rows() for c in row if c.value}
    assert any("TL01" in v for v in listed) and any(LATE in v for v in listed)
    dashboard = (out / "index.html").read_text(encoding="utf-8")
    assert LATE in dashboard and QUIET in dashboard
    assert f"看板：{out / 'index.html'}" in output
    assert (
        not (out.parent / "mine.sqlite").exists() and not (out.parent / "mine").exists()
    )  # the user's store


def test_the_planted_cases_appear_where_planted(demo: tuple[Path, Path, str]) -> None:
    out, data, output = demo
    found = _findings(data)
    assert {(a, y, r) for a, y, r, _ in found if r.startswith("TL")} == {
        (LATE, 2025, "TL01"),
        (QUIET, 2025, "TL02"),
        (QUIET, 2022, "TL04"),
    }
    assert {(r, s) for a, y, r, s in found if (a, y) == (QUIET, 2023) and r.startswith("FM")} == {
        ("FM02", "fixed"),
        ("FM03", "fixed"),
    }  # the corrected report of night 2
    for line in (
        f"逾期发布（TL01）：{LATE} 2025 年度 —— 已查出，证据页 {out / 'evidence'}",
        f"期限届满未发布（TL02）：{QUIET} 2025 年度 —— 已查出",
        f"年报附件链接失效（TL04）：{QUIET} 2022 年度 —— 已查出",
        f"发布后更正：{QUIET} 2023 年度第二夜发布更正版本，已整改 2 个问题（FM02、FM03）",
        f"网站印“自然资源和规划局”（不带区划前缀）：登记为 {QUIET} 的别名",
    ):
        assert line in output
    with sqlite3.connect(data / "gkaudit.sqlite") as db:
        versions = db.execute(
            "SELECT COUNT(*) FROM report r JOIN agency a ON a.id = r.agency_id WHERE a.name = ? AND r.year = 2023",
            (QUIET,),
        ).fetchone()[0]
        runs = db.execute("SELECT trigger, status FROM nightlyrun ORDER BY id").fetchall()
    assert versions == 2
    assert runs == [("demo", "ok"), ("demo", "ok")]
    assert "—— 第 1 夜 ——" in output and "—— 第 2 夜 ——" in output


def test_the_demo_never_empties_a_folder_it_did_not_make(tmp_path: Path) -> None:
    precious = tmp_path / "data"
    precious.mkdir()
    (precious / "gkaudit.sqlite").write_bytes(b"the office's store")
    result = CliRunner().invoke(main, ["demo", "--data", str(precious), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "不是演示目录" in result.output
    assert (precious / "gkaudit.sqlite").read_bytes() == b"the office's store"


def test_an_agency_not_in_the_sample_is_one_line_naming_the_known_ones(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--data", str(tmp_path / "d"), "--agency", "某市某局"])
    assert result.exit_code == 2
    assert result.output.startswith("错误：样本中没有这些机关：某市某局（样本中的机关：")
    assert LATE in result.output and len(result.output.strip().splitlines()) == 1
