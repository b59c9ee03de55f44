"""Every read of the store that the CLI and the outputs need, in one place.

Reads return plain dicts (JSON-ready, the shape of ``spec/cli.md``) or rows; nothing here writes.
To add a read: write a function taking a ``Session`` and keyword filters, and a test in
tests/test_store_queries.py; the CLI formats what it returns.
"""

from __future__ import annotations

from datetime import date

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


def finding_json(
    finding: m.Finding,
    agency: m.Agency,
    today: date,
    *,
    source: str | None,
    first_seen: str | None,
    fixed_at: str | None,
) -> dict:
    """Return a finding as ``check --json`` plus its place in the store (spec/cli.md)."""
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


# --------------------------------------------------------------------------- outputs (audit.render)

# Parser anomalies that mean part of a report could not be checked (the coverage of a notice).
COVERAGE_KINDS = ("unreadable", "reader", "missing_table", "missing_row", "column_count", "not_a_number")


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
        }
    return out


def coverage(session: Session, agency_ids: list[int]) -> dict[int, list[dict]]:
    """Return, per agency, what could and could not be checked in each year's current report.

    One dict per (agency, year) report: ``year``, ``complete`` (every part read) and ``gaps`` (the
    anomalies that left parts unchecked: kind, locator, detail), newest year first.
    """
    out: dict[int, list[dict]] = {a: [] for a in agency_ids}
    rows = [r for r in current_reports(session) if r.agency_id in out]
    for row in sorted(rows, key=lambda r: -(r.year or 0)):
        parsed = session.exec(select(m.Report.parsed).where(m.Report.id == row.id)).one()
        gaps = [
            {"kind": a.get("kind"), "locator": a.get("locator"), "detail": a.get("detail") or ""}
            for a in parsed.get("anomalies", [])
            if a.get("kind") in COVERAGE_KINDS
        ]
        if not row.readable and not any(g["kind"] == "unreadable" for g in gaps):
            gaps.insert(
                0, {"kind": "unreadable", "locator": None, "detail": parsed.get("unreadable_reason") or ""}
            )
        out[row.agency_id].append({"year": row.year, "complete": not gaps, "gaps": gaps, "report_id": row.id})
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


# --------------------------------------------------------------------------- the crawler's records
# Reads over the registry and the crawler's URL state: which agencies are registered and with what
# local deadline, which published reports no longer resolve (TL04), which agencies' 年报 columns
# were read (TL02 may only fire for an agency whose column was read after its deadline).


def agency_by_name(session: Session, name: str) -> m.Agency | None:
    """Return the agency printed as ``name``: its canonical name or an alias from the registry."""
    found = session.exec(select(m.Agency).where(m.Agency.name == name)).first()
    if found is not None:
        return found
    alias = session.exec(select(m.AgencyAlias).where(m.AgencyAlias.name == name)).first()
    return session.get(m.Agency, alias.agency_id) if alias is not None else None


def local_deadlines(session: Session) -> dict[int, str]:
    """Return the registry's local publication deadline (``MM-DD``) of every agency that has one."""
    rows = session.exec(
        select(m.RegistryEntry.agency_id, m.RegistryEntry.deadline).where(
            col(m.RegistryEntry.deadline).is_not(None),
            m.RegistryEntry.active == True,  # noqa: E712
        )
    ).all()
    return {agency_id: deadline for agency_id, deadline in rows if deadline}


def gone_documents(session: Session, year: int | None = None) -> dict[tuple[int, int], list[dict]]:
    """Return, per (agency id, report year), the published report URLs that no longer resolve (TL04).

    A URL is gone when it answered 4xx (or 5xx on several crawls in a row) after it was published:
    a report page, the report file or an attachment of a report page; list pages are not counted.
    Each entry: ``url``, ``kind``, ``status`` (the HTTP status), ``since`` (ISO time), ``document_id``
    (the last version stored from it, if any). Entries are ordered by URL; the statuses are real
    answers (a URL that never answered is not gone, it is failing).
    """
    stmt = select(m.UrlState).where(
        col(m.UrlState.gone_since).is_not(None),
        col(m.UrlState.gone_status) >= 400,
        col(m.UrlState.year).is_not(None),
        m.UrlState.kind != "list",
    )
    if year is not None:
        stmt = stmt.where(m.UrlState.year == year)
    out: dict[tuple[int, int], list[dict]] = {}
    for row in session.exec(stmt.order_by(m.UrlState.url)).all():
        out.setdefault((row.agency_id, row.year), []).append(  # type: ignore[arg-type]
            {
                "url": row.url,
                "kind": row.kind,
                "status": row.gone_status,
                "since": iso(row.gone_since),
                "document_id": row.document_id,
            }
        )
    return out


def published_years(session: Session, year: int) -> set[int]:
    """Return the agencies whose 年报 column links a report for ``year`` (a page or a file), reachable or not.

    An agency that published a report whose file is broken has published (TL04), not failed to
    publish (TL02).
    """
    return set(
        session.exec(
            select(m.UrlState.agency_id).where(m.UrlState.year == year, m.UrlState.kind != "list").distinct()
        ).all()
    )


def lists_read_on(session: Session) -> dict[int, date | None]:
    """Return, per registered agency, the day all its 年报 list pages last answered (None: never all).

    TL02 (no report after the deadline) is decided for a registered agency only when its column
    was read after the deadline; an unreachable site is "not checked", never "not published".
    """
    out: dict[int, date | None] = {}
    for entry in session.exec(select(m.RegistryEntry).where(m.RegistryEntry.active == True)).all():  # noqa: E712
        days: list[date | None] = []
        for url in entry.lists:
            state = session.exec(
                select(m.UrlState).where(m.UrlState.agency_id == entry.agency_id, m.UrlState.url == url)
            ).first()
            days.append(state.last_ok_at.date() if state is not None and state.last_ok_at else None)
        out[entry.agency_id] = None if not days or None in days else min(d for d in days if d)
    return out


def crawl_runs(session: Session, limit: int = 10) -> list[m.CrawlRun]:
    """Return the newest crawl runs, newest first."""
    return list(session.exec(select(m.CrawlRun).order_by(col(m.CrawlRun.id).desc()).limit(limit)).all())
