"""Ingest and audit orchestration: archive raw bytes, parse, check, persist findings per report.

- :func:`store_document` is the one way a document enters the store, whether crawled or received
  by e-mail/upload: bytes are archived under ``<data>/archive/`` by sha256 and a
  :class:`~audit.store.tables.Document` row is written (one per distinct content: every version is kept).
- :func:`run_audit` parses what is new (or everything with ``all_documents``), computes the
  cross-agency copies (CY05) for the years concerned, checks each report with its previous-year
  report (CY01–CY04) and merges the findings into the store, one transaction per report.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import true
from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from audit.facts import similarity
from audit.organs import publication_deadline
from audit.report import Anomaly, AuditContext, Report
from audit.store import db as store
from audit.store import lifecycle
from audit.store import tables as m

log = logging.getLogger(__name__)
EXTENSIONS = {"text": ".txt", "html": ".html", "pdf": ".pdf", "docx": ".docx", "doc": ".doc"}


class PipelineError(RuntimeError):
    """A problem the pipeline reports to the user (message in Chinese)."""


def catalogue_version() -> str:
    """Return the rule catalogue's version string, or ``"unknown"`` when it cannot be loaded."""
    try:
        from audit.rulebook.check import default_catalog

        return str(default_catalog().version or "unknown")
    except Exception:  # noqa: BLE001  (a broken catalogue is reported when checking)
        return "unknown"


def _sniff_kind(data: bytes, name: str) -> str:
    """Return the document kind (text, html, pdf, …) sniffed from the bytes."""
    from audit.readers import sniff

    return sniff(data, name)


def archive_bytes(data: bytes, name: str = "") -> tuple[str, str, str]:
    """Write ``data`` under the archive by sha256 (once); return (sha256, relative path, kind)."""
    digest = hashlib.sha256(data).hexdigest()
    kind = _sniff_kind(data, name)
    rel = Path("archive") / digest[:2] / (digest + EXTENSIONS.get(kind, ".bin"))
    target = store.data_dir() / rel
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    return digest, rel.as_posix(), kind


def get_agency(
    session: Session,
    name: str,
    *,
    level: str | None = None,
    region: str | None = None,
    parent: str | None = None,
    website: str | None = None,
) -> m.Agency:
    """Return the agency called ``name``, created if new; given attributes fill or update it."""
    agency = session.exec(select(m.Agency).where(m.Agency.name == name)).first()
    if agency is None:
        agency = m.Agency(name=name)
    for attr, value in (("level", level), ("region", region), ("parent", parent), ("website", website)):
        if value:
            setattr(agency, attr, value)
    session.add(agency)
    session.flush()
    return agency


def store_document(
    session: Session,
    data: bytes,
    *,
    agency: str,
    url: str | None = None,
    original_name: str | None = None,
    origin: str = "ingest",
    content_type: str | None = None,
    fetched_at: datetime | None = None,
    published_on: date | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    http_status: int | None = None,
    year: int | None = None,
    level: str | None = None,
    region: str | None = None,
) -> tuple[m.Document, bool]:
    """Store one document version (crawler and ingest alike); return (row, whether it is new).

    The same bytes for the same agency are one version: storing them again only fills in
    metadata that was missing (URL, 发布日期, validators) and returns ``False``.
    """
    if not data:
        raise PipelineError(f"{original_name or url or '文件'}：内容为空")
    owner = get_agency(session, agency, level=level, region=region)
    digest, rel, kind = archive_bytes(data, original_name or url or "")
    existing = session.exec(
        select(m.Document).where(m.Document.agency_id == owner.id, m.Document.sha256 == digest)
    ).first()
    if existing is not None:
        for attr, value in (
            ("url", url),
            ("published_on", published_on),
            ("etag", etag),
            ("last_modified", last_modified),
            ("http_status", http_status),
            ("year_hint", year),
            ("level_hint", level),
        ):
            if value is not None and getattr(existing, attr) is None:
                setattr(existing, attr, value)
        session.add(existing)
        session.flush()
        return existing, False
    from audit.readers import KINDS

    doc = m.Document(
        agency_id=owner.id,  # type: ignore[arg-type]
        url=url,
        sha256=digest,
        size=len(data),
        content_type=content_type or KINDS.get(kind, "application/octet-stream"),
        original_name=original_name,
        origin=origin,
        fetched_at=fetched_at or m.utcnow(),
        published_on=published_on,
        etag=etag,
        last_modified=last_modified,
        http_status=http_status,
        archive_path=rel,
        year_hint=year,
        level_hint=level,
    )
    session.add(doc)
    session.flush()
    return doc, True


