"""The audit run: named steps in one declared order (:data:`STEPS`).

1. ``open_run``: record an :class:`~audit.store.tables.AuditRun`, close runs that were killed,
   refresh deadlines and expiries.
2. ``parse``: parse every new or changed document (or all with ``all_documents``) into its
   ``Report`` row, one transaction per document; no check yet.
3. ``plan``: the reports to check, oldest year first so that the CY rules see last year's report;
   the cross-agency copies (CY05) of the years concerned; reports whose partners changed.
4. ``check``: check each report with its context (:mod:`audit.context`), merge its findings into
   the store and record its coverage (:mod:`audit.store.coverage`), one transaction per report,
   so a crash leaves no half-audited report.
5. ``missing``: TL02 for every agency without any document for last year after its deadline.
6. ``gone``: TL04 for every published report URL that no longer resolves (audit/crawled.py).
7. ``close_run``: the run's counts and outcome.

To add a step: write it as a function here taking the :class:`RunState`, add its name to
:data:`STEPS` and to :func:`run_audit`, and test it in tests/test_store_pipeline.py.
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import true
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from audit import crawled, genre
from audit.bounded import parse_bounded
from audit.context import audit_context
from audit.facts import similarity
from audit.facts.copies import PARTNERS_SHOWN
from audit.readers import LimitExceeded, UnreadableError
from audit.report import Anomaly, Report
from audit.rulebook.bounds import copy_floor
from audit.rulebook.check import catalogue_version, default_catalog, evaluate
from audit.store import copyindex, coverage, lifecycle
from audit.store import db as store
from audit.store import tables as m
from audit.store.queries import newest_documents, source_of

log = logging.getLogger(__name__)
STEPS = ("open_run", "parse", "plan", "check", "missing", "gone", "close_run")
Progress = Callable[[str], None]


class StopRun(Exception):
    """The run cannot go on (the database failed): the remaining steps are skipped, the run is closed."""


def _first_line(exc: BaseException) -> str:
    """Return the first line of an error's own message (a database driver's, say)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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

    def summary(self) -> str:
        """Return the run as one Chinese line (what ``gkaudit audit`` prints)."""
        return (
            f"审核批次 {self.run_id}：文档 {self.documents} 份，审核报告 {self.reports_audited} 份，"
            f"新发现 {self.opened} 个，重新出现 {self.reopened} 个，已整改 {self.fixed} 个，用时 {self.seconds} 秒"
        )


@dataclass
class RunState:
    """What the steps of one run share: its id, day, options, work lists and counts."""

    run_id: int
    day: date
    all_documents: bool
    progress: Progress | None = None
    doc_ids: list[int] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    pending: list[m.Report] = field(default_factory=list)
    rechecks: set[int] = field(default_factory=set)
    copies: dict[int, list[dict]] = field(default_factory=dict)
    newest: dict[tuple[int, int], int] = field(default_factory=dict)
    audited: int = 0
    opened: int = 0
    reopened: int = 0
    fixed: int = 0
    total: int = 0

    def add(self, result: lifecycle.ReconcileResult) -> None:
        """Count one report checked and what its reconciliation did."""
        self.audited += 1
        self.opened += result.opened
        self.reopened += result.reopened
        self.fixed += result.fixed
        self.total += result.seen

    def tell(self, message: str) -> None:
        """Report progress, when someone listens."""
        if self.progress:
            self.progress(message)


# --------------------------------------------------------------------------- parse


def _narrative(report: Report) -> dict[str, str]:
    """Return the narrative sections' text (the input of CY04/CY05)."""
    return {sid: report.sections[sid].text for sid in similarity.NARRATIVE_SECTIONS if sid in report.sections}


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


def _read_report(doc: m.Document, agency: m.Agency) -> tuple[Report, str | None]:
    """Return the parsed report of an archived document and its parse error (None when read).

    The document is read and parsed in a bounded worker (:mod:`audit.bounded`): a document over a
    limit is kept as an unreadable report marked ``over_limit`` (TL05: not checked, never accused),
    and one poison document cannot stall or crash the run.
    """
    data = (store.data_dir() / doc.archive_path).read_bytes()
    source = source_of(doc)
    try:
        parsed, error = parse_bounded(data, source, doc.content_type), None
    except LimitExceeded as exc:
        error = str(exc)
        parsed = Report(source=source, readable=False, unreadable_reason=error, over_limit=exc.limit)
    except UnreadableError as exc:
        # Kept as an unreadable report so that the checks can say so (TL03).
        error = str(exc) or "无法读取"
        parsed = Report(source=source, readable=False, unreadable_reason=error)
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
    return parsed, error


