"""Correct-or-explain in the lifecycle: who may be explained, what ``explained`` means, what ends it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from test_store_support import db  # noqa: F401

from audit.report import Finding
from audit.store import archive, lifecycle, notices
from audit.store import db as store
from audit.store import tables as m

DAY = date(2026, 11, 2)
CY01 = Finding(
    rule="CY01",
    severity="error",
    locator="t3.carry_in.total",
    message="结转不衔接",
    resolution="correct_or_explain",
)
BL03 = Finding(rule="BL03", severity="error", locator="t3.total", message="表三不平衡")


def _audit(content: str, found: list[Finding], day: date = DAY) -> None:
    """Audit a (new) document version of 甲局's 2025 report that shows ``found``."""
    with store.session_scope() as s:
        doc, _ = archive.store_document(s, content.encode(), agency="甲局", original_name=f"{content}.txt")
        report = m.Report(agency_id=doc.agency_id, document_id=doc.id, year=2025)
        run = m.AuditRun(catalogue_version="t")
        s.add_all([report, run])
        s.flush()
        agency = s.get(m.Agency, doc.agency_id)
        lifecycle.reconcile(s, run=run, agency=agency, year=2025, report=report, findings=found, today=day)


def _rows() -> dict[str, m.Finding]:
    with store.session_scope() as s:
        return {f.rule: f for f in s.exec(select(m.Finding)).all()}


def test_only_an_explainable_unresolved_finding_can_be_explained(db: str) -> None:  # noqa: F811
    _audit("v1", [CY01, BL03])
    rows = _rows()
    assert (rows["CY01"].resolution, rows["BL03"].resolution) == ("correct_or_explain", "correct")
    with store.session_scope() as s:
        for fid, text, why in (
            (rows["BL03"].id, "数据无误", "只能通过整改解决"),
            (rows["CY01"].id, "  ", "须用 --text"),
            (9999, "x", "不存在"),
        ):
            with pytest.raises(lifecycle.LifecycleError, match=why):
                lifecycle.explain(s, fid, text, actor="赵六")
        lifecycle.explain(s, rows["CY01"].id, "机构 合并\n所致", actor="赵六")
    row = _rows()["CY01"]
    assert (row.status, row.explanation, row.explained_by) == (m.EXPLAINED, "机构 合并 所致", "赵六")
    assert m.EXPLAINED not in m.ACTIVE and m.EXPLAINED != m.FIXED
    with store.session_scope() as s:
        ev = s.exec(select(m.FindingEvent).order_by(m.FindingEvent.id.desc())).first()  # type: ignore[union-attr]
        assert (ev.from_status, ev.to_status, ev.actor, ev.reason) == (
            m.OPEN,
            m.EXPLAINED,
            "赵六",
            "机关说明：机构 合并 所致",
        )
        # resolved: the calendar leaves it alone and a new notice does not list it
        lifecycle.refresh(s, date(2027, 12, 31))
        agency = s.exec(select(m.Agency)).one()
        drafted = notices.draft(s, agency=agency, actor="张三")
        assert notices.finding_ids(s, drafted.id) == [rows["BL03"].id]
    assert _rows()["CY01"].status == m.EXPLAINED


def test_an_explained_finding_survives_a_rerun_and_a_correction_without_it_fixes_it(db: str) -> None:  # noqa: F811
    _audit("v1", [CY01, BL03])
    with store.session_scope() as s:
        lifecycle.explain(s, _rows()["CY01"].id, "机构合并", actor="赵六")
    _audit("v2", [CY01])  # re-published, BL03 corrected, CY01 still there: still explained
    rows = _rows()
    assert (rows["CY01"].status, rows["BL03"].status) == (m.EXPLAINED, m.FIXED)
    _audit("v3", [])  # corrected in full: the explanation is no longer needed
    assert _rows()["CY01"].status == m.FIXED
    with store.session_scope() as s, pytest.raises(lifecycle.LifecycleError, match="不能登记说明"):
        lifecycle.explain(s, rows["CY01"].id, "机构合并", actor="赵六")
