"""Start a crawl in a subprocess with a time limit, and record it as a crawl run.

:func:`crawl` is what ``gkaudit crawl`` and the scheduler call: it writes the job (registry
entries, URLs known from earlier nights, settings) to a file, runs ``python -m crawler`` on it,
kills the process group when the time limit passes, and returns the crawl run's counts. A caller
may pass ``poll``, called about once a second while the crawl runs (progress, a stop request): when
it returns True the crawl is asked to stop (SIGTERM: Scrapy closes the spider and stores what it
fetched). The crawl process dies with the process that started it (crawler/__main__.py). This
module does not import Scrapy.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select

from audit.registry import Site, stored_sites
from audit.settings import get_settings
from audit.store import db as store
from audit.store import tables as m
from crawler.settings import redis_settings
from crawler.state import known_urls

#: Seconds a whole crawl may take before it is stopped (the spider closes itself a little earlier).
DEFAULT_TIME_LIMIT = 4 * 3600
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class CrawlResult:
    """What one crawl process did (the ``CrawlRun`` row), and the share of the previous night's bytes."""

    run_id: int
    status: str
    agencies: int
    pages: int
    bytes: int
    new: int
    changed: int
    unchanged: int
    gone: int
    errors: int
    blocked: int
    detail: str | None
    bytes_share: float | None  # this run's bytes / the previous finished run's bytes

    def summary(self) -> str:
        """Return the run as one Chinese paragraph (what ``gkaudit crawl`` prints)."""
        status = {"ok": "完成", "partial": "完成（部分失败）", "timeout": "超时中止", "failed": "失败"}.get(
            self.status, self.status
        )
        text = (
            f"抓取{status}（第 {self.run_id} 次）：机关 {self.agencies} 个，请求页面 {self.pages} 个，"
            f"下载 {self.bytes} 字节；新增 {self.new} 份，变更 {self.changed} 份，未变 {self.unchanged} 份，"
            f"失效 {self.gone} 个，失败 {self.errors} 个，拒绝 {self.blocked} 个请求"
        )
        if self.bytes_share is not None:
            text += f"；下载量为上次的 {self.bytes_share:.1%}"
        if self.detail:
            text += f"\n{self.detail}"
        return text


#: Called about once a second while a crawl runs; returning True asks the crawl to stop.
Poll = Callable[[], bool]


def run_spider(
    spider: str, job: dict, *, time_limit: float, poll: Poll | None = None
) -> tuple[int | None, str]:
    """Run ``python -m crawler SPIDER`` on ``job``; return (exit status or None on timeout, stderr tail)."""
    with tempfile.TemporaryDirectory(prefix="gkaudit-crawl-") as tmp:
        path = Path(tmp) / "job.json"
        path.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
        env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings", GK_CRAWL_PARENT=str(os.getpid()))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        log = Path(tmp) / "crawl.log"
        with open(log, "wb") as err:
            proc = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "crawler", spider, str(path)],
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
                start_new_session=True,
            )
            code = _wait(proc, time_limit, poll)
        tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
        keep = get_settings().crawl_log
        if keep:
            with open(keep, "a", encoding="utf-8") as fh:
                fh.write(log.read_text(encoding="utf-8", errors="replace"))
    return code, tail


def _wait(proc: subprocess.Popen, time_limit: float, poll: Poll | None) -> int | None:
    """Wait for a crawl process; SIGTERM it once when ``poll`` says stop; kill it at the time limit (None)."""
    deadline = time.monotonic() + time_limit
    asked = False
    while True:
        left = deadline - time.monotonic()
        try:
            return proc.wait(timeout=max(0.0, min(left, 1.0) if poll else left))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return None
            if poll is not None and poll() and not asked:
                os.killpg(proc.pid, signal.SIGTERM)  # Scrapy closes the spider; what it fetched is stored
                asked = True


