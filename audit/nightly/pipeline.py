"""The nightly pipeline: crawl → audit → render as named steps (:data:`STEPS`), under the run lock.

:func:`run_pipeline` is what ``gkaudit run``, ``gkaudit demo`` and the scheduler call:

1. take the run lock (:mod:`audit.nightly.lock`); a stale lock is released and its holder's run
   marked failed; a live one makes this run a ``skipped`` record and raises :class:`LockHeld`;
2. record a :class:`~audit.store.tables.NightlyRun` and run each step in turn, saving the steps'
   outcomes after each one. A step that fails is recorded with its reason and the next steps still
   run on what the store holds, so a failed crawl does not hide the audit of what was already
   fetched; a stop request (SIGTERM, Ctrl-C: :data:`STOP`) lets the running step end (a crawl
   is asked to stop and keeps what it fetched) and skips the rest;
3. write the summary (Chinese) to the run record and the log, release the lock.

The steps: ``crawl`` (every registered agency, in a subprocess with the ``crawl_time_limit``
setting; skipped when none is registered), ``audit`` (:func:`audit.run.run_audit`), ``render``
(:func:`audit.render.outputs.render_scope` into the ``out`` setting or ``--out``).

To add a step: write ``_step_<name>(ctx) -> (status, counts, message)``, add it to :data:`STEPS`
and :data:`STEP_TITLES`, and test it in tests/test_nightly_pipeline.py.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, func, select

from audit import run as audit_run
from audit.logs import mask
from audit.nightly import lock
from audit.nightly.console import Console
from audit.nightly.lock import TRIGGER_NAMES, Lease, LockHeld
from audit.nightly.record import (
    STEP_TITLES,
    StepResult,
    close_interrupted,
    open_run,
    record_skipped,
    save_steps,
    steps_of,
    summarise,
)
from audit.registry import stored_sites
from audit.render.outputs import render_scope
from audit.settings import get_settings
from audit.store import db as store
from audit.store import tables as m
from crawler.launch import crawl

log = logging.getLogger(__name__)

STEPS = ("crawl", "audit", "render")
#: A crawl run's status → the step's (a timeout keeps what was fetched: partial).
CRAWL_STATUS = {"ok": "ok", "partial": "partial", "timeout": "partial", "failed": "failed"}
#: Set by the scheduler's and the commands' signal handlers: stop after the current step.
STOP = threading.Event()


@dataclass
class Options:
    """How to run: who asked, where outputs go, and the crawl's time limit and Scrapy overrides."""

    trigger: str = "manual"  # schedule | manual | demo
    out: Path | None = None  # default: the ``out`` setting
    crawl_time_limit: float | None = None  # default: the ``crawl_time_limit`` setting
    crawl_settings: dict = field(default_factory=dict)
    redis_url: str | None = None  # default: the ``crawl_redis`` setting


@dataclass
class PipelineResult:
    """What one run did: its record's id, outcome, steps and summary."""

    run_id: int
    status: str
    steps: list[StepResult]
    summary: str
    out: Path
    released: list[str] = field(default_factory=list)  # stale locks released before this run

    @property
    def exit_code(self) -> int:
        """Return 0 when every step ran (partly, at worst), else 1."""
        return 0 if self.status in ("ok", "partial") else 1


@dataclass
class Context:
    """What the steps of one run share."""

    run_id: int
    day: date
    options: Options
    out: Path
    lease: Lease
    stop: threading.Event
    console: Console

    def halted(self) -> bool:
        """Return whether the run must stop after this step (stop requested, or the lock lost)."""
        return self.stop.is_set() or self.lease.lost.is_set()


# --------------------------------------------------------------------------- steps