def known_validators(session: Session, url: str) -> dict[str, str | None] | None:
    """Return what a conditional re-fetch of ``url`` needs: the newest version's ETag, Last-Modified, sha256."""
    doc = session.exec(
        select(m.Document).where(m.Document.url == url).order_by(col(m.Document.fetched_at).desc())
    ).first()
    if doc is None:
        return None
    return {"etag": doc.etag, "last_modified": doc.last_modified, "sha256": doc.sha256}


# --------------------------------------------------------------------------- audit


@dataclass
class AuditSummary:
    """What one audit run did (also kept on the :class:`~audit.store.tables.AuditRun` row)."""

    run_id: int
    documents: int
    reports_audited: int
    errors: list[dict]
    opened: int
    reopened: int
    fixed: int
    findings_total: int
    status: str
    seconds: float


def _narrative(report: Report) -> dict[str, str]:
    """Return the narrative sections' text (the input of CY04/CY05)."""
    return {sid: report.sections[sid].text for sid in similarity.NARRATIVE_SECTIONS if sid in report.sections}


def _source_of(doc: m.Document) -> str:
    """Return how a document is named in findings: its URL, else its original file name."""
    return doc.url or doc.original_name or doc.archive_path


_YEAR_IN_NAME = re.compile(r"(?<!\d)(20[0-4]\d)(?!\d)")


def guess_year(doc: m.Document) -> int | None:
    """Return the report year of a document whose text gives none (e.g. an unreadable scan).

    A year printed in the file name or URL wins; else the year before publication (a report for
    year Y is published early in Y+1); else the year before it was fetched.
    """
    for name in (doc.original_name, doc.url):
        years = _YEAR_IN_NAME.findall(name or "")
        if years:
            return int(years[-1])
    when = doc.published_on or (doc.fetched_at.date() if doc.fetched_at else None)
    return when.year - 1 if when else None


def _parse_document(session: Session, doc: m.Document, agency: m.Agency) -> m.Report:
    """Parse one archived document and write (or refresh) its Report row; no check yet."""
    from audit.parse import parse_bytes
    from audit.readers import UnreadableError

    data = (store.data_dir() / doc.archive_path).read_bytes()
    row = session.exec(select(m.Report).where(m.Report.document_id == doc.id)).first()
    if row is None:
        row = m.Report(agency_id=agency.id, document_id=doc.id)  # type: ignore[arg-type]
    source = _source_of(doc)
    try:
        parsed = parse_bytes(data, source)
        row.parse_error = None
    except UnreadableError as exc:
        # Kept as an unreadable report so that the checks can say so (TL03).
        row.parse_error = str(exc) or "无法读取"
        parsed = Report(source=source, readable=False, unreadable_reason=row.parse_error)
    parsed.source = source
    parsed.agency = agency.name
    if doc.year_hint:
        parsed.year = doc.year_hint
    elif parsed.year is None:
        parsed.year = guess_year(doc)
        if parsed.year is not None:
            parsed.anomalies.append(
                Anomaly(
                    kind="year_guessed",
                    detail=f"文中未能识别报告年度，按文件名或发布日期推定为{parsed.year}年",
                )
            )
    level = doc.level_hint or agency.level
    if level in ("government", "department"):
        parsed.level = level  # type: ignore[assignment]
    row.year = parsed.year
    row.format = parsed.format
    row.level = parsed.level
    row.readable = parsed.readable
    row.parsed = parsed.model_dump(mode="json")
    row.narrative = _narrative(parsed) if parsed.readable else {}
    row.parsed_at = m.utcnow()
    row.audited_run_id = None
    if row.year is not None and row.id is None:
        earlier = session.exec(
            select(func.count())
            .select_from(m.Report)
            .where(
                m.Report.agency_id == agency.id,
                m.Report.year == row.year,
                col(m.Report.document_id) < doc.id,
            )
        ).one()
        row.version = int(earlier) + 1
    session.add(row)
    session.flush()
    return row


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