def parse_document(session: Session, doc: m.Document, agency: m.Agency) -> m.Report:
    """Parse one archived document and write (or refresh) its Report row; no check yet."""
    row = session.exec(select(m.Report).where(m.Report.document_id == doc.id)).first()
    if row is None:
        row = m.Report(agency_id=agency.id, document_id=doc.id)  # type: ignore[arg-type]
    parsed, row.parse_error = _read_report(doc, agency)
    row.year = parsed.year
    row.format = parsed.format
    row.level = parsed.level
    row.readable = parsed.readable
    row.over_limit = parsed.over_limit
    row.is_report = genre.judge(parsed).is_report
    row.parsed = parsed.model_dump(mode="json")
    row.narrative = _narrative(parsed) if parsed.readable else {}
    row.parsed_at = m.utcnow()
    row.audited_run_id = None
    if row.year is not None and row.id is None:
        earlier = session.exec(
            select(func.count())
            .select_from(m.Report)
            .where(
                m.Report.agency_id == agency.id, m.Report.year == row.year, col(m.Report.document_id) < doc.id
            )
        ).one()
        row.version = int(earlier) + 1
    session.add(row)
    session.flush()
    return row


def step_parse(state: RunState) -> None:
    """Parse every new or changed document (or all), one transaction per document."""
    with store.session_scope() as session:
        audited_docs = select(m.Report.document_id).where(col(m.Report.audited_run_id).is_not(None))
        stmt = select(m.Document.id).order_by(col(m.Document.id))
        if not state.all_documents:
            stmt = stmt.where(col(m.Document.id).not_in(audited_docs))
        else:  # a document over a limit is not read again until its bytes change (a new document)
            over = select(m.Report.document_id).where(col(m.Report.over_limit).is_not(None))
            stmt = stmt.where(col(m.Document.id).not_in(over))
        state.doc_ids = list(session.exec(stmt).all())
    for doc_id in state.doc_ids:
        try:
            with store.session_scope() as session:
                doc = session.get(m.Document, doc_id)
                agency = session.get(m.Agency, doc.agency_id)  # type: ignore[union-attr]
                row = parse_document(session, doc, agency)  # type: ignore[arg-type]
                if row.year is None:
                    why = "无法确定报告年度，请用 ingest --year 指定"
                    if row.parse_error:
                        why = f"无法读取（{row.parse_error}），且未指定报告年度"
                    state.errors.append({"document": doc_id, "source": source_of(doc), "error": why})  # type: ignore[arg-type]
        except OperationalError as exc:  # the database, not the document
            log.exception("the database failed while parsing document %s", doc_id)
            state.errors.append({"error": f"数据库出错，本次审核停止（下次运行继续）：{_first_line(exc)}"})
            raise StopRun from exc
        except Exception as exc:  # noqa: BLE001  (one bad document must not stop the run)
            log.exception("parsing document %s failed", doc_id)
            state.errors.append({"document": doc_id, "error": f"解析失败：{exc!r}"})
        state.tell(f"已解析文档 {doc_id}")


# --------------------------------------------------------------------------- plan


def copies_for_year(session: Session, year: int, floor: float | None = None) -> similarity.CopyResult:
    """Return the CY05 copies of ``year``'s newest reports (keys: report ids) down to ``floor`` (the catalogue's).

    From the store's index when it is up to date for that floor, else searched in memory; nothing is written.
    """
    return copyindex.copies_for_year(session, year, copy_floor(default_catalog()) if floor is None else floor)


def _plan_copies(session: Session, state: RunState, years: set[int]) -> set[int]:
    """Bring the copy index of ``years`` up to date; return the reports audited before their copies changed.

    Years indexed down to another floor than the catalogue's are updated too, so that a changed
    CY05 threshold opens and closes copy findings at the next audit.
    """
    floor = copy_floor(default_catalog())
    # a year searched to another floor (CY05's threshold changed in its YAML) is searched again
    years = years | copyindex.years_to_search_again(session, floor)
    for year in sorted(years):
        log.info("CY05: %s", copyindex.refresh_year(session, year, floor, state.run_id))
    return copyindex.due_rechecks(session)  # also those a failed or killed run left unchecked