def crawl(
    sites: list[Site],
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    settings: dict | None = None,
    redis_url: str | None = None,
    frontier: str | None = None,
    poll: Poll | None = None,
) -> CrawlResult:
    """Crawl ``sites`` in a subprocess (one crawl run); return what it did.

    With ``redis_url`` the frontier is shared in Redis under ``frontier`` (several workers, one
    night). The spider stops itself shortly before ``time_limit``; the process is killed at it.
    ``poll`` is called about once a second; when it returns True the crawl is asked to stop.
    """
    with store.session_scope() as session:
        run = m.CrawlRun(agencies=len(sites))
        session.add(run)
        session.flush()
        run_id: int = run.id  # type: ignore[assignment]
        known = known_urls(session, [s.name for s in sites])
        roster = {s.name: s.aliases for s in stored_sites(session)} | {s.name: s.aliases for s in sites}
    overrides = dict(settings or {})
    overrides.setdefault("CLOSESPIDER_TIMEOUT", max(1, int(time_limit * 0.9)))
    if redis_url:
        overrides = {**redis_settings(redis_url, frontier or "gkaudit"), **overrides}
    job = {
        "run_id": run_id,
        "sites": [s.as_dict() for s in sites],
        "settings": overrides,
        "arguments": {"sites": [s.as_dict() for s in sites], "known": known, "roster": roster},
    }
    code, tail = run_spider("reports", job, time_limit=time_limit, poll=poll)
    return finish(run_id, code, tail)


def finish(run_id: int, code: int | None, tail: str) -> CrawlResult:
    """Close the crawl run row after the process ended; return it with the byte share."""
    with store.session_scope() as session:
        run = session.get(m.CrawlRun, run_id)
        assert run is not None
        run.finished_at = m.utcnow()
        if code is None:
            run.status, run.detail = "timeout", "抓取超过时限，已强制结束；已抓取的内容已入库"
        elif run.stats.get("finish_reason") == "closespider_timeout":
            run.status, run.detail = "timeout", "抓取达到时限，已停止；已抓取的内容已入库，其余留待下次"
        elif code != 0:
            run.status, run.detail = "failed", "抓取进程异常退出：\n" + _last_lines(tail)
        elif not run.stats:  # the spider never closed (it never started): nothing was crawled
            run.status, run.detail = "failed", "抓取进程未能启动爬虫：\n" + _last_lines(tail)
        else:
            run.status = "partial" if run.errors else "ok"
        session.add(run)
        previous = session.exec(
            select(m.CrawlRun)
            .where(col(m.CrawlRun.id) < run_id, col(m.CrawlRun.finished_at).is_not(None))
            .order_by(col(m.CrawlRun.id).desc())
        ).first()
        share = run.bytes / previous.bytes if previous is not None and previous.bytes else None
        return CrawlResult(
            run_id=run_id,
            status=run.status,
            agencies=run.agencies,
            pages=run.pages,
            bytes=run.bytes,
            new=run.new,
            changed=run.changed,
            unchanged=run.unchanged,
            gone=run.gone,
            errors=run.errors,
            blocked=run.blocked,
            detail=run.detail,
            bytes_share=share,
        )


def _last_lines(text: str, n: int = 5) -> str:
    """Return the last ``n`` non-empty lines of a log."""
    return "\n".join([line for line in text.splitlines() if line.strip()][-n:])


def collect(
    spider: str,
    arguments: dict,
    *,
    sites: list[Site] | None = None,
    hosts: list[str] | None = None,
    time_limit: float = 600,
    settings: dict | None = None,
) -> tuple[list[dict], str | None]:
    """Run a spider that reports JSON lines (``sitecheck``, ``discover``); return its lines and an error.

    ``hosts`` are extra hosts the spider may fetch (named explicitly, as given on the command line).
    """
    with tempfile.TemporaryDirectory(prefix="gkaudit-sites-") as tmp:
        output = Path(tmp) / "out.jsonl"
        overrides = {"CLOSESPIDER_TIMEOUT": max(1, int(time_limit * 0.9)), **(settings or {})}
        overrides["GK_OUTPUT"] = str(output)
        job = {
            "sites": [s.as_dict() for s in sites or []],
            "extra_hosts": list(hosts or []),
            "extra_explicit": list(hosts or []),
            "settings": overrides,
            "arguments": arguments,
        }
        code, tail = run_spider(spider, job, time_limit=time_limit)
        lines = output.read_text(encoding="utf-8").splitlines() if output.exists() else []
    error = None
    if code is None:
        error = "超过时限，已强制结束"
    elif code != 0:
        error = "抓取进程异常退出：\n" + _last_lines(tail)
    return [json.loads(line) for line in lines if line.strip()], error
