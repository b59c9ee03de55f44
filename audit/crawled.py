"""What the crawler's records mean for the audit: TL04 for reports gone, the roster and deadlines of TL02.

The audit run (audit/run.py) asks this module three things: the context of a crawled report
(the HTTP status of its gone URLs for TL04, the registry's local deadline for TL01); the roster of
TL02 — what the store observed about every agency and last year's report, judged by TL02's rule
(:func:`check_missing_reports`, its ``missing`` step); and the gone documents of TL04
(:func:`check_gone_documents`, its ``gone`` step). Reads come from :mod:`audit.store.queries`.

To add a crawler-derived check: read the crawler's tables through a query in
``audit/store/queries.py``, decide here with the rule catalogue (``check_report`` on a stub
report with the right :class:`~audit.report.AuditContext`), and reconcile only that rule.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from audit.facts.roster import RosterEntry
from audit.organs import effective_level, publication_deadline
from audit.registry import deadline_on
from audit.report import AuditContext, Report
from audit.rulebook.check import check_report, check_roster
from audit.store import db as store
from audit.store import lifecycle
from audit.store import tables as m
from audit.store.queries import gone_documents, lists_read_on, local_deadlines, published_years

GONE_RULE = "TL04"
MISSING_RULE = "TL02"


def gone_status(session: Session, agency_id: int, year: int | None) -> int | None:
    """Return the HTTP status of the first gone URL of an agency's report for ``year`` (TL04), or None."""
    if year is None:
        return None
    gone = gone_documents(session, year).get((agency_id, year))
    return gone[0]["status"] if gone else None


def local_deadline(session: Session, agency_id: int, year: int | None) -> date | None:
    """Return the registry's local deadline for the agency's report of ``year`` (TL01, TL02), or None."""
    if year is None:
        return None
    return deadline_on(local_deadlines(session).get(agency_id), year)


def roster(session: Session, year: int, today: date) -> list[RosterEntry]:
    """Return what the store observed about every known agency and the report of ``year`` (TL02).

    Documents that could be that report: read as ``year``, declared as ``year``, or of unknown year
    (a document that failed to parse is “not checked”, never “not published”). A link in the 年报
    column counts as published (unreachable: TL04). A registered agency's column counts as checked
    only when all its list pages answered after the deadline; an agency that is not crawled (known
    from ingested documents) is checked by what the office received.
    """
    documents = _documents_for_year(session, year)
    linked = published_years(session, year)
    local, read_on = local_deadlines(session), lists_read_on(session)
    out = []
    for agency in session.exec(select(m.Agency)).all():
        level = effective_level(agency.level, agency.name)
        deadline = publication_deadline(level, year, deadline_on(local.get(agency.id), year))  # type: ignore[arg-type]
        read = read_on[agency.id] if agency.id in read_on else date.max  # type: ignore[index]
        out.append(
            RosterEntry(
                agency=agency.name,
                year=year,
                level=level,
                deadline=deadline,
                today=today,
                documents=documents.get(agency.id, 0),  # type: ignore[arg-type]
                linked=agency.id in linked,
                column_checked=read is not None and read > deadline,
            )
        )
    return out


def _documents_for_year(session: Session, year: int) -> dict[int, int]:
    """Return, per agency, how many documents could be its report of ``year`` (see :func:`roster`)."""
    rows = session.exec(
        select(m.Document.agency_id, m.Document.id, m.Document.year_hint, m.Report.year).join(
            m.Report, col(m.Report.document_id) == m.Document.id, isouter=True
        )
    ).all()
    counts: dict[int, int] = {}
    for agency_id, _doc, hint, parsed_year in rows:
        year_known = hint if hint is not None else parsed_year
        if year_known is None or year_known == year:
            counts[agency_id] = counts.get(agency_id, 0) + 1
    return counts


def check_missing_reports(run_id: int, today: date) -> tuple[int, int]:
    """Record TL02 for last year's report of every agency on the roster, as its rule decides.

    Returns (findings opened or reopened, findings withdrawn). Only agencies the rule fires on, or
    that hold an active TL02 to close, get a transaction of their own.
    """
    opened = closed = 0
    year = today.year - 1
    with store.session_scope() as session:
        entries = {e.agency: e for e in roster(session, year, today)}
        active = set(
            session.exec(
                select(m.Agency.name)
                .join(m.Finding, col(m.Finding.agency_id) == m.Agency.id)
                .where(
                    m.Finding.rule == MISSING_RULE,
                    m.Finding.year == year,
                    col(m.Finding.status).in_(m.ACTIVE),
                )
            ).all()
        )
    for name, entry in sorted(entries.items()):
        found = check_roster(entry)
        if not found and name not in active:
            continue
        with store.session_scope() as session:
            agency = session.exec(select(m.Agency).where(m.Agency.name == name)).one()
            run = session.get(m.AuditRun, run_id)
            assert run is not None
            result = lifecycle.reconcile(
                session,
                run=run,
                agency=agency,
                year=year,
                report=None,
                findings=found,
                today=today,
                only_rules={MISSING_RULE},
            )
            opened += result.opened + result.reopened
            closed += result.withdrawn
    return opened, closed


def check_gone_documents(run_id: int, today: date) -> tuple[int, int]:
    """Record TL04 for every (agency, year) with a published report URL that no longer resolves.

    Returns (findings opened or reopened, findings closed). A TL04 whose URLs all resolve again is
    closed. One transaction per (agency, year).
    """
    opened = closed = 0
    with store.session_scope() as session:
        gone = gone_documents(session)
        active = set(
            session.exec(
                select(m.Finding.agency_id, m.Finding.year).where(
                    m.Finding.rule == GONE_RULE, col(m.Finding.status).in_(m.ACTIVE)
                )
            ).all()
        )
    for agency_id, year in sorted(set(gone) | active):
        with store.session_scope() as session:
            agency = session.get(m.Agency, agency_id)
            run = session.get(m.AuditRun, run_id)
            assert agency is not None and run is not None
            urls = gone.get((agency_id, year), [])
            found = []
            if urls:
                stub = Report(
                    source=urls[0]["url"],
                    agency=agency.name,
                    year=year,
                    level=effective_level(agency.level, agency.name),
                )
                found = [
                    f
                    for f in check_report(stub, AuditContext(http_status=urls[0]["status"]))
                    if f.rule == GONE_RULE
                ]
                for finding in found:
                    finding.source = urls[0]["url"]
            newest = session.exec(
                select(m.Report)
                .where(m.Report.agency_id == agency_id, m.Report.year == year)
                .order_by(col(m.Report.document_id).desc())
            ).first()
            result = lifecycle.reconcile(
                session,
                run=run,
                agency=agency,
                year=year,
                report=newest,
                findings=found,
                today=today,
                only_rules={GONE_RULE},
            )
            opened += result.opened + result.reopened
            closed += result.fixed + result.withdrawn
    return opened, closed