def step_plan(state: RunState) -> None:
    """Decide which reports to check: the unaudited ones, their copy partners and their followers.

    The copy index of the years concerned is brought up to date first (:mod:`audit.store.copyindex`):
    a report already audited is checked again when its copy set changed since (a new report copies
    it, or a partner changed or left), so that both sides of a copy carry the CY05 finding; the next
    year's report of an agency whose report changed is checked again, since CY01–CY04 compare with
    the report that has just changed. Each report is checked with its year's copies, at most
    ``PARTNERS_SHOWN`` partners per section.
    """
    with store.session_scope() as session:
        pending = list(
            session.exec(
                select(m.Report)
                .where(col(m.Report.audited_run_id).is_(None), col(m.Report.year).is_not(None))
                .order_by(m.Report.year, m.Report.agency_id, m.Report.document_id)
                .options(defer(m.Report.parsed))  # type: ignore[arg-type]
            ).all()
        )
        state.newest = newest_documents(session)
        years = {r.year for r in pending if r.year is not None}
        pending_ids = {r.id for r in pending}
        followers = {
            state.newest[(r.agency_id, r.year + 1)]
            for r in pending
            if r.year is not None and (r.agency_id, r.year + 1) in state.newest
        }
        follower_years = {y for (_, y), d in state.newest.items() if d in followers}
        partners = _plan_copies(session, state, years | follower_years) - pending_ids  # type: ignore[operator]
        if partners or followers:
            extra = select(m.Report).where(
                col(m.Report.id).not_in(pending_ids) if pending_ids else true(),
                col(m.Report.id).in_(partners) | col(m.Report.document_id).in_(followers),
            )
            more = list(session.exec(extra.options(defer(m.Report.parsed)).order_by(m.Report.id)).all())  # type: ignore[arg-type]
            state.rechecks = {r.id for r in more}  # type: ignore[misc]
            pending += more
            pending.sort(key=lambda r: (r.year, r.agency_id, r.document_id))
        checked = {r.id for r in pending}
        for year in sorted({r.year for r in pending if r.year is not None}):
            for rid, found in copyindex.stored_copies(session, year).copies.items():
                if rid in checked:
                    state.copies[rid] = similarity.bounded(found, PARTNERS_SHOWN)  # type: ignore[index]
    state.pending = pending


# --------------------------------------------------------------------------- check


def _check_one(
    session: Session, state: RunState, row: m.Report, later: list[int]
) -> lifecycle.ReconcileResult:
    """Check one report and merge its findings (the caller's transaction); return what changed."""
    assert row.year is not None
    run = session.get(m.AuditRun, state.run_id)
    agency = session.get(m.Agency, row.agency_id)
    doc = session.get(m.Document, row.document_id)
    assert run is not None and agency is not None and doc is not None
    newest = state.newest.get((row.agency_id, row.year), row.document_id)
    superseded = newest > row.document_id and (state.all_documents or not later)
    findings: list = []
    if row.parsed and row.is_report is not False:
        report = Report.model_validate(row.parsed)
        ctx = audit_context(session, row, doc, state.copies.get(row.id, []))  # type: ignore[arg-type]
        checked = evaluate(report, ctx)
        findings = checked.findings
        for f in findings:
            f.source = source_of(doc)
        coverage.record(session, row.id, state.run_id, coverage.build(report, ctx, checked, row.parsed))  # type: ignore[arg-type]
    result = lifecycle.ReconcileResult()
    if not superseded:
        # An unreadable version proves nothing fixed: it only adds what it shows.
        result = lifecycle.reconcile(
            session,
            run=run,
            agency=agency,
            year=row.year,
            report=row,
            findings=findings,
            today=state.day,
            close_missing=bool(row.readable and row.parsed),
            related_changed=row.id in state.rechecks,
        )
    row.finding_count = len(findings)
    row.audited_run_id = state.run_id
    session.add(row)
    return result


