"""The run record: one ``NightlyRun`` row per run, with each step's outcome, counts, time and summary.

Steps are saved after each one, so a run that is killed leaves what it had done; the next run
(under the lock) marks it failed with the reason (:func:`close_interrupted`). Runs that did not
happen (the lock was held, the schedule was missed or still busy) are ``skipped`` records.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC

from sqlmodel import col, select

from audit.clock import local_time
from audit.nightly.lock import TRIGGER_NAMES, Holder, Lease
from audit.store import db as store
from audit.store import tables as m

log = logging.getLogger(__name__)

STEP_TITLES = {"crawl": "抓取", "audit": "审核", "render": "输出"}
STATUS_NAMES = {
    "ok": "成功",
    "partial": "部分完成",
    "failed": "失败",
    "stopped": "已停止",
    "skipped": "跳过",
    "running": "运行中",
}


@dataclass
class StepResult:
    """One step of a run: its outcome, time, counts and what it said (Chinese)."""

    name: str
    status: str = "running"
    started_at: str | None = None
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)
    message: str = ""

    def line(self) -> str:
        """Return the step as one line of the run's summary."""
        took = f"，用时 {duration(self.seconds)}" if self.started_at else ""
        text = f"{STEP_TITLES[self.name]}：{STATUS_NAMES.get(self.status, self.status)}{took}"
        return text + (f"。{self.message}" if self.message else "")


def duration(seconds: float) -> str:
    """Return a duration in Chinese: ``12 秒``, ``5 分 12 秒``, ``2 小时 3 分``."""
    s = int(round(seconds))
    if s < 60:
        return f"{s} 秒"
    if s < 3600:
        return f"{s // 60} 分 {s % 60} 秒"
    return f"{s // 3600} 小时 {s % 3600 // 60} 分"


def summarise(run: m.NightlyRun, why: str = "") -> list[str]:
    """Return a finished run's summary: a head line (who, when, how long, outcome) and one line per step."""
    started = run.started_at if run.started_at.tzinfo else run.started_at.replace(tzinfo=UTC)
    took = ((run.finished_at or m.utcnow()).replace(tzinfo=UTC) - started).total_seconds()
    head = (
        f"第 {run.id} 次运行（{TRIGGER_NAMES.get(run.trigger, run.trigger)}，{local_time(started)} 开始，"
        f"用时 {duration(took)}）：{STATUS_NAMES.get(run.status, run.status)}" + (f"（{why}）" if why else "")
    )
    return [head, *("  " + StepResult(**s).line() for s in run.steps)]


def steps_of(run_id: int) -> list[StepResult]:
    """Return the steps saved on a run record."""
    with store.session_scope() as session:
        run = session.get(m.NightlyRun, run_id)
        return [StepResult(**s) for s in (run.steps if run else [])]


def save_steps(run_id: int, steps: list[StepResult]) -> None:
    """Save the steps' outcomes on the run record (after each step: a kill leaves what was done)."""
    with store.session_scope() as session:
        run = session.get(m.NightlyRun, run_id)
        assert run is not None
        run.steps = [asdict(s) for s in steps]
        session.add(run)


def record_skipped(trigger: str, reason: str) -> int:
    """Record a run that did not happen (the lock was held, the schedule was missed); return its id."""
    with store.session_scope() as session:
        run = m.NightlyRun(
            trigger=trigger, holder=Holder.me(trigger).label, status="skipped", finished_at=m.utcnow()
        )
        run.summary = f"{TRIGGER_NAMES.get(trigger, trigger)}跳过：{reason}"
        session.add(run)
        session.flush()
        return run.id  # type: ignore[return-value]


def recent_runs(limit: int = 5) -> list[dict]:
    """Return the newest run records, newest first, as plain dicts (times as Asia/Shanghai text)."""
    with store.session_scope() as session:
        rows = session.exec(select(m.NightlyRun).order_by(col(m.NightlyRun.id).desc()).limit(limit)).all()
        return [
            r.model_dump()
            | {"started_at": local_time(r.started_at), "finished_at": local_time(r.finished_at)}
            for r in rows
        ]


def close_interrupted(released: list[tuple[Holder, str]]) -> list[str]:
    """Mark runs left ``running`` by a dead holder as failed (the caller holds the lock); say which.

    Under the lock no other run can be running, so every such row was interrupted: its running
    step and the crawl runs still open since it started are marked failed too (its own crawl died
    with it; a distributed worker of another machine that is still crawling writes its own outcome
    over this when it ends).
    """
    why = {h.run_id: reason for h, reason in released if h.run_id is not None}
    said = []
    with store.session_scope() as session:
        for run in session.exec(select(m.NightlyRun).where(m.NightlyRun.status == "running")).all():
            reason = why.get(run.id, "运行未正常结束")
            run.status, run.finished_at = "failed", m.utcnow()
            run.steps = [
                {**s, "status": "failed", "message": f"运行中断（{reason}）"}
                if s["status"] == "running"
                else s
                for s in run.steps
            ]
            run.summary = "\n".join(summarise(run, f"运行中断：{reason}"))
            session.add(run)
            crawls = session.exec(
                select(m.CrawlRun).where(
                    m.CrawlRun.status == "running", col(m.CrawlRun.started_at) >= run.started_at
                )
            ).all()
            for crawl_run in crawls:
                crawl_run.status, crawl_run.finished_at = "failed", m.utcnow()
                crawl_run.detail = f"第 {run.id} 次运行中断，抓取进程随之结束；已抓取的内容已入库"
                session.add(crawl_run)
            said.append(f"第 {run.id} 次运行（{run.holder}）中断，已标为失败：{reason}")
    for line in said:
        log.warning(line)
    return said


def open_run(lease: Lease, trigger: str) -> int:
    """Record a new running run; return its id."""
    with store.session_scope() as session:
        run = m.NightlyRun(trigger=trigger, holder=lease.holder.label)
        session.add(run)
        session.flush()
        run_id: int = run.id  # type: ignore[assignment]
    lease.attach(run_id)
    return run_id
