"""The audit run: named steps in one declared order (:data:`STEPS`).

1. ``open_run``: record an :class:`~audit.store.tables.AuditRun`, close runs that were killed,
   refresh deadlines and expiries (:mod:`audit.runstate`).
2. ``parse``: parse every new or changed document (or all with ``all_documents``) into its
   ``Report`` row, one transaction per document; no check yet. A document whose stored parse has
   the same parse key (bytes, reader version, hints: :mod:`audit.reaudit`) is not read again.
3. ``plan``: the reports to check, oldest year first so that the CY rules see last year's report;
   the cross-agency copies (CY05) of the years concerned; reports whose partners changed. With
   ``all_documents`` every other report too, checked only if a key changed (:func:`plan_reuse`).
4. ``check``: check each report with its context (:mod:`audit.context`), merge its findings into
   the store and record its coverage (:mod:`audit.store.coverage`), one transaction per report,
   so a crash leaves no half-audited report. Year by year, worker processes check
   (:mod:`audit.pool`) and this process alone writes, in the planned order.
5. ``missing``: TL02 for every agency without any document for last year after its deadline.
6. ``gone``: TL04 for every published report URL that no longer resolves (audit/crawled.py).
7. ``close_run``: the run's counts and outcome.

To add a step: write it as a function here taking the :class:`RunState`, add its name to
:data:`STEPS` and to :func:`run_audit`, and test it in tests/test_store_pipeline.py. Work a worker
process does is a module-level function that reads the store and returns a picklable result
(:func:`check_task`); only this process writes.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from sqlalchemy import true, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from audit import crawled
from audit.context import audit_context
from audit.facts import similarity
from audit.facts.copies import PARTNERS_SHOWN
from audit.pool import Workers, cpu_count
from audit.reading import ParseJob, guess_year, read_report, write_report
from audit.reaudit import StoreView, Version, copies_key, parse_key, parser_version, roster_key
from audit.report import Finding, Report
from audit.rulebook.bounds import copy_floor
from audit.rulebook.check import catalogue_version, default_catalog, evaluate
from audit.runstate import AuditSummary, Progress, RunState, StopRun, close_run, open_run
from audit.runstate import first_line as _first_line
from audit.store import copyindex, coverage, lifecycle
from audit.store import db as store
from audit.store import tables as m
from audit.store.queries import newest_documents, source_of

__all__ = [
    "STEPS",
    "AuditSummary",
    "Progress",
    "RunState",
    "StopRun",
    "close_run",
    "guess_year",
    "open_run",
    "run_audit",
]
log = logging.getLogger(__name__)
STEPS = ("open_run", "parse", "plan", "check", "missing", "gone", "close_run")
# Below this many documents to read (or reports to check in a year) the run works in its own
# process: starting worker processes would cost more than it saves.
PARALLEL_FROM = 16


# --------------------------------------------------------------------------- parse


def _documents(state: RunState) -> list[tuple[ParseJob, str]]:
    """Return the documents to read with their parse keys; set ``doc_ids`` and count the reused ones.

    New or changed documents (every document with ``all_documents``) are considered; one whose
    stored parse has the same parse key (:mod:`audit.reaudit`) is not read again.
    """
    version, data = parser_version(), store.data_dir()
    with store.session_scope() as session:
        if not state.all_documents:
            audited = select(m.Report.document_id).where(col(m.Report.audited_run_id).is_not(None))
            where = col(m.Document.id).not_in(audited)
        else:  # a document over a limit is not read again until its bytes change (a new document)
            over = select(m.Report.document_id).where(col(m.Report.over_limit).is_not(None))
            where = col(m.Document.id).not_in(over)
        docs = ParseJob.query(session, [where], data)
        stored = dict(session.exec(select(m.Report.document_id, m.Report.parse_key)).all())
    state.doc_ids = [job.doc_id for job in docs]
    todo = []
    for job in docs:
        key = parse_key(job, version)
        if stored.get(job.doc_id) == key:
            state.reused += 1
        else:
            todo.append((job, key))
    return todo


def _read(item: tuple[ParseJob, str]) -> tuple[Report, str | None]:
    """Read one document (in a thread of the parse step; the parse itself runs in its own process)."""
    return read_report(item[0])


def step_parse(state: RunState) -> None:
    """Parse every new or changed document (or all), one transaction per document.

    Documents are read ``jobs`` at a time (each in a bounded process of its own); only this
    process writes, in the documents' order.
    """
    todo = _documents(state)
    if state.reused:
        state.tell(f"沿用已存解析结果 {state.reused} 份")
    jobs = state.jobs if len(todo) >= PARALLEL_FROM else 1
    with Workers(jobs, processes=False) as workers:
        for (job, key), result in workers.map(_read, todo):
            try:
                if isinstance(result, BaseException):
                    raise result
                with store.session_scope() as session:
                    row = write_report(session, job, *result, key=key)
                    if row.year is None:
                        why = "无法确定报告年度，请用 ingest --year 指定"
                        if row.parse_error:
                            why = f"无法读取（{row.parse_error}），且未指定报告年度"
                        state.errors.append({"document": job.doc_id, "source": job.source, "error": why})
            except OperationalError as exc:  # the database, not the document
                log.exception("the database failed while parsing document %s", job.doc_id)
                state.errors.append(
                    {"error": f"数据库出错，本次审核停止（下次运行继续）：{_first_line(exc)}"}
                )
                raise StopRun from exc
            except Exception as exc:  # noqa: BLE001  (one bad document must not stop the run)
                log.exception("parsing document %s failed", job.doc_id)
                state.errors.append({"document": job.doc_id, "error": f"解析失败：{exc!r}"})
            state.tell(f"已解析文档 {job.doc_id}")


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


def plan_reuse(state: RunState) -> None:
    """Load what the check keys read; with ``all_documents``, add every other report, to be checked if changed.

    The reports :func:`step_plan` chose are checked; the others are checked by ``audit --all``
    only when something their check depends on changed (:mod:`audit.reaudit`).
    """
    state.copied_years = {r.year for r in state.pending if r.year is not None}
    with store.session_scope() as session:
        state.view = StoreView.load(session, catalogue_version())
    if not state.all_documents:
        return
    chosen = {r.id for r in state.pending}
    keyed = [v for versions in state.view.versions.values() for v in versions if v.id not in chosen]
    state.keyed = {v.id for v in keyed}
    pending = [*state.pending, *keyed]
    state.pending = sorted(pending, key=lambda r: (r.year, r.agency_id, r.document_id))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- check


@dataclass
class CheckOutcome:
    """What checking one report gave (in a worker): findings and coverage, or the error."""

    findings: list[Finding] = field(default_factory=list)
    coverage: dict | None = None  # None: not checked (not a report, or nothing parsed)
    parsed: bool = False  # the row has a parsed model
    error: str | None = None
    database: bool = False  # the error is the database's: the run stops
    trace: str = ""  # the traceback of the error, for the writer's log


def check_task(task: tuple[int, list[dict]]) -> CheckOutcome:
    """Check one stored report with its context (``task``: report id and its CY05 partners).

    Reads the store, writes nothing: runs in a worker process, or in the run's own with one job.
    """
    report_id, copies = task
    try:
        with store.session_scope() as session:
            row = session.get(m.Report, report_id)
            assert row is not None and row.year is not None
            doc = session.get(m.Document, row.document_id)
            assert doc is not None
            if not row.parsed or row.is_report is False:
                return CheckOutcome(parsed=bool(row.parsed))
            report = Report.model_validate(row.parsed)
            ctx = audit_context(session, row, doc, copies)
            checked = evaluate(report, ctx)
            for f in checked.findings:
                f.source = source_of(doc)
            return CheckOutcome(checked.findings, coverage.build(report, ctx, checked, row.parsed), True)
    except OperationalError as exc:  # the database, not the report
        return CheckOutcome(error=_first_line(exc), database=True, trace=traceback.format_exc())
    except Exception as exc:  # noqa: BLE001  (reported by the writer; the next run retries)
        return CheckOutcome(error=repr(exc), trace=traceback.format_exc())


def _write_check(
    session: Session, state: RunState, report_id: int, copies: list[dict], outcome: CheckOutcome, batch: dict
) -> lifecycle.ReconcileResult:
    """Merge one report's findings, coverage and keys into the store (the caller's transaction)."""
    row = session.get(m.Report, report_id, options=[defer(m.Report.parsed), defer(m.Report.narrative)])  # type: ignore[arg-type]
    run = session.get(m.AuditRun, state.run_id)
    assert row is not None and row.year is not None and run is not None
    agency = session.get(m.Agency, row.agency_id)
    assert agency is not None
    later = [d for d in batch[(row.agency_id, row.year)] if d > row.document_id]
    newest = state.newest.get((row.agency_id, row.year), row.document_id)
    superseded = newest > row.document_id and (state.all_documents or not later)
    if outcome.coverage is not None:
        coverage.record(session, report_id, state.run_id, outcome.coverage)
    result = lifecycle.ReconcileResult()
    if not superseded:
        # An unreadable version proves nothing fixed: it only adds what it shows.
        result = lifecycle.reconcile(
            session,
            run=run,
            agency=agency,
            year=row.year,
            report=row,
            findings=outcome.findings,
            today=state.day,
            close_missing=bool(row.readable and outcome.parsed),
            related_changed=report_id in state.rechecks,
        )
    row.finding_count = len(outcome.findings)
    row.audited_run_id = state.run_id
    if state.view is not None:
        session.flush()
        state.view.refresh(session, row.agency_id, row.year)
        row.check_key = state.view.check_key(state.view.version(report_id), merges=not superseded)
        row.copies_key, row.year_key = copies_key(copies), state.view.year_key(row.year)
    session.add(row)
    return result


def _unchanged(state: RunState, year: int, rows: list[m.Report | Version]) -> list[m.Report | Version]:
    """Return the rows of one year to check: all but the keyed ones whose keys still match.

    The year's CY05 copies are computed when a row is to be checked or the year's narratives changed
    (then a row whose partners are the same is still skipped, and its year key brought up to date).
    """
    view = state.view
    keyed = [r for r in rows if r.id in state.keyed]
    if view is None or not keyed:
        return rows
    todo, maybe, skip = [], [], []
    year_key = view.year_key(year)
    for r in keyed:
        merges = state.newest.get((r.agency_id, year), r.document_id) == r.document_id
        if r.audited_run_id is None or r.check_key != view.check_key(view.version(r.id), merges):
            todo.append(r.id)
        elif r.year_key != year_key:
            maybe.append(r)
        else:
            skip.append(r)
    if (todo or maybe) and year not in state.copied_years:
        with store.session_scope() as session:
            found = copies_for_year(session, year).copies
        state.copies.update({rid: similarity.bounded(c, PARTNERS_SHOWN) for rid, c in found.items()})  # type: ignore[misc]
        state.copied_years.add(year)
    stale = []
    for r in maybe:
        if r.copies_key == copies_key(state.copies.get(r.id, [])):
            stale.append(r.id)
        else:
            todo.append(r.id)
    if stale:
        with store.session_scope() as session:
            session.exec(update(m.Report).where(col(m.Report.id).in_(stale)).values(year_key=year_key))  # type: ignore[call-overload]
    state.unchanged += len(skip) + len(stale)
    if skip or stale:
        state.tell(f"{year} 年度：{len(skip) + len(stale)} 份报告未变，沿用上次审核结果")
    chosen = set(todo)
    return [r for r in rows if r.id not in state.keyed or r.id in chosen]


def step_check(state: RunState) -> None:
    """Check every planned report, one transaction each; a failure is recorded and retried next run.

    Reports are checked year by year (a year's checks read last year's findings): ``jobs`` worker
    processes check, this process writes the results in the planned order, as a serial run would.
    """
    batch: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    for r in state.pending:
        batch[(r.agency_id, r.year)].append(r.document_id)
    with Workers(1) as serial, Workers(state.jobs) as parallel:
        for year, group in groupby(state.pending, key=lambda r: r.year):
            rows = _unchanged(state, year, list(group))
            workers = parallel if len(rows) >= PARALLEL_FROM else serial
            tasks = [(r.id, state.copies.get(r.id, [])) for r in rows]
            for (report_id, copies), outcome in workers.map(check_task, tasks):
                if isinstance(outcome, BaseException):  # its worker died
                    outcome = CheckOutcome(error=repr(outcome))
                if not _write_one(state, report_id, copies, outcome, batch):
                    raise StopRun
                state.tell(f"已审核报告 {report_id}")


def _write_one(
    state: RunState, report_id: int, copies: list[dict], outcome: CheckOutcome, batch: dict
) -> bool:
    """Write one report's check in its own transaction; return False when the database failed."""
    if outcome.error is not None:
        log.error("audit of report %s failed: %s\n%s", report_id, outcome.error, outcome.trace)
        if outcome.database:
            state.errors.append({"error": f"数据库出错，本次审核停止（下次运行继续）：{outcome.error}"})
            return False
        state.errors.append({"report": report_id, "error": f"审核失败：{outcome.error}"})
        return True
    try:
        with store.session_scope() as session:
            result = _write_check(session, state, report_id, copies, outcome, batch)
        state.add(result)  # counted only once the transaction has committed: a failed commit counts nothing
    except OperationalError as exc:  # the database, not the report: stop instead of failing each report
        log.exception("the database failed while auditing report %s", report_id)
        state.errors.append({"error": f"数据库出错，本次审核停止（下次运行继续）：{_first_line(exc)}"})
        return False
    except Exception as exc:  # noqa: BLE001  (rolled back; the next run retries this report)
        log.exception("audit of report %s failed", report_id)
        state.errors.append({"report": report_id, "error": f"审核失败：{exc!r}"})
    return True


