"""The store's commands: decisions, show, reports and findings as text, errors in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from test_store_support import db  # noqa: F401

from audit.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "store"


def gk(*args: str, today: str = "2024-02-01", code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args), env={"GKAUDIT_TODAY": today}, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def _setup() -> dict[str, dict]:
    gk("ingest", str(FIXTURES / "y2023_v1.txt"), "--agency", "中卫市测试局", "--year", "2023", "--new-agency")
    gk("audit")
    rows = [json.loads(x) for x in gk("findings", "--json").output.splitlines()]
    return {f"{r['rule']}:{r['locator']}": r for r in rows}


def test_decisions_through_the_cli(db: str) -> None:  # noqa: F811
    f = _setup()
    bl03 = str(f["BL03:t3.total"]["id"])
    st01 = str(f["ST01:S5"]["id"])
    natural = str(f["BL03:t3.natural"]["id"])

    out = gk(
        "finding", "accept", bl03, "--until", "2024-06-30", "--reason", "待系统改版", "--by", "审核员乙"
    ).output
    assert "暂缓接受" in out
    missing = gk("finding", "accept", st01, "--reason", "无期限", code=2).output
    assert "--until" in missing
    assert "不存在" in gk("finding", "confirm", "9999", code=2).output
    refused = gk("finding", "confirm", st01, "9999", code=2).output  # all or nothing
    assert "本次未作任何更改" in refused
    assert json.loads(gk("finding", "show", st01, "--json").output)["status"] == "open"
    assert "误报" in gk("finding", "dismiss", natural, "--reason", "列数据识别有误").output
    assert "已确认" in gk("finding", "confirm", st01).output

    shown = json.loads(gk("finding", "show", bl03, "--json").output)
    assert shown["status"] == "accepted" and shown["accepted_until"] == "2024-06-30"
    assert [(e["from"], e["to"], e["actor"]) for e in shown["events"]] == [
        (None, "open", "system"),
        ("open", "accepted", "审核员乙"),
    ]
    assert "待系统改版" in shown["events"][1]["reason"]
    text = gk("finding", "show", bl03).output
    assert "审核员乙" in text and "待整改 → 暂缓接受" in text

    # after the acceptance expires the finding is open again, persisted by the next audit
    after = {
        f"{r['rule']}:{r['locator']}": r
        for r in map(json.loads, gk("findings", "--json", today="2024-07-01").output.splitlines())
    }
    assert after["BL03:t3.total"]["status"] == "open"
    gk("audit", today="2024-07-01")
    events = json.loads(gk("finding", "show", bl03, "--json", today="2024-07-01").output)["events"]
    assert events[-1]["to"] == "open" and "接受期限" in events[-1]["reason"]
    # confirmed and past its deadline → overdue; dismissed stays dismissed
    later = {
        f"{r['rule']}:{r['locator']}": r["status"]
        for r in map(json.loads, gk("findings", "--json", today="2024-07-01").output.splitlines())
    }
    assert later["ST01:S5"] == "overdue" and later["BL03:t3.natural"] == "dismissed"


def test_reports_and_text_output(db: str) -> None:  # noqa: F811
    assert "库中还没有报告" in gk("reports").output
    assert "没有符合条件的问题" in gk("findings").output
    _setup()
    gk(
        "ingest",
        str(FIXTURES / "y2024.txt"),
        "--agency",
        "中卫市测试局",
        "--url",
        "https://zw.example.gov.cn/2024.html",
        "--published-on",
        "2025-01-10",
        today="2025-01-20",
    )
    gk("audit", today="2025-01-20")
    lines = [json.loads(x) for x in gk("reports", "--json").output.splitlines()]
    assert [(r["year"], r["versions"], r["format"]) for r in lines] == [(2023, 1, "2021"), (2024, 1, "2021")]
    assert (
        lines[1]["url"] == "https://zw.example.gov.cn/2024.html" and lines[1]["published_on"] == "2025-01-10"
    )
    assert lines[0]["findings"] == 3 and len(lines[0]["sha256"]) == 64
    assert [
        r["year"] for r in map(json.loads, gk("reports", "--year", "2024", "--json").output.splitlines())
    ] == [2024]
    text = gk("reports").output
    assert "中卫市测试局\t2023" in text and "版本 1" in text
    listing = gk("findings", "--year", "2024", today="2025-01-20").output
    assert "屡查屡犯" in listing and "待整改" in listing and "共" in listing


def test_ingest_errors(db: str, tmp_path: Path) -> None:  # noqa: F811
    out = gk("ingest", str(tmp_path / "nope.txt"), "--agency", "甲局", code=2).output
    assert "无法读取文件" in out
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert "文件为空" in gk("ingest", str(empty), "--agency", "甲局", code=2).output
    again = gk(
        "ingest",
        str(FIXTURES / "y2023_v1.txt"),
        str(FIXTURES / "y2023_v1.txt"),
        "--agency",
        "中卫市测试局",
        "--new-agency",
    ).output
    assert "新版本已入库" in again and "内容相同，已存在" in again
    assert (
        "YYYY-MM-DD" in gk("ingest", str(empty), "--agency", "甲局", "--published-on", "1.2", code=2).output
    )


def test_audit_json_summary(db: str) -> None:  # noqa: F811
    gk("ingest", str(FIXTURES / "y2023_v1.txt"), "--agency", "中卫市测试局", "--new-agency")
    summary = json.loads(gk("audit", "--json").output)
    assert summary["opened"] == 3 and summary["status"] == "ok" and summary["documents"] == 1


def test_notice_sets_deadlines_from_its_date(db: str) -> None:  # noqa: F811
    f = _setup()
    out = gk(
        "notice",
        "record",
        "--agency",
        "中卫市测试局",
        "--number",
        "宁政公开〔2024〕3号",
        "--date",
        "2024-02-05",
        today="2024-02-06",
    ).output
    assert "已登记整改通知 宁政公开〔2024〕3号" in out and "列入问题 3 个" in out
    # errors: 20 working days from Mon 2024-02-05 over the Spring Festival (02-10…17 off, 02-18 worked)
    rows = {
        r["id"]: r for r in map(json.loads, gk("findings", "--json", today="2024-02-06").output.splitlines())
    }
    assert rows[f["BL03:t3.total"]["id"]]["deadline"] == "2024-03-08"
    one = gk(
        "notice",
        "record",
        str(f["ST01:S5"]["id"]),
        "--agency",
        "中卫市测试局",
        "--number",
        "宁政公开〔2024〕9号",
        "--date",
        "2024-03-01",
        today="2024-03-01",
    ).output
    assert "列入问题 1 个" in one
    rows = {
        r["id"]: r for r in map(json.loads, gk("findings", "--json", today="2024-03-01").output.splitlines())
    }
    assert rows[f["ST01:S5"]["id"]]["deadline"] == "2024-03-29"
    assert (
        "库中没有机关"
        in gk(
            "notice",
            "record",
            "--agency",
            "无此机关",
            "--number",
            "x",
            "--date",
            "2024-03-01",
            today="2024-03-01",
            code=2,
        ).output
    )
    future = gk(
        "notice", "record", "--agency", "中卫市测试局", "--number", "y", "--date", "2024-03-09", code=2
    )
    assert "不能是将来的日期" in future.output
