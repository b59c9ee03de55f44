"""The whole lifecycle through the CLI (ingest, audit, findings --json), on SQLite and PostgreSQL.

Fixtures (tests/fixtures/store, built from seed 001 by build.py): the 2023 report of 中卫市测试局 with
an unbalanced table 3 and section 五 missing; its corrected re-publication; the 2024 report that
again lacks section 五 and gives 上年结转 0 although 2023 carried 2 applications over.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlmodel import select
from test_store_support import empty_db  # noqa: F401

from audit.cli import main
from audit.store import db as store
from audit.store import tables as m

FIXTURES = Path(__file__).parent / "fixtures" / "store"
AGENCY = "中卫市测试局"


def gk(*args: str, today: str | None = None, code: int = 0) -> Result:
    env = {"GKAUDIT_TODAY": today} if today else {}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def findings(*args: str, today: str) -> dict[tuple[int, str, str], dict]:
    out = gk("findings", "--json", *args, today=today).output
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    keyed = {(r["year"], r["rule"], r["locator"]): r for r in rows}
    assert len(keyed) == len(rows), "duplicate findings"
    return keyed


def ingest(name: str, year: int, published: str) -> None:
    out = gk(
        "ingest",
        str(FIXTURES / name),
        "--agency",
        AGENCY,
        "--year",
        str(year),
        "--level",
        "department",
        "--region",
        "640500",
        "--published-on",
        published,
        "--url",
        f"https://www.zw.example.gov.cn/nb/{name}",
        "--new-agency",
        today=published,
    ).output
    assert "新版本已入库" in out


def test_lifecycle_scenario(empty_db: str) -> None:  # noqa: F811
    assert "数据库已升级到版本" in gk("db", "upgrade").output

    # Year Y (2023) with defects: findings open.
    ingest("y2023_v1.txt", 2023, "2024-01-20")
    assert "审核报告 1 份" in gk("audit", today="2024-02-01").output
    f = findings(today="2024-02-01")
    defects = {(2023, "BL03", "t3.natural"), (2023, "BL03", "t3.total"), (2023, "ST01", "S5")}
    assert set(f) == defects
    for key in defects:
        row = f[key]
        assert row["status"] == "open" and row["agency"] == AGENCY and row["year"] == 2023
        assert row["recurring"] is False and row["fixed_at"] is None and row["first_seen"]
        # 20 working days from Thu 2024-02-01: 02-10…17 off, Sundays 02-04 and 02-18 worked
        assert row["deadline"] == "2024-03-05"
        assert row["source"] == "https://www.zw.example.gov.cn/nb/y2023_v1.txt"
    assert f[(2023, "BL03", "t3.total")]["evidence"]["t3.new.total"] == 12
    assert f[(2023, "BL03", "t3.total")]["severity"] == "error" and f[(2023, "BL03", "t3.total")]["title"]

    # Nothing new: a second audit changes nothing.
    assert "文档 0 份" in gk("audit", today="2024-02-02").output
    assert findings(today="2024-02-01") == f

    # The agency re-publishes a corrected version: the next audit closes them as fixed.
    ingest("y2023_v2.txt", 2023, "2024-03-01")
    gk("audit", today="2024-03-05")
    f = findings(today="2024-03-05")
    assert set(f) == defects
    assert all(f[k]["status"] == "fixed" and f[k]["fixed_at"] for k in defects)
    # evidence of both versions: where it was last seen, and the version that fixed it
    assert f[(2023, "BL03", "t3.total")]["source"] == "https://www.zw.example.gov.cn/nb/y2023_v1.txt"
    assert f[(2023, "BL03", "t3.total")]["fixed_source"] == "https://www.zw.example.gov.cn/nb/y2023_v2.txt"
    reports = [json.loads(line) for line in gk("reports", "--json").output.splitlines()]
    assert len(reports) == 1 and reports[0]["versions"] == 2 and reports[0]["findings"] == 0
    assert reports[0]["url"].endswith("y2023_v2.txt") and reports[0]["published_on"] == "2024-03-01"
    with store.session_scope() as s:  # both versions kept, as evidence
        docs = s.exec(select(m.Document).order_by(m.Document.id)).all()
        assert [d.original_name for d in docs] == ["y2023_v1.txt", "y2023_v2.txt"]
        assert all((store.data_dir() / d.archive_path).is_file() for d in docs)
        fixed = s.exec(select(m.Finding).where(m.Finding.rule == "ST01")).one()
        assert fixed.first_report_id != fixed.fixed_report_id

    # Year Y+1 repeats the missing section and misreports 上年结转.
    ingest("y2024.txt", 2024, "2025-01-15")
    gk("audit", today="2025-01-20")
    f = findings("--year", "2024", today="2025-01-20")
    assert (2024, "ST01", "S5") in f and (2024, "CY01", "t3.carry_in.total") in f
    assert [k for k, v in f.items() if v["recurring"]] == [(2024, "ST01", "S5")]
    assert f[(2024, "CY01", "t3.carry_in.total")]["status"] == "open"
    assert f[(2024, "CY01", "t3.carry_in.total")]["evidence"]
    deadline = f[(2024, "ST01", "S5")]["deadline"]
    # 20 working days from Mon 2025-01-20: 01-28…02-04 off, Sun 01-26 and Sat 02-08 worked
    assert deadline == "2025-02-21"

    # A dismissed finding stays dismissed after a re-audit.
    cy04 = f.get((2024, "CY04", "S1"))
    target = cy04 or f[(2024, "CY01", "t3.carry_in.natural")]
    gk(
        "finding",
        "dismiss",
        str(target["id"]),
        "--reason",
        "经核实为同一模板，不构成问题",
        "--by",
        "审核员甲",
    )

    # With the clock frozen past the deadline: overdue.
    late = "2025-03-03"
    f = findings("--year", "2024", today=late)
    assert f[(2024, "ST01", "S5")]["status"] == "overdue" and f[(2024, "ST01", "S5")]["overdue"] is True
    overdue = findings("--status", "overdue", today=late)
    assert (2024, "ST01", "S5") in overdue and all(v["status"] == "overdue" for v in overdue.values())

    # Two audits in a row (one re-checking everything): the same finding set, no duplicates.
    before = findings(today=late)
    gk("audit", today=late)
    gk("audit", "--all", today=late)
    after = findings(today=late)
    assert set(after) == set(before)
    assert {k: v["id"] for k, v in after.items()} == {k: v["id"] for k, v in before.items()}
    assert {k: v["status"] for k, v in after.items()} == {k: v["status"] for k, v in before.items()}
    assert after[(target["year"], target["rule"], target["locator"])]["status"] == "dismissed"
    assert all(after[k]["status"] == "fixed" for k in defects)
    with store.session_scope() as s:
        assert s.exec(
            select(m.Finding).where(m.Finding.rule == "ST01", m.Finding.year == 2024)
        ).one().status == (m.OVERDUE)

    # Filters.
    assert set(findings("--rule", "cy01", today=late)) == {k for k in after if k[1] == "CY01"}
    unknown = gk("findings", "--agency", "中卫市测验局", today=late, code=2).output  # a typo is caught
    assert "库中没有机关“中卫市测验局”" in unknown and "中卫市测试局" in unknown
    assert set(findings("--region", "640500", today=late)) == set(after)
    assert findings("--region", "110000", today=late) == {}
    text = gk("findings", "--status", "overdue", today=late).output
    assert "已逾期" in text and "屡查屡犯" in text
