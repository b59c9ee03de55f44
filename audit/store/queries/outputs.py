"""Reads the outputs need (audit.render): agencies in scope, finding details, coverage, evidence, notices."""

from __future__ import annotations

from sqlmodel import Session, col, select

from audit.store import coverage as report_coverage
from audit.store import tables as m
from audit.store.queries.core import current_reports, iso, source_of

# --------------------------------------------------------------------------- outputs (audit.render)


def agencies_in_scope(
    session: Session, *, region: str | None = None, agency: str | None = None
) -> list[dict]:
    """Return the agencies of a scope (region code prefix, or one name) as dicts, by name."""
    stmt = select(m.Agency).order_by(m.Agency.name)
    if region:
        stmt = stmt.where(col(m.Agency.region).startswith(region.rstrip("0") or region))
    if agency:
        stmt = stmt.where(m.Agency.name == agency)
    return [
        {"id": a.id, "name": a.name, "region": a.region, "level": a.level} for a in session.exec(stmt).all()
    ]


def finding_details(session: Session, finding_ids: list[int]) -> dict[int, dict]:
    """Return, per finding id, what the outputs show beyond ``query_findings``.

    The report the finding was last seen on, the 文号 of the notice that listed it, and the
    agency's reply as typed into the 整改清单.
    """
    if not finding_ids:
        return {}
    numbers = dict(session.exec(select(m.Notice.id, m.Notice.number)).all())
    out = {}
    for f in session.exec(select(m.Finding).where(col(m.Finding.id).in_(finding_ids))).all():
        out[f.id] = {
            "report_id": f.last_report_id,
            "notice": numbers.get(f.notice_id) if f.notice_id else None,
            "deadline_from": iso(f.deadline_from),
            "reply": f.reply,
            "reply_at": iso(f.reply_at),
            "rule_version": f.rule_version,
            "explanation": f.explanation,
            "explained_at": iso(f.explained_at),
        }
    return out


def coverage(session: Session, agency_ids: list[int]) -> dict[int, list[dict]]:
    """Return, per agency, what could and could not be checked in each year's current report.

    One dict per (agency, year) report, newest year first: ``year``, ``report_id``, ``gaps`` (the
    anomalies that left parts unread: kind, locator, detail) and, once the report has been audited
    (:mod:`audit.store.coverage`), ``evaluated`` (how many rules were evaluated),
    ``not_applicable`` and ``not_evaluated`` (rule → why); ``complete`` is False when a part was
    unread or a rule could not be evaluated.
    """
    out: dict[int, list[dict]] = {a: [] for a in agency_ids}
    rows = [r for r in current_reports(session) if r.agency_id in out]
    stored = report_coverage.records(session, [r.id for r in rows])  # type: ignore[misc]
    for row in sorted(rows, key=lambda r: -(r.year or 0)):
        parsed = session.exec(select(m.Report.parsed).where(m.Report.id == row.id)).one()
        gaps = report_coverage.gaps_of(parsed, row.readable)
        rec = stored.get(row.id)  # type: ignore[arg-type]
        not_evaluated = dict(rec.not_evaluated) if rec else {}
        out[row.agency_id].append(
            {
                "year": row.year,
                "report_id": row.id,
                "complete": not gaps and not not_evaluated,
                "gaps": gaps,
                "evaluated": len(rec.evaluated) if rec else None,
                "not_applicable": dict(rec.not_applicable) if rec else {},
                "not_evaluated": not_evaluated,
            }
        )
    return out


def evidence_source(session: Session, report_id: int) -> dict | None:
    """Return the archived document of a report and where its cells and sections are printed."""
    row = session.get(m.Report, report_id)
    if row is None:
        return None
    doc = session.get(m.Document, row.document_id)
    assert doc is not None
    parsed = row.parsed or {}
    return {
        "report_id": row.id,
        "archive_path": doc.archive_path,
        "source": source_of(doc),
        "url": doc.url,
        "sha256": doc.sha256,
        "version": row.version,
        "year": row.year,
        "readable": row.readable,
        "media_type": parsed.get("media_type"),
        "cells": {
            cid: cell.get("source") for cid, cell in (parsed.get("cells") or {}).items() if cell.get("source")
        },
        "sections": {
            sid: {
                "line": s.get("line"),
                "page": s.get("page"),
                "lines": s.get("lines"),
                "pages": s.get("pages"),
            }
            for sid, s in (parsed.get("sections") or {}).items()
        },
    }


def notice_json(session: Session, row: m.RectificationNotice) -> dict:
    """Return one 整改通知 of gkaudit with its agency, findings and steps."""
    agency = session.get(m.Agency, row.agency_id)
    items = session.exec(
        select(m.RectificationNoticeItem.finding_id)
        .where(m.RectificationNoticeItem.notice_id == row.id)
        .order_by(col(m.RectificationNoticeItem.finding_id))
    ).all()
    events = session.exec(
        select(m.RectificationNoticeEvent)
        .where(m.RectificationNoticeEvent.notice_id == row.id)
        .order_by(col(m.RectificationNoticeEvent.id))
    ).all()
    return {
        "id": row.id,
        "agency": agency.name if agency else None,
        "region": agency.region if agency else None,
        "status": row.status,
        "number": row.number,
        "created_by": row.created_by,
        "created_at": iso(row.created_at),
        "approved_by": row.approved_by,
        "approved_on": iso(row.approved_on),
        "sent_on": iso(row.sent_on),
        "sent_by": row.sent_by,
        "receipt_on": iso(row.receipt_on),
        "receipt_by": row.receipt_by,
        "receipt_note": row.receipt_note,
        "findings": list(items),
        "events": [
            {"at": iso(e.at), "actor": e.actor, "from": e.from_status, "to": e.to_status, "note": e.note}
            for e in events
        ],
    }


def query_notices(
    session: Session, *, status: str | None = None, region: str | None = None, agency: str | None = None
) -> list[dict]:
    """Return gkaudit's 整改通知 (every status, or one), filtered by region or agency, newest last."""
    stmt = select(m.RectificationNotice).join(m.Agency, col(m.Agency.id) == m.RectificationNotice.agency_id)
    if status:
        stmt = stmt.where(m.RectificationNotice.status == status)
    if region:
        stmt = stmt.where(col(m.Agency.region).startswith(region.rstrip("0") or region))
    if agency:
        stmt = stmt.where(m.Agency.name == agency)
    return [
        notice_json(session, row) for row in session.exec(stmt.order_by(col(m.RectificationNotice.id))).all()
    ]