def _step_crawl(ctx: Context) -> tuple[str, dict, str]:
    """Crawl every registered agency (skipped when none is registered)."""
    with store.session_scope() as session:
        sites = stored_sites(session)
    if not sites:
        return "skipped", {}, "没有登记的机关，未抓取（用 gkaudit sites import 导入机关登记表）"
    settings = get_settings()
    started = m.utcnow()

    def poll() -> bool:
        if ctx.console.enabled:
            with store.session_scope() as session:
                stored = session.exec(
                    select(func.count()).select_from(m.Document).where(col(m.Document.fetched_at) >= started)
                ).one()
            ctx.console.tell(f"机关 {len(sites)} 个，已存入文档 {stored} 份")
        return ctx.halted()

    redis_url = ctx.options.redis_url or settings.crawl_redis
    result = crawl(
        sites,
        time_limit=ctx.options.crawl_time_limit or settings.crawl_time_limit,
        settings=ctx.options.crawl_settings,
        redis_url=redis_url,
        frontier=ctx.day.isoformat() if redis_url else None,
        poll=poll,
    )
    counts = {k: v for k, v in asdict(result).items() if isinstance(v, int)}
    status = "stopped" if ctx.halted() else CRAWL_STATUS.get(result.status, "failed")
    message = result.summary().splitlines()[0]
    if result.detail:  # why it stopped or failed, and the crawl's last log line (the error)
        lines = [line.strip() for line in result.detail.splitlines() if line.strip()]
        message += f"；{lines[0]}{lines[-1] if len(lines) > 1 else ''}"
    return status, counts, message


def _step_audit(ctx: Context) -> tuple[str, dict, str]:
    """Audit what is new or changed in the store."""
    progress = ctx.console.tell if ctx.console.enabled else None
    try:
        summary = audit_run.run_audit(today=ctx.day, progress=progress)
    except store.Busy as exc:
        return "failed", {}, str(exc)
    counts = {k: v for k, v in asdict(summary).items() if isinstance(v, int)}
    counts["errors"] = len(summary.errors)
    message = summary.summary()
    if summary.errors:
        shown = "；".join(
            str(e.get("source") or e.get("document") or "") + " " + e["error"] for e in summary.errors[:3]
        )
        message += (
            f"；{len(summary.errors)} 份出错，下次运行重试（{shown}{'…' if len(summary.errors) > 3 else ''}）"
        )
    return summary.status, counts, message


def _step_render(ctx: Context) -> tuple[str, dict, str]:
    """Write the notices, lists, 通报 and dashboard of the whole store."""
    ctx.console.tell(f"写入 {ctx.out}")
    with store.session_scope() as session:
        written = render_scope(session, ctx.out, today=ctx.day)
    counts = {"notices": written.notices, "previews": written.previews, "ledgers": written.ledgers + 1}
    counts |= {"evidence": written.evidence, "files": len(written.files)}
    return "ok", counts, written.summary()


STEP_FUNCTIONS: dict[str, Callable[[Context], tuple[str, dict, str]]] = {
    "crawl": _step_crawl,
    "audit": _step_audit,
    "render": _step_render,
}


def _reason(exc: BaseException) -> str:
    """Return why a step failed, in one line (a file's or the database's trouble said as such)."""
    if isinstance(exc, OSError):
        return f"文件系统错误：{exc.strerror or exc}" + (f"（{exc.filename}）" if exc.filename else "")
    if isinstance(exc, SQLAlchemyError):
        return f"数据库操作失败：{str(getattr(exc, 'orig', None) or exc).splitlines()[0]}"
    return mask(f"{type(exc).__name__}: {exc}")


def _run_step(name: str, ctx: Context) -> StepResult:
    """Run one step, catching its failure (logged with its traceback, recorded in one line)."""
    result = StepResult(name=name, started_at=m.utcnow().isoformat())
    save_steps(ctx.run_id, [*steps_of(ctx.run_id), result])
    log.info("第 %s 次运行：开始%s", ctx.run_id, STEP_TITLES[name])
    started = time.perf_counter()
    with ctx.console.step(STEP_TITLES[name]):
        try:
            result.status, result.counts, result.message = STEP_FUNCTIONS[name](ctx)
        except Exception as exc:  # noqa: BLE001 - one step's failure must not hide the others'
            log.exception("nightly step %s failed", name)
            result.status, result.message = "failed", f"出错：{_reason(exc)}"
    result.seconds = round(time.perf_counter() - started, 1)
    log.info("第 %s 次运行：%s", ctx.run_id, result.line())
    return result