def copies_for_year(session: Session, year: int) -> similarity.CopyResult:
    """Compute CY05 copies among the newest reports of ``year`` (keys are report ids)."""
    rows = current_reports(session, year)
    names = dict(session.exec(select(m.Agency.id, m.Agency.name)).all())
    docs = {
        d.id: d
        for d in session.exec(
            select(m.Document).where(col(m.Document.id).in_([r.document_id for r in rows]))
        ).all()
    }
    items = [
        similarity.Narrative(
            key=r.id, agency=names[r.agency_id], source=_source_of(docs[r.document_id]), sections=r.narrative
        )
        for r in rows
        if r.narrative
    ]
    return similarity.find_copies(items, cluster_prefix=f"{year}-")


def _check(report: Report, ctx: AuditContext) -> list:
    """Run the rule checks (audit.rulebook.check) on one report."""
    from audit.rulebook.check import check_report

    return check_report(report, ctx)


MISSING_RULE = "TL02"


def check_missing_reports(run_id: int, today: date) -> tuple[int, int]:
    """Record TL02 for every known agency without a report for the last year whose deadline passed.

    Returns (findings opened, findings closed). Each agency is one transaction. The agencies are those
    the store knows (from ingested or crawled documents, or registered by the crawler).
    """
    opened = closed = 0
    year = today.year - 1
    with store.session_scope() as session:
        have = set(session.exec(select(m.Report.agency_id).where(m.Report.year == year)).all()) | set(
            session.exec(select(m.Document.agency_id).where(m.Document.year_hint == year)).all()
        )
        due = [
            a.id
            for a in session.exec(select(m.Agency)).all()
            if a.id not in have and today > publication_deadline(a.level, year)
        ]
    for agency_id in due:
        with store.session_scope() as session:
            agency = session.get(m.Agency, agency_id)
            run = session.get(m.AuditRun, run_id)
            assert agency is not None and run is not None
            stub = Report(source="", agency=agency.name, year=year, level=agency.level or "government")
            found = [f for f in _check(stub, AuditContext(missing_report=True)) if f.rule == MISSING_RULE]
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


