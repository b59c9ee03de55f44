"""Reads of reports, documents and findings: what the audit, the CLI and every output start from."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from audit.report import Report
from audit.store import lifecycle
from audit.store import tables as m


def iso(value: object) -> str | None:
    """Return a date/datetime as ISO text (None stays None)."""
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def source_of(doc: m.Document) -> str:
    """Return how a document is named in findings: its URL, else its original file name."""
    return doc.url or doc.original_name or doc.archive_path


def _newest_versions(year: int | None = None):  # noqa: ANN202
    """Return the subquery: newest document id per (agency, year) report."""
    newest = (
        select(m.Report.agency_id, m.Report.year, func.max(m.Report.document_id).label("doc"))
        .where(col(m.Report.year).is_not(None))
        .group_by(m.Report.agency_id, m.Report.year)
    )
    if year is not None:
        newest = newest.where(m.Report.year == year)
    return newest.subquery()


def current_reports(session: Session, year: int | None = None) -> list[m.Report]:
    """Return the newest version of every (agency, year) report (optionally of one year).

    The parsed model (large) is not loaded; touch ``parsed`` only on a few rows.
    """
    sub = _newest_versions(year)
    stmt = select(m.Report).join(sub, m.Report.document_id == sub.c.doc).options(defer(m.Report.parsed))  # type: ignore[arg-type]
    return list(session.exec(stmt).all())


def current_report_keys(session: Session, year: int) -> list[tuple[int, int, datetime]]:
    """Return (report id, agency id, parsed_at) of the newest version of every agency's report of ``year``."""
    sub = _newest_versions(year)
    stmt = select(m.Report.id, m.Report.agency_id, m.Report.parsed_at).join(
        sub, m.Report.document_id == sub.c.doc
    )
    return [tuple(r) for r in session.exec(stmt).all()]  # type: ignore[misc]


def newest_documents(session: Session) -> dict[tuple[int, int], int]:
    """Return the newest document id of every (agency, year) report."""
    sub = _newest_versions()
    return {(a, y): d for a, y, d in session.exec(select(sub.c.agency_id, sub.c.year, sub.c.doc)).all()}


def previous_report(session: Session, agency_id: int, year: int) -> Report | None:
    """Return the stored newest version of the agency's report for ``year - 1``, parsed."""
    row = session.exec(
        select(m.Report)
        .where(m.Report.agency_id == agency_id, m.Report.year == year - 1, m.Report.readable == True)  # noqa: E712
        .order_by(col(m.Report.document_id).desc())
    ).first()
    if row is None or not row.parsed:
        return None
    return Report.model_validate(row.parsed)


def first_published(session: Session, row: m.Report) -> date | None:
    """Return the 发布日期 of the report's first known version (TL01 judges the first publication).

    A corrected re-publication keeps the original's date: correcting a report after the deadline
    does not make its first publication late.
    """
    return session.exec(
        select(func.min(m.Document.published_on))
        .join(m.Report, col(m.Report.document_id) == m.Document.id)
        .where(
            m.Report.agency_id == row.agency_id,
            m.Report.year == row.year,
            col(m.Report.document_id) <= row.document_id,
        )
    ).one()


# Findings the office notified that still stand: not fixed by a corrected re-publication, not
# dismissed, withdrawn or explained.
_NOT_STANDING = (m.FIXED, m.DISMISSED, m.WITHDRAWN, m.EXPLAINED)


def notified_findings(session: Session, agency_id: int, year: int, published_on: date | None) -> list[dict]:
    """Return last year's findings of an agency that a sent 整改通知 listed and that still stand (CY06).

    Findings of report year ``year - 1`` listed in a notice registered as sent (gkaudit's own
    notices register one when sent; ``notice record`` registers one by hand), except those fixed
    by re-publication, dismissed, withdrawn or explained. A notice dated on or after
    ``published_on`` (this year's report's publication) is not counted: the report could not
    answer it. A finding in several notices is given with the latest one. Each item is a dict as
    :attr:`audit.report.AuditContext.notified` describes.
    """
    stmt = (
        select(m.Finding, m.Notice)
        .join(m.NoticeFinding, col(m.NoticeFinding.finding_id) == m.Finding.id)
        .join(m.Notice, col(m.Notice.id) == m.NoticeFinding.notice_id)
        .where(
            m.Finding.agency_id == agency_id,
            m.Finding.year == year - 1,
            col(m.Finding.status).not_in(_NOT_STANDING),
        )
        .order_by(col(m.Finding.id), col(m.Notice.issued_on))
    )
    if published_on is not None:
        stmt = stmt.where(col(m.Notice.issued_on) < published_on)
    latest = {finding.id: (finding, notice) for finding, notice in session.exec(stmt).all()}
    return [
        {
            "finding_id": finding.id,
            "rule": finding.rule,
            "rule_title": finding.title,
            "locator": finding.locator,
            "message": finding.message,
            "year": finding.year,
            "notice": notice.number,
            "notice_date": notice.issued_on.isoformat(),
        }
        for finding, notice in latest.values()
    ]


