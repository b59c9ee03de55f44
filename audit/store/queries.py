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
    sources: dict[int, str] = {}
    if report_ids:
        for rid, doc in session.exec(
            select(m.Report.id, m.Document)
            .join(m.Document, col(m.Document.id) == m.Report.document_id)
            .where(col(m.Report.id).in_(report_ids))
        ).all():
            sources[rid] = doc.url or doc.original_name or doc.archive_path  # type: ignore[index]
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
    """Return one object per (agency, year) report: its newest version and the findings it has."""
    rows = current_reports(session, year)
    out = []
    for row in rows:
        agency = session.get(m.Agency, row.agency_id)
        doc = session.get(m.Document, row.document_id)
        assert agency is not None and doc is not None
        versions = session.exec(
            select(func.count())
            .select_from(m.Report)
            .where(m.Report.agency_id == row.agency_id, m.Report.year == row.year)
        ).one()
        counts = dict(
            session.exec(
                select(m.Finding.status, func.count())
                .where(m.Finding.agency_id == row.agency_id, m.Finding.year == row.year)
                .group_by(m.Finding.status)
            ).all()
        )
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
                "versions": int(versions),
                "version": row.version,
                "audited": row.audited_run_id is not None,
                "findings": sum(v for k, v in counts.items() if k in m.ACTIVE),
                "findings_by_status": counts,
            }
        )
    out.sort(key=lambda o: (o["year"], o["agency"]))
    return out


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