def run_audit(
    *,
    all_documents: bool = False,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> AuditSummary:
    """Audit every document that is new or changed since the last run (or all of them).

    Parsing writes the Report rows first; then each report is checked and its findings merged
    in one transaction of its own, so a crash leaves no half-audited report and the next run
    picks up exactly what is left. Re-running with nothing new changes nothing.
    """
    import time

    started = time.perf_counter()
    day = today or store.today()
    with store.session_scope() as session:
        run = m.AuditRun(catalogue_version=catalogue_version(), today=day)
        session.add(run)
        session.flush()
        run_id: int = run.id  # type: ignore[assignment]
        lifecycle.refresh(session, day, run_id=run_id)

    errors: list[dict] = []
    # 1. parse what is new (or everything), one transaction per document
    with store.session_scope() as session:
        audited_docs = select(m.Report.document_id).where(col(m.Report.audited_run_id).is_not(None))
        stmt = select(m.Document.id).order_by(col(m.Document.id))
        if not all_documents:
            stmt = stmt.where(col(m.Document.id).not_in(audited_docs))
        doc_ids = list(session.exec(stmt).all())
    for doc_id in doc_ids:
        try:
            with store.session_scope() as session:
                doc = session.get(m.Document, doc_id)
                agency = session.get(m.Agency, doc.agency_id)  # type: ignore[union-attr]
                row = _parse_document(session, doc, agency)  # type: ignore[arg-type]
                if row.year is None:
                    why = "无法确定报告年度，请用 ingest --year 指定"
                    if row.parse_error:
                        why = f"无法读取（{row.parse_error}），且未指定报告年度"
                    errors.append({"document": doc_id, "source": _source_of(doc), "error": why})  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001  (one bad document must not stop the run)
            log.exception("parsing document %s failed", doc_id)
            errors.append({"document": doc_id, "error": f"解析失败：{exc!r}"})
        if progress:
            progress(f"已解析文档 {doc_id}")

    # 2. the reports to check, oldest year first so that CY rules see last year's report
    with store.session_scope() as session:
        pending = list(
            session.exec(
                select(m.Report)
                .where(
                    col(m.Report.audited_run_id).is_(None),
                    col(m.Report.year).is_not(None),
                )
                .order_by(m.Report.year, m.Report.agency_id, m.Report.document_id)
                .options(defer(m.Report.parsed))  # type: ignore[arg-type]
            ).all()
        )
        newest = newest_documents(session)
        copies: dict[int, list[dict]] = {}
        for year in sorted({r.year for r in pending if r.year is not None}):
            copies.update(copies_for_year(session, year).copies)  # type: ignore[arg-type]
        # Reports already audited that a new report copies (or is copied by) are checked again,
        # so that both sides of a copy carry the CY05 finding.
        pending_ids = {r.id for r in pending}
        partners = [rid for rid in copies if rid not in pending_ids]
        # The next year's report of an agency whose report changed is checked again (CY01–CY04
        # compare with the report that has just changed).
        followers = {
            newest[(r.agency_id, r.year + 1)]
            for r in pending
            if r.year is not None and (r.agency_id, r.year + 1) in newest
        }
        extra = select(m.Report).where(
            col(m.Report.id).not_in(pending_ids) if pending_ids else true(),
            col(m.Report.id).in_(partners) | col(m.Report.document_id).in_(followers),
        )
        rechecks: set[int] = set()
        if partners or followers:
            more = list(session.exec(extra.options(defer(m.Report.parsed)).order_by(m.Report.id)).all())  # type: ignore[arg-type]
            rechecks = {r.id for r in more}  # type: ignore[misc]
            pending += more
            pending.sort(key=lambda r: (r.year, r.agency_id, r.document_id))
    batch = defaultdict(list)
    for r in pending:
        batch[(r.agency_id, r.year)].append(r.document_id)

    opened = reopened = fixed = total = audited = 0
    for pending_row in pending:
        try:
            with store.session_scope() as session:
                row = session.get(m.Report, pending_row.id)
                assert row is not None and row.year is not None
                run = session.get(m.AuditRun, run_id)
                agency = session.get(m.Agency, row.agency_id)
                doc = session.get(m.Document, row.document_id)
                assert run is not None and agency is not None and doc is not None
                later = [d for d in batch[(row.agency_id, row.year)] if d > row.document_id]
                superseded = newest.get((row.agency_id, row.year), row.document_id) > row.document_id and (
                    all_documents or not later
                )
                findings: list = []
                if row.parsed:
                    ctx = AuditContext(
                        previous=previous_report(session, agency.id, row.year),  # type: ignore[arg-type]
                        published_on=first_published(session, row) or doc.published_on,
                        copies=copies.get(row.id, []),  # type: ignore[arg-type]
                        http_status=doc.http_status,
                    )
                    findings = _check(Report.model_validate(row.parsed), ctx)
                    for f in findings:
                        f.source = _source_of(doc)
                if not superseded:
                    # An unreadable version proves nothing fixed: it only adds what it shows.
                    result = lifecycle.reconcile(
                        session,
                        run=run,
                        agency=agency,
                        year=row.year,
                        report=row,
                        findings=findings,
                        today=day,
                        close_missing=bool(row.readable and row.parsed),
                        related_changed=row.id in rechecks,
                    )
                    opened += result.opened
                    reopened += result.reopened
                    fixed += result.fixed
                    total += result.seen
                row.finding_count = len(findings)
                row.audited_run_id = run_id
                session.add(row)
            audited += 1
        except Exception as exc:  # noqa: BLE001  (rolled back; the next run retries this report)
            log.exception("audit of report %s failed", pending_row.id)
            errors.append({"report": pending_row.id, "error": f"审核失败：{exc!r}"})
        if progress:
            progress(f"已审核报告 {pending_row.id}")

    try:
        missing_opened, _ = check_missing_reports(run_id, day)
        opened += missing_opened
    except Exception as exc:  # noqa: BLE001
        log.exception("checking for missing reports failed")
        errors.append({"error": f"未公布年报核查失败：{exc!r}"})

    status = "ok" if not errors else ("partial" if audited else "failed")
    with store.session_scope() as session:
        run = session.get(m.AuditRun, run_id)
        assert run is not None
        run.finished_at = m.utcnow()
        run.documents = len(doc_ids)
        run.reports_audited = audited
        run.errors = len(errors)
        run.error_detail = errors
        run.opened, run.reopened, run.fixed, run.findings_total = opened, reopened, fixed, total
        run.status = status
        session.add(run)
    return AuditSummary(
        run_id=run_id,
        documents=len(doc_ids),
        reports_audited=audited,
        errors=errors,
        opened=opened,
        reopened=reopened,
        fixed=fixed,
        findings_total=total,
        status=status,
        seconds=round(time.perf_counter() - started, 3),
    )
