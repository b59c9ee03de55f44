"""What the crawler's records mean for the audit: TL04 for reports gone, the roster and deadlines of TL02.

The audit run (audit/run.py) asks this module three things: the context of a crawled report
(the HTTP status of its gone URLs for TL04, the registry's local deadline for TL01), which
agencies are due a TL02 (registered agencies count only when their 年报 column was read after
their deadline, and a report that is linked but unreachable was published), and it runs
:func:`check_gone_documents` as its ``gone`` step. Reads come from :mod:`audit.store.queries`.

To add a crawler-derived check: read the crawler's tables through a query in
``audit/store/queries.py``, decide here with the rule catalogue (``check_report`` on a stub
report with the right :class:`~audit.report.AuditContext`), and reconcile only that rule.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from audit.organs import publication_deadline
from audit.registry import deadline_on
from audit.report import AuditContext, Report
from audit.rulebook.check import check_report
from audit.store import db as store
from audit.store import lifecycle
from audit.store import tables as m
from audit.store.queries import gone_documents, lists_read_on, local_deadlines, published_years

GONE_RULE = "TL04"


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


def due_for_missing(session: Session, year: int, today: date, have: set[int]) -> list[int]:
    """Return the agencies due a TL02 for ``year``: no report (``have`` lists those with one), deadline passed.

    An agency whose 年报 column links a report for ``year`` has published it (unreachable: TL04).
    A registered agency is due only when all its list pages were read after its deadline: an
    unreachable site is "not checked", never "not published".
    """
    have = have | published_years(session, year)
    local, read_on = local_deadlines(session), lists_read_on(session)
    due = []
    for agency in session.exec(select(m.Agency)).all():
        deadline = publication_deadline(agency.level, year, deadline_on(local.get(agency.id), year))  # type: ignore[arg-type]
        read = read_on[agency.id] if agency.id in read_on else date.max  # type: ignore[index]
        if agency.id not in have and today > deadline and (read is not None and read > deadline):
            due.append(agency.id)  # type: ignore[arg-type]
    return due


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
                    source=urls[0]["url"], agency=agency.name, year=year, level=agency.level or "government"
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
