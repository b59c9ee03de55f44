"""The life of a 整改通知 through the CLI: draft → approved (文号) → sent (deadlines) → 回执."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner, Result
from sqlmodel import select
from test_store_support import db  # noqa: F401

from audit.cli import main
from audit.store import db as store
from audit.store import tables as m
from audit.store.workdays import add_workdays

FIXTURES = Path(__file__).parent / "fixtures" / "store"
AGENCY = "中卫市测试局"


def gk(*args: str, code: int = 0, today: str = "2024-02-01") -> Result:
    result = CliRunner().invoke(main, list(args), env={"GKAUDIT_TODAY": today}, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def notices() -> list[dict]:
    return [json.loads(x) for x in gk("notices", "list", "--json").output.splitlines()]


def findings(today: str = "2024-02-01") -> dict[int, dict]:
    return {r["id"]: r for r in map(json.loads, gk("findings", "--json", today=today).output.splitlines())}


def _setup() -> None:
    gk("ingest", str(FIXTURES / "y2023_v1.txt"), "--agency", AGENCY, "--year", "2023", "--new-agency")
    gk("audit")


def test_notice_life_and_deadlines_from_the_sent_date(db: str) -> None:  # noqa: F811
    _setup()
    active = {i for i, f in findings().items() if f["status"] == "open"}
    assert "没有整改通知" in gk("notices", "list").output
    gk("notices", "draft", "--agency", AGENCY, "--by", "张三")
    (draft,) = notices()
    assert draft["status"] == "draft" and draft["number"] is None and set(draft["findings"]) == active
    # everything is already in an unsent notice: a second draft has nothing to list
    assert "没有待列入" in gk("notices", "draft", "--agency", AGENCY, "--by", "张三", code=1).output

    # approval: a named reviewer who is not the drafter; the 文号 comes from the sequence
    assert "--by" in gk("notices", "approve", "1", code=2).output
    assert "不能是起草人" in gk("notices", "approve", "1", "--by", "张三", code=1).output
    assert "不能印发" in gk("notices", "send", "1", "--by", "王五", code=1).output  # not approved yet
    out = gk("notices", "approve", "1", "--by", "李四").output
    assert "某政公开〔2024〕1号" in out
    assert "不能审核" in gk("notices", "approve", "1", "--by", "李四", code=1).output

    # sending: not in the future, not before the 成文日期; deadlines count from the sent date
    assert "晚于今天" in gk("notices", "send", "1", "--date", "2024-02-02", "--by", "王五", code=1).output
    assert "早于成文日期" in gk("notices", "send", "1", "--date", "2024-01-31", "--by", "王五", code=1).output
    gk("notices", "send", "1", "--date", "2024-02-05", "--by", "王五", today="2024-02-06")
    after = findings()
    for fid in active:
        days = 20 if after[fid]["severity"] == "error" else 30
        assert after[fid]["deadline"] == add_workdays(date(2024, 2, 5), days).isoformat()
    with store.session_scope() as s:
        registered = s.exec(select(m.Notice)).one()
        assert registered.number == "某政公开〔2024〕1号" and registered.issued_on == date(2024, 2, 5)
        assert {r.finding_id for r in s.exec(select(m.NoticeFinding)).all()} == active

    # 回执: not before the sent date
    assert (
        "早于印发日期"
        in gk(
            "notices", "receipt", "1", "--date", "2024-02-04", "--by", "赵六", code=1, today="2024-02-06"
        ).output
    )
    gk(
        "notices",
        "receipt",
        "1",
        "--date",
        "2024-02-06",
        "--by",
        "赵六",
        "--note",
        "已收到",
        today="2024-02-06",
    )
    (done,) = notices()
    assert done["status"] == "acknowledged" and done["receipt_on"] == "2024-02-06"
    assert [(e["from"], e["to"], e["actor"]) for e in done["events"]] == [
        (None, "draft", "张三"),
        ("draft", "approved", "李四"),
        ("approved", "sent", "王五"),
        ("sent", "acknowledged", "赵六"),
    ]
    text = gk("notices", "list", today="2024-02-06").output
    assert "已回执" in text and "某政公开〔2024〕1号" in text


def test_numbers_are_never_given_twice(db: str) -> None:  # noqa: F811
    _setup()
    ids = sorted(findings())
    # a number registered by hand with `notice record` is taken too
    gk(
        "notice",
        "record",
        "--agency",
        AGENCY,
        "--number",
        "某政公开〔2024〕2号",
        "--date",
        "2024-02-01",
        str(ids[0]),
    )
    gk("notices", "draft", "--agency", AGENCY, "--by", "张三", str(ids[1]))
    gk("notices", "draft", "--agency", AGENCY, "--by", "张三", str(ids[2]))
    gk("notices", "draft", "--agency", AGENCY, "--by", "张三", str(ids[0]))
    assert "〔2024〕1号" in gk("notices", "approve", "1", "--by", "李四").output
    assert "〔2024〕3号" in gk("notices", "approve", "2", "--by", "李四").output
    # a new year starts its own sequence
    assert "〔2025〕1号" in gk("notices", "approve", "3", "--by", "李四", today="2025-01-05").output
    with store.session_scope() as s:
        assert {q.year: q.last for q in s.exec(select(m.NoticeSequence)).all()} == {2024: 3, 2025: 1}
    numbers = [n["number"] for n in notices()]
    assert len(set(numbers)) == len(numbers) == 3
    # a finding in an unsent notice cannot be drafted again; another agency's finding is refused
    assert (
        "尚未印发" in gk("notices", "draft", "--agency", AGENCY, "--by", "张三", str(ids[1]), code=1).output
    )
    gk(
        "ingest",
        str(FIXTURES / "y2024.txt"),
        "--agency",
        "中卫市测试二局",
        "--year",
        "2024",
        "--new-agency",
        "--force",
    )
    gk("audit", today="2025-02-01")
    other = max(i for i, f in findings(today="2025-02-01").items() if f["agency"] == "中卫市测试二局")
    assert "不属于" in gk("notices", "draft", "--agency", AGENCY, "--by", "张三", str(other), code=1).output
