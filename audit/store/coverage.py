"""The coverage record of each audited report: what was checked, what did not apply, what could not be.

A report with no finding may have been checked in full, or half of it may have been unreadable;
the notice and the dashboard must say which (silence is never compliance). For each audited
report version the audit run (:func:`record`, called from audit/run.py) stores a
:class:`~audit.store.tables.ReportCoverage`:

- ``evaluated``: the rules that applied and were evaluated on every instance of their fact (a rule
  whose context is simply empty — no cross-agency copy found, the report exists — counts as
  evaluated: the store looked and found nothing);
- ``not_applicable``: rule → why not (form year, organ level, unknown level, no previous report in
  the store, no 发布日期, URL never re-checked, no notified finding last year);
- ``not_evaluated``: rule → why it applied but could not be evaluated: the cells it needed are
  among those the parser could not read (:data:`COVERAGE_KINDS` anomalies), or the whole report
  is unreadable;
- ``gaps``: those anomalies (kind, locator, detail).

``complete`` is False when anything could not be read or evaluated. :mod:`audit.store.queries`
(``coverage``) reads it for the outputs. To add a reason: a line in :data:`NEED_REASONS` or in
:func:`why_not`, and a test in tests/test_coverage.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from audit.form import describe_locator
from audit.organs import LEVEL_LABEL
from audit.report import AuditContext, Report
from audit.rulebook.catalog import Rule
from audit.rulebook.check import Evaluation, has_context
from audit.store import tables as m

# Parser anomalies that mean part of a report could not be checked.
COVERAGE_KINDS = ("unreadable", "reader", "missing_table", "missing_row", "column_count", "not_a_number")
BOTH_LEVELS = {"government", "department"}
# Why a rule that needs some context did not apply when the context lacks it; None: the store
# looked and found nothing to report (the rule counts as evaluated).
NEED_REASONS: dict[str, str | None] = {
    "previous": "库中没有同一机关上一年度的年报，未作跨年度比对",
    "published_on": "发布日期不详，未检查发布时效",
    "http_status": "未通过抓取核查网址，未检查可访问性",
    "notified": "上一年度没有已印发整改通知且尚未整改的问题",
    "copies": None,
    "missing_report": None,
}


def gaps_of(parsed: dict, readable: bool) -> list[dict]:
    """Return the anomalies of a stored parsed report that left parts unread (kind, locator, detail).

    The rows of a table that was not found at all are not listed again one by one.
    """
    found = [a for a in parsed.get("anomalies", []) if a.get("kind") in COVERAGE_KINDS]
    lost = {a.get("locator") for a in found if a.get("kind") == "missing_table" and a.get("locator")}
    gaps = [
        {"kind": a.get("kind"), "locator": a.get("locator"), "detail": a.get("detail") or ""}
        for a in found
        if not (a.get("kind") == "missing_row" and str(a.get("locator") or "").split(".")[0] in lost)
    ]
    if not readable and not any(g["kind"] == "unreadable" for g in gaps):
        gaps.insert(
            0, {"kind": "unreadable", "locator": None, "detail": parsed.get("unreadable_reason") or ""}
        )
    return gaps


def why_not(rule: Rule, report: Report, ctx: AuditContext) -> str | None:
    """Return why ``rule`` does not apply to ``report`` (None when it applies or its context is empty)."""
    a = rule.spec.applies
    if report.format not in a.formats:
        return f"仅适用于{'、'.join(a.formats)}年版格式，本报告为{report.format}年版"
    if report.level is None and set(a.levels) != BOTH_LEVELS:
        return f"仅适用于{'、'.join(LEVEL_LABEL[x] for x in a.levels)}，本报告机关层级未明"
    if report.level is not None and report.level not in a.levels:
        return f"仅适用于{'、'.join(LEVEL_LABEL[x] for x in a.levels)}"
    for need in a.needs:
        if not has_context(ctx, need) and NEED_REASONS.get(need):
            return NEED_REASONS[need]
    return None


def _gap_of(key: str, gaps: list[dict]) -> str | None:
    """Return the unread part (a gap's locator: the cell, its row or its table) a cell id lies in."""
    for gap in gaps:
        where = gap["locator"]
        if where and (key == where or key.startswith(where + ".")):
            return where
    return None


def _blocked(rule: Rule, evaluation: Evaluation, gaps: list[dict], readable: bool) -> str | None:
    """Return why ``rule`` could not be evaluated on some instance of its fact (None when it could).

    The reason names the unread parts the rule needed (a table, a row or a cell), as a reader says them.
    """
    if not readable:
        return None if rule.fact == "document" else "报告无法机读"
    parts: list[str] = []
    for fact in evaluation.facts:
        if fact.type != rule.fact or rule.condition.applicable(fact.fields):
            continue
        for key, value in fact.evidence.items():
            part = _gap_of(key, gaps) if value is None else None
            if part and part not in parts:
                parts.append(part)
    if not parts:
        return None
    shown = "、".join(describe_locator(p) for p in parts[:3])
    return f"未能读取{shown}{f'等{len(parts)}处' if len(parts) > 3 else ''}"


def build(report: Report, ctx: AuditContext, evaluation: Evaluation, parsed: dict) -> dict:
    """Return the coverage of one checked report: evaluated, not applicable, not evaluated, gaps."""
    gaps = gaps_of(parsed, report.readable)
    applied = {r.id for r in evaluation.rules}
    evaluated: list[str] = []
    not_applicable: dict[str, str] = {}
    not_evaluated: dict[str, str] = {}
    for rule in evaluation.catalog.rules:
        if rule.id not in applied:
            reason = why_not(rule, report, ctx)
            if reason:
                not_applicable[rule.id] = reason
            else:
                evaluated.append(rule.id)  # its context is empty: looked, nothing to find
            continue
        blocked = _blocked(rule, evaluation, gaps, report.readable)
        if blocked:
            not_evaluated[rule.id] = blocked
        else:
            evaluated.append(rule.id)
    return {
        "catalogue_version": evaluation.catalog.version,
        "complete": not gaps and not not_evaluated,
        "evaluated": evaluated,
        "not_applicable": not_applicable,
        "not_evaluated": not_evaluated,
        "gaps": gaps,
    }


def record(session: Session, report_id: int, run_id: int | None, coverage: dict) -> m.ReportCoverage:
    """Write (or replace) the coverage record of a report version (the caller's transaction)."""
    row = session.exec(select(m.ReportCoverage).where(m.ReportCoverage.report_id == report_id)).first()
    if row is None:
        row = m.ReportCoverage(report_id=report_id)
    for key, value in coverage.items():
        setattr(row, key, value)
    row.run_id = run_id
    row.updated_at = m.utcnow()
    session.add(row)
    return row


def records(session: Session, report_ids: Iterable[int]) -> dict[int, m.ReportCoverage]:
    """Return the stored coverage records of the given report versions, by report id."""
    ids = list(report_ids)
    if not ids:
        return {}
    rows = session.exec(select(m.ReportCoverage).where(col(m.ReportCoverage.report_id).in_(ids))).all()
    return {row.report_id: row for row in rows}