def step_check(state: RunState) -> None:
    """Check every planned report, one transaction each; a failure is recorded and retried next run."""
    batch: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    for r in state.pending:
        batch[(r.agency_id, r.year)].append(r.document_id)
    for pending_row in state.pending:
        try:
            with store.session_scope() as session:
                row = session.get(m.Report, pending_row.id)
                assert row is not None
                later = [d for d in batch[(row.agency_id, row.year)] if d > row.document_id]
                result = _check_one(session, state, row, later)
            state.add(
                result
            )  # counted only once the transaction has committed: a failed commit counts nothing
        except OperationalError as exc:  # the database, not the report: stop instead of failing each report
            log.exception("the database failed while auditing report %s", pending_row.id)
            state.errors.append({"error": f"数据库出错，本次审核停止（下次运行继续）：{_first_line(exc)}"})
            break
        except Exception as exc:  # noqa: BLE001  (rolled back; the next run retries this report)
            log.exception("audit of report %s failed", pending_row.id)
            state.errors.append({"report": pending_row.id, "error": f"审核失败：{exc!r}"})
        state.tell(f"已审核报告 {pending_row.id}")


# --------------------------------------------------------------------------- missing reports


def step_missing(state: RunState) -> None:
    """Record TL02 for agencies without last year's report after the deadline."""
    try:
        opened, _ = crawled.check_missing_reports(state.run_id, state.day)
        state.opened += opened
    except Exception as exc:  # noqa: BLE001
        log.exception("checking for missing reports failed")
        state.errors.append({"error": f"未公布年报核查失败：{exc!r}"})


def step_gone(state: RunState) -> None:
    """Record TL04 for published reports and attachments that no longer resolve (the crawler's records)."""
    try:
        opened, _ = crawled.check_gone_documents(state.run_id, state.day)
        state.opened += opened
    except Exception as exc:  # noqa: BLE001
        log.exception("checking for gone documents failed")
        state.errors.append({"error": f"失效年报核查失败：{exc!r}"})


# --------------------------------------------------------------------------- the run


def open_run(day: date) -> int:
    """Record a new audit run, close runs that were killed, refresh deadlines; return its id.

    The caller holds the audit lock, so any other run still marked ``running`` was killed (kill -9,
    power loss): it is closed as ``interrupted`` rather than left running forever.
    """
    with store.session_scope() as session:
        for stale in session.exec(select(m.AuditRun).where(m.AuditRun.status == "running")).all():
            stale.status = "interrupted"
            stale.finished_at = stale.finished_at or m.utcnow()
            stale.error_detail = [
                *stale.error_detail,
                {"error": "审核进程中断（未正常结束），已在下次审核开始时关闭"},
            ]
            session.add(stale)
        run = m.AuditRun(catalogue_version=catalogue_version(), today=day)
        session.add(run)
        session.flush()
        run_id: int = run.id  # type: ignore[assignment]
        lifecycle.refresh(session, day, run_id=run_id)
    return run_id


def close_run(state: RunState, seconds: float) -> AuditSummary:
    """Record the run's counts and outcome; return its summary."""
    status = "ok" if not state.errors else ("partial" if state.audited else "failed")
    with store.session_scope() as session:
        run = session.get(m.AuditRun, state.run_id)
        assert run is not None
        run.finished_at = m.utcnow()
        run.documents = len(state.doc_ids)
        run.reports_audited = state.audited
        run.errors = len(state.errors)
        run.error_detail = state.errors
        run.opened, run.reopened, run.fixed, run.findings_total = (
            state.opened,
            state.reopened,
            state.fixed,
            state.total,
        )
        run.status = status
        session.add(run)
    return AuditSummary(
        run_id=state.run_id,
        documents=len(state.doc_ids),
        reports_audited=state.audited,
        errors=state.errors,
        opened=state.opened,
        reopened=state.reopened,
        fixed=state.fixed,
        findings_total=state.total,
        status=status,
        seconds=round(seconds, 3),
    )


def run_audit(
    *,
    all_documents: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
) -> AuditSummary:
    """Audit every document that is new or changed since the last run (or all of them).

    Re-running with nothing new changes nothing. The steps are :data:`STEPS`, in that order, under
    the audit lock (:class:`audit.store.db.Busy` when another audit runs).
    """
    started = time.perf_counter()
    day = today or store.today()
    with store.exclusive("审核"):
        state = RunState(run_id=open_run(day), day=day, all_documents=all_documents, progress=progress)
        try:
            step_parse(state)
            step_plan(state)
            step_check(state)
            step_missing(state)
            step_gone(state)
        except StopRun:
            pass
        return close_run(state, time.perf_counter() - started)