def finding_json(
    finding: m.Finding,
    agency: m.Agency,
    today: date,
    *,
    source: str | None,
    first_seen: str | None,
    fixed_at: str | None,
) -> dict:
    """Return a finding as ``check --json`` plus its place in the store (docs/cli.md)."""
    status = lifecycle.effective_status(finding, today)
    return {
        "id": finding.id,
        "source": source,
        "rule": finding.rule,
        "severity": finding.severity,
        "locator": finding.locator or None,
        "message": finding.message,
        "evidence": finding.evidence,
        "title": finding.title,
        "agency": agency.name,
        "region": agency.region,
        "year": finding.year,
        "status": status,
        "overdue": status == m.OVERDUE,
        "recurring": finding.recurring,
        "deadline": iso(finding.deadline),
        "first_seen": first_seen,
        "fixed_at": fixed_at,
        "decision": finding.decision,
        "accepted_until": iso(finding.accepted_until),
        "fingerprint": finding.fingerprint,
        "resolution": finding.resolution,
        "explanation": finding.explanation,
    }


def query_findings(
    session: Session,
    today: date,
    *,
    status: str | None = None,
    region: str | None = None,
    agency: str | None = None,
    rule: str | None = None,
    year: int | None = None,
) -> list[dict]:
    """Return the stored findings as JSON objects, filtered; ``status`` matches the effective one."""
    stmt = select(m.Finding, m.Agency).join(m.Agency, col(m.Agency.id) == m.Finding.agency_id)
    if region:
        stmt = stmt.where(col(m.Agency.region).startswith(region.rstrip("0") or region))
    if agency:
        stmt = stmt.where(m.Agency.name == agency)
    if rule:
        stmt = stmt.where(m.Finding.rule == rule.upper())
    if year:
        stmt = stmt.where(m.Finding.year == year)
    stmt = stmt.order_by(m.Agency.name, m.Finding.year, m.Finding.rule, m.Finding.locator)
    rows = session.exec(stmt).all()
    runs = {r.id: r for r in session.exec(select(m.AuditRun)).all()}
    report_ids = {f.last_report_id for f, _ in rows} | {
        f.fixed_report_id for f, _ in rows if f.fixed_report_id
    }
    sources = report_sources(session, [r for r in report_ids if r is not None]) if report_ids else {}
    out = []
    for finding, owner in rows:
        first = runs.get(finding.first_seen_run_id)
        obj = finding_json(
            finding,
            owner,
            today,
            source=sources.get(finding.last_report_id),
            first_seen=iso(first.started_at if first else finding.first_seen_at),
            fixed_at=iso(finding.fixed_at),
        )
        obj["fixed_source"] = sources.get(finding.fixed_report_id) if finding.fixed_report_id else None
        if status and obj["status"] != status:
            continue
        out.append(obj)
    return out


