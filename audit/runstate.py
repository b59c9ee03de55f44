"""What the steps of an audit run (audit/run.py) share, and the run's record: opened, closed, summed up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import select

from audit.reaudit import StoreView, Version
from audit.rulebook.check import catalogue_version
from audit.store import db as store
from audit.store import lifecycle
from audit.store import tables as m

Progress = Callable[[str], None]


class StopRun(Exception):
    """The run cannot go on (the database failed): the remaining steps are skipped, the run is closed."""


def first_line(exc: BaseException) -> str:
    """Return the first line of an error's own message (a database driver's, say)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass
class AuditSummary:
    """What one audit run did (also kept on the :class:`~audit.store.tables.AuditRun` row).

    ``reused`` documents were not read again (their stored parse was still valid); ``unchanged``
    reports were not checked again (nothing their check depends on had changed).
    """

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
    reused: int = 0
    unchanged: int = 0
    jobs: int = 1

    def summary(self) -> str:
        """Return the run as one Chinese line (what ``gkaudit audit`` prints)."""
        reused = f"（沿用已存解析 {self.reused} 份）" if self.reused else ""
        unchanged = f"（{self.unchanged} 份未变，沿用上次结果）" if self.unchanged else ""
        return (
            f"审核批次 {self.run_id}：文档 {self.documents} 份{reused}，审核报告 {self.reports_audited} 份{unchanged}，"
            f"新发现 {self.opened} 个，重新出现 {self.reopened} 个，已整改 {self.fixed} 个，用时 {self.seconds} 秒"
        )


@dataclass
class RunState:
    """What the steps of one run share: its id, day, options, work lists and counts.

    ``keyed`` are the reports ``audit --all`` checks only when a key changed (:mod:`audit.reaudit`);
    ``view`` is what the keys read; ``copied_years`` the years whose CY05 copies are in ``copies``.
    """

    run_id: int
    day: date
    all_documents: bool
    progress: Progress | None = None
    jobs: int = 1
    doc_ids: list[int] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    pending: list[m.Report | Version] = field(default_factory=list)  # sorted by year, agency, document
    rechecks: set[int] = field(default_factory=set)
    copies: dict[int, list[dict]] = field(default_factory=dict)
    newest: dict[tuple[int, int], int] = field(default_factory=dict)
    keyed: set[int] = field(default_factory=set)
    copied_years: set[int] = field(default_factory=set)
    view: StoreView | None = None
    roster_key: str | None = None  # set when the TL02 step completed
    audited: int = 0
    reused: int = 0
    unchanged: int = 0
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
    status = "ok" if not state.errors else ("partial" if state.audited or state.unchanged else "failed")
    with store.session_scope() as session:
        run = session.get(m.AuditRun, state.run_id)
        assert run is not None
        run.finished_at = m.utcnow()
        run.documents = len(state.doc_ids)
        run.reports_audited = state.audited
        run.reports_unchanged, run.documents_reused = state.unchanged, state.reused
        run.roster_key = state.roster_key
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
        reused=state.reused,
        unchanged=state.unchanged,
        jobs=state.jobs,
    )