# --------------------------------------------------------------------------- missing reports


def step_missing(state: RunState) -> None:
    """Record TL02 for agencies without last year's report after the deadline.

    Skipped when the roster and the rules are those of the last completed run (:func:`roster_key`).
    """
    year, catalogue = state.day.year - 1, catalogue_version()
    try:
        with store.session_scope() as session:
            key = roster_key(session, year, state.day, catalogue)
            last = session.exec(
                select(m.AuditRun.roster_key)
                .where(m.AuditRun.id != state.run_id, col(m.AuditRun.status).in_(["ok", "partial"]))
                .order_by(col(m.AuditRun.id).desc())
            ).first()
        if key != last:
            opened, _ = crawled.check_missing_reports(state.run_id, state.day)
            state.opened += opened
            with store.session_scope() as session:  # what the next run compares with: the state after
                key = roster_key(session, year, state.day, catalogue)
        state.roster_key = key
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


def resolve_jobs(jobs: int | None = None) -> int:
    """Return how many worker processes to use: ``jobs``, else the ``jobs`` setting, else one per CPU."""
    from audit.settings import get_settings

    return max(1, jobs or get_settings().jobs or cpu_count())


def run_audit(
    *,
    all_documents: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> AuditSummary:
    """Audit every document that is new or changed since the last run (or all of them).

    Re-running with nothing new changes nothing; ``all_documents`` reads and checks again only
    what may have changed (:mod:`audit.reaudit`). ``jobs`` worker processes parse and check (default:
    the ``jobs`` setting, else one per CPU; 1: all in this process). The steps are :data:`STEPS`,
    in that order, under the audit lock (:class:`audit.store.db.Busy` when another audit runs).
    """
    started = time.perf_counter()
    day = today or store.today()
    with store.exclusive("审核"):
        state = RunState(
            run_id=open_run(day),
            day=day,
            all_documents=all_documents,
            progress=progress,
            jobs=resolve_jobs(jobs),
        )
        try:
            step_parse(state)
            step_plan(state)
            plan_reuse(state)
            step_check(state)
            step_missing(state)
            step_gone(state)
        except StopRun:
            pass
        return close_run(state, time.perf_counter() - started)
