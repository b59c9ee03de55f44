"""The audit context of a stored report: what its checks know beyond the document itself.

One place builds the :class:`~audit.report.AuditContext` of a stored report version, so that the
audit run (:mod:`audit.run`) and the rule-change preview (:mod:`audit.impact`) check a
report with exactly the same knowledge: last year's report (CY01–CY04), the first 发布日期 (TL01),
the registry's local deadline (TL01), the status of gone URLs (TL04), the cross-agency copies the
caller computed for the year (CY05) and last year's notified findings (CY06).

To give the checks something new: a field on ``AuditContext`` (audit/report.py), a read in
audit/store/queries.py, and a line here.
"""

from __future__ import annotations

from sqlmodel import Session

from audit import crawled
from audit.report import AuditContext
from audit.store import tables as m
from audit.store.queries import first_published, notified_findings, previous_report


def audit_context(session: Session, row: m.Report, doc: m.Document, copies: list[dict]) -> AuditContext:
    """Return the context of a stored report version (``copies``: its CY05 partners, from the caller)."""
    assert row.year is not None
    published_on = first_published(session, row) or doc.published_on
    return AuditContext(
        previous=previous_report(session, row.agency_id, row.year),
        published_on=published_on,
        copies=copies,
        http_status=crawled.gone_status(session, row.agency_id, row.year) or doc.http_status,
        local_deadline=crawled.local_deadline(session, row.agency_id, row.year),
        notified=notified_findings(session, row.agency_id, row.year, published_on),
    )
