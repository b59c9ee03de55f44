"""Finding lifecycle on constructed findings: open, fixed, reopened, recurring, decisions, deadlines."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select
from test_store_support import db  # noqa: F401

from audit.report import Finding
from audit.store import archive, lifecycle, queries
from audit.store import db as store
from audit.store import tables as m

BL03 = Finding(
    rule="BL03", severity="error", locator="t3.total", message="表三总计列不平衡", evidence={"a": 1}
)
ST01 = Finding(rule="ST01", severity="error", locator="S5", message="缺少第五部分")
FM06 = Finding(rule="FM06", severity="warning", locator="S1", message="正文含 markdown 标记")
DAY = date(2026, 11, 2)  # a Monday


def _report(s: Session, agency: str, year: int, content: str) -> tuple[m.Agency, m.Report]:
    doc, _ = archive.store_document(s, content.encode(), agency=agency, original_name=f"{content}.txt")
    owner = s.get(m.Agency, doc.agency_id)
    rep = m.Report(agency_id=doc.agency_id, document_id=doc.id, year=year)
    s.add(rep)
    s.flush()
    return owner, rep  # type: ignore[return-value]


def _run(s: Session) -> m.AuditRun:
    run = m.AuditRun(catalogue_version="test-1")
    s.add(run)
    s.flush()
    return run


def _audit(agency_name: str, year: int, content: str, findings: list[Finding], day: date = DAY):
    with store.session_scope() as s:
        agency, rep = _report(s, agency_name, year, content)
        return lifecycle.reconcile(
            s, run=_run(s), agency=agency, year=year, report=rep, findings=findings, today=day
        )


def _reaudit_same(agency_name: str, year: int, findings: list[Finding], day: date = DAY):
    """Audit the newest stored version of the report again (as ``audit --all`` does)."""
    with store.session_scope() as s:
        agency = s.exec(select(m.Agency).where(m.Agency.name == agency_name)).one()
        rep = queries.current_reports(s, year)[0]
        return lifecycle.reconcile(
            s, run=_run(s), agency=agency, year=year, report=rep, findings=findings, today=day
        )


def _findings() -> dict[str, m.Finding]:
    with store.session_scope() as s:
        return {f"{f.year}:{f.rule}": f for f in s.exec(select(m.Finding)).all()}


def _events(finding_id: int) -> list[tuple[str | None, str, str]]:
    with store.session_scope() as s:
        rows = s.exec(
            select(m.FindingEvent).where(m.FindingEvent.finding_id == finding_id).order_by(m.FindingEvent.id)
        ).all()
        return [(e.from_status, e.to_status, e.actor) for e in rows]


def test_open_then_fixed_then_reopened(db: str) -> None:  # noqa: F811
    r1 = _audit("甲局", 2024, "v1", [BL03, ST01])
    assert (r1.opened, r1.fixed) == (2, 0)
    f = _findings()
    assert f["2024:BL03"].status == m.OPEN
    assert f["2024:BL03"].fingerprint == m.fingerprint("甲局", 2024, "BL03", "t3.total")
    assert f["2024:BL03"].rule_version == "test-1"
    assert f["2024:BL03"].deadline == date(2026, 11, 30)  # 20 working days for an error

    r2 = _audit("甲局", 2024, "v2", [ST01])  # corrected version: BL03 gone
    assert (r2.opened, r2.fixed) == (0, 1)
    f = _findings()
    assert f["2024:BL03"].status == m.FIXED
    assert f["2024:BL03"].fixed_report_id != f["2024:BL03"].first_report_id  # both versions kept
    assert f["2024:BL03"].fixed_in_run_id is not None and f["2024:BL03"].fixed_at is not None
    assert f["2024:ST01"].status == m.OPEN

    r3 = _audit("甲局", 2024, "v3", [BL03, ST01])  # comes back
    assert r3.reopened == 1
    f = _findings()
    assert f["2024:BL03"].status == m.OPEN and f["2024:BL03"].fixed_in_run_id is None
    assert [e[1] for e in _events(f["2024:BL03"].id)] == [m.OPEN, m.FIXED, m.OPEN]


def test_same_version_reaudit_is_idempotent_and_withdraws(db: str) -> None:  # noqa: F811
    _audit("甲局", 2024, "v1", [BL03, ST01])
    before = _findings()
    again = _reaudit_same("甲局", 2024, [BL03, ST01])
    assert (again.opened, again.reopened, again.fixed, again.withdrawn) == (0, 0, 0, 0)
    after = _findings()
    assert {k: v.id for k, v in before.items()} == {k: v.id for k, v in after.items()}
    assert all(len(_events(v.id)) == 1 for v in after.values())
    # the rule stopped firing on the very same document: withdrawn, not fixed
    third = _reaudit_same("甲局", 2024, [ST01])
    assert third.withdrawn == 1 and _findings()["2024:BL03"].status == m.WITHDRAWN


def test_recurring_across_years_both_orders(db: str) -> None:  # noqa: F811
    _audit("甲局", 2023, "y23", [BL03, ST01])
    _audit("甲局", 2024, "y24", [BL03, FM06])
    f = _findings()
    assert f["2024:BL03"].recurring and not f["2024:FM06"].recurring and not f["2023:BL03"].recurring
    # other agency, same rule: not recurring
    _audit("乙局", 2024, "b24", [BL03])
    with store.session_scope() as s:
        other = s.exec(select(m.Finding).join(m.Agency).where(m.Agency.name == "乙局")).one()
    assert not other.recurring
    # the earlier year audited after the later one still marks the later finding recurring
    _audit("丙局", 2024, "c24", [ST01])
    _audit("丙局", 2023, "c23", [ST01])
    with store.session_scope() as s:
        later = s.exec(
            select(m.Finding).join(m.Agency).where(m.Agency.name == "丙局", m.Finding.year == 2024)
        ).one()
    assert later.recurring


def test_decisions_survive_reaudits(db: str) -> None:  # noqa: F811
    _audit("甲局", 2024, "v1", [BL03, ST01, FM06])
    f = _findings()
    with store.session_scope() as s:
        lifecycle.decide(
            s, f["2024:BL03"].id, "dismiss", actor="张三", reason="表格实际平衡，解析误差", today=DAY
        )
        lifecycle.decide(s, f["2024:ST01"].id, "confirm", actor="李四", today=DAY)
        lifecycle.decide(
            s,
            f["2024:FM06"].id,
            "accept",
            actor="王五",
            reason="系统升级中",
            until=date(2026, 12, 31),
            today=DAY,
        )
    _reaudit_same("甲局", 2024, [BL03, ST01, FM06])
    f = _findings()
    assert (f["2024:BL03"].status, f["2024:ST01"].status, f["2024:FM06"].status) == (
        m.DISMISSED,
        m.CONFIRMED,
        m.ACCEPTED,
    )
    assert f["2024:BL03"].decision_by == "张三" and f["2024:BL03"].decision_reason == "表格实际平衡，解析误差"
    assert _events(f["2024:BL03"].id)[-1] == (m.OPEN, m.DISMISSED, "张三")


def test_acceptance_expiry_reopens(db: str) -> None:  # noqa: F811
    _audit("甲局", 2024, "v1", [FM06])
    fid = _findings()["2024:FM06"].id
    with store.session_scope() as s:
        lifecycle.decide(
            s, fid, "accept", actor="王五", reason="系统升级中", until=date(2026, 11, 10), today=DAY
        )
    with store.session_scope() as s:
        assert lifecycle.refresh(s, date(2026, 11, 10))["expired"] == 0
    with store.session_scope() as s:
        assert lifecycle.refresh(s, date(2026, 11, 11))["expired"] == 1
    row = _findings()["2024:FM06"]
    assert row.status == m.OPEN and row.deadline_from == date(2026, 11, 11)
    assert [e[1] for e in _events(fid)] == [m.OPEN, m.ACCEPTED, m.OPEN]


def test_decision_validation(db: str) -> None:  # noqa: F811
    _audit("甲局", 2024, "v1", [FM06])
    fid = _findings()["2024:FM06"].id
    with store.session_scope() as s:
        with pytest.raises(lifecycle.LifecycleError, match="--until"):
            lifecycle.decide(s, fid, "accept", actor="x", reason="r", today=DAY)
        with pytest.raises(lifecycle.LifecycleError, match="早于"):
            lifecycle.decide(s, fid, "accept", actor="x", reason="r", until=date(2026, 1, 1), today=DAY)
        with pytest.raises(lifecycle.LifecycleError, match="不存在"):
            lifecycle.decide(s, 99999, "confirm", actor="x", today=DAY)


def test_overdue_and_notice_deadline(db: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("GKAUDIT_DEADLINE_DAYS", "error=5,warning=10")
    _audit("甲局", 2024, "v1", [BL03, FM06])
    f = _findings()
    assert f["2024:BL03"].deadline == date(2026, 11, 9)
    assert lifecycle.effective_status(f["2024:BL03"], date(2026, 11, 9)) == m.OPEN
    assert lifecycle.effective_status(f["2024:BL03"], date(2026, 11, 10)) == m.OVERDUE
    with store.session_scope() as s:
        assert lifecycle.refresh(s, date(2026, 11, 10)) == {"expired": 0, "overdue": 1}
    assert _findings()["2024:BL03"].status == m.OVERDUE
    # a formal notice dated later restarts the count from its date
    with store.session_scope() as s:
        agency = s.exec(select(m.Agency)).one()
        lifecycle.record_notice(
            s,
            agency=agency,
            number="宁政公开〔2026〕12号",
            issued_on=date(2026, 11, 16),
            finding_ids=[f["2024:BL03"].id],
        )
    row = _findings()["2024:BL03"]
    assert row.status == m.OPEN and row.deadline == date(2026, 11, 23) and row.notice_id is not None
    # fixing an overdue finding closes it
    _audit("甲局", 2024, "v2", [FM06], day=date(2026, 12, 1))
    assert _findings()["2024:BL03"].status == m.FIXED


def test_unreadable_version_fixes_nothing(db: str) -> None:  # noqa: F811
    _audit("甲局", 2024, "v1", [BL03])
    with store.session_scope() as s:
        agency, rep = _report(s, "甲局", 2024, "scan")
        rep.readable = False
        res = lifecycle.reconcile(
            s, run=_run(s), agency=agency, year=2024, report=rep, findings=[], today=DAY, close_missing=False
        )
    assert res.fixed == 0 and _findings()["2024:BL03"].status == m.OPEN