def _close_run(ctx: Context, steps: list[StepResult], notes: list[str]) -> PipelineResult:
    """Record the run's outcome and summary; return them."""
    statuses = {s.status for s in steps}
    if "failed" in statuses or ctx.lease.lost.is_set():
        status = "failed"
    elif "stopped" in statuses:
        status = "stopped"
    elif "partial" in statuses:
        status = "partial"
    else:
        status = "ok"
    with store.session_scope() as session:
        run = session.get(m.NightlyRun, ctx.run_id)
        assert run is not None
        run.status, run.finished_at = status, m.utcnow()
        run.steps = [asdict(s) for s in steps]
        run.summary = summary = "\n".join([*notes, *summarise(run)])
        session.add(run)
    for line in summary.splitlines():
        log.info(line)
    return PipelineResult(ctx.run_id, status, steps, summary, ctx.out, notes)


def run_pipeline(
    options: Options | None = None, *, console: Console | None = None, stop: threading.Event | None = None
) -> PipelineResult:
    """Run crawl → audit → render once under the run lock; return what it did (see the module docstring).

    Raises :class:`LockHeld` (after recording a skipped run) when another run holds the lock.
    """
    options = options or Options()
    settings = get_settings()
    stop = stop or STOP
    try:
        lease = lock.acquire(options.trigger, settings.lock_stale)
    except LockHeld as exc:
        record_skipped(options.trigger, str(exc))
        log.warning("%s跳过：%s", TRIGGER_NAMES.get(options.trigger, options.trigger), exc)
        raise
    try:
        notes = [f"已释放失效的运行锁：{why}" for _, why in lease.released]
        notes += close_interrupted(lease.released)
        out = (options.out or settings.out).resolve()
        ctx = Context(
            open_run(lease, options.trigger), store.today(), options, out, lease, stop, console or Console()
        )
        steps: list[StepResult] = []
        for name in STEPS:
            if ctx.halted():
                why = "运行锁已被其他进程接管" if lease.lost.is_set() else "收到停止信号"
                steps.append(StepResult(name, "stopped", message=f"{why}，未运行"))
                continue
            steps.append(_run_step(name, ctx))
            save_steps(ctx.run_id, steps)
        return _close_run(ctx, steps, notes)
    finally:
        try:
            lease.release()
        except Exception:  # noqa: BLE001 - keep the run's own error; the lock goes stale and is released later
            log.warning("运行锁释放失败，将在 %s 秒后失效", settings.lock_stale, exc_info=True)


@contextmanager
def stop_on_signals(event: threading.Event, on_stop: Callable[[], None] | None = None) -> Iterator[None]:
    """While the block runs, SIGINT or SIGTERM sets ``event`` (stop after the current step); a second exits now.

    Outside the main thread (where Python cannot take signals) the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, _frame: object) -> None:
        if event.is_set():
            log.warning("再次收到停止信号，立即退出（运行锁留待下次运行释放）")
            os._exit(128 + signum)
        event.set()
        log.warning("收到停止信号（%s）：当前步骤结束后停止", signal.Signals(signum).name)
        if sys.stderr.isatty():
            sys.stderr.write("\n收到停止信号：当前步骤结束后停止（再按一次 Ctrl-C 立即退出）\n")
        if on_stop is not None:
            on_stop()

    previous = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def recover(trigger: str = "schedule") -> list[str]:
    """Release a stale lock and mark the runs it left failed (when a scheduler starts); say what was done.

    Nothing happens while a live process holds the lock: that run is not interrupted.
    """
    try:
        lease = lock.acquire(trigger, get_settings().lock_stale)
    except LockHeld as exc:
        log.info("启动时检查运行锁：%s", exc)
        return []
    try:
        return [f"已释放失效的运行锁：{why}" for _, why in lease.released] + close_interrupted(lease.released)
    finally:
        lease.release()


def scheduled_run() -> None:
    """The scheduler's job (APScheduler calls it by name): run the pipeline; a held lock is logged, not raised."""
    try:
        run_pipeline(Options(trigger="schedule"))
    except LockHeld:
        pass  # recorded and logged by run_pipeline
    except Exception:  # noqa: BLE001 - the store is down, say: logged; the scheduler tries again next time
        log.exception("定时运行出错（未能开始或结束运行记录），下次定时再试")