def query_reports(session: Session, year: int | None = None) -> list[dict]:
    """Return one object per (agency, year) report: its newest version and the findings it has.

    Four queries whatever the number of reports (no query per row).
    """
    rows = current_reports(session, year)
    agencies = {a.id: a for a in session.exec(select(m.Agency)).all()}
    docs = {
        d.id: d
        for d in session.exec(
            select(m.Document).where(col(m.Document.id).in_([r.document_id for r in rows]))
        ).all()
    }
    versions_q = select(m.Report.agency_id, m.Report.year, func.count()).group_by(
        m.Report.agency_id, m.Report.year
    )
    counts_q = select(m.Finding.agency_id, m.Finding.year, m.Finding.status, func.count()).group_by(
        m.Finding.agency_id, m.Finding.year, m.Finding.status
    )
    if year is not None:
        versions_q = versions_q.where(m.Report.year == year)
        counts_q = counts_q.where(m.Finding.year == year)
    versions = {(a, y): int(n) for a, y, n in session.exec(versions_q).all()}
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for a, y, status, n in session.exec(counts_q).all():
        counts.setdefault((a, y), {})[status] = int(n)
    out = []
    for row in rows:
        agency, doc = agencies[row.agency_id], docs[row.document_id]
        by_status = counts.get((row.agency_id, row.year), {})  # type: ignore[arg-type]
        out.append(
            {
                "agency": agency.name,
                "region": agency.region,
                "year": row.year,
                "url": doc.url,
                "source": doc.url or doc.original_name,
                "published_on": iso(doc.published_on),
                "format": row.format,
                "sha256": doc.sha256,
                "versions": versions.get((row.agency_id, row.year), 1),  # type: ignore[arg-type]
                "version": row.version,
                "audited": row.audited_run_id is not None,
                "readable": row.readable,
                "is_report": row.is_report,
                "parse_error": row.parse_error,
                "findings": sum(v for k, v in by_status.items() if k in m.ACTIVE),
                "findings_by_status": by_status,
            }
        )
    out.sort(key=lambda o: (o["year"], o["agency"]))
    return out


def document_of(session: Session, report_id: int | None) -> dict | None:
    """Return the document behind a report row as evidence cites it (agency, year, version, sha256, URL)."""
    if report_id is None:
        return None
    row = session.get(m.Report, report_id)
    if row is None:
        return None
    doc = session.get(m.Document, row.document_id)
    agency = session.get(m.Agency, row.agency_id)
    assert doc is not None and agency is not None
    return {
        "agency": agency.name,
        "year": row.year,
        "version": row.version,
        "sha256": doc.sha256,
        "url": doc.url,
        "file": doc.original_name,
        "published_on": iso(doc.published_on),
        "fetched_at": iso(doc.fetched_at),
        "received_from": doc.received_from,
        "archive_path": doc.archive_path,
    }


def finding_detail(session: Session, finding_id: int, today: date) -> dict | None:
    """Return one finding with everything a disputed notice needs: document, evidence, history."""
    row = session.get(m.Finding, finding_id)
    if row is None:
        return None
    agency = session.get(m.Agency, row.agency_id)
    assert agency is not None
    document = document_of(session, row.last_report_id)
    obj = finding_json(
        row,
        agency,
        today,
        source=(document or {}).get("url") or (document or {}).get("file"),
        first_seen=iso(row.first_seen_at),
        fixed_at=iso(row.fixed_at),
    )
    obj["document"] = document
    obj["fixed_document"] = document_of(session, row.fixed_report_id)
    obj["rule_version"] = row.rule_version
    obj["explained_by"] = row.explained_by
    obj["explained_at"] = iso(row.explained_at)
    obj["product_version"] = row.product_version
    obj["events"] = [
        {"at": iso(e.at), "actor": e.actor, "from": e.from_status, "to": e.to_status, "reason": e.reason}
        for e in session.exec(
            select(m.FindingEvent)
            .where(m.FindingEvent.finding_id == finding_id)
            .order_by(col(m.FindingEvent.id))
        ).all()
    ]
    return obj


def active_finding_ids(
    session: Session, agency_id: int, severities: tuple[str, ...] = ("error", "warning")
) -> list[int]:
    """Return the ids of an agency's unresolved findings of the given severities."""
    return list(
        session.exec(
            select(m.Finding.id).where(
                m.Finding.agency_id == agency_id,
                col(m.Finding.status).in_(m.ACTIVE),
                col(m.Finding.severity).in_(severities),
            )
        ).all()
    )  # type: ignore[arg-type]


def report_sources(session: Session, report_ids: list[int]) -> dict[int, str]:
    """Return how each report's document is named (URL, else file name), by report id."""
    rows = session.exec(
        select(m.Report.id, m.Document)
        .join(m.Document, col(m.Document.id) == m.Report.document_id)
        .where(col(m.Report.id).in_(report_ids))
    ).all()
    return {rid: source_of(doc) for rid, doc in rows}  # type: ignore[misc]
