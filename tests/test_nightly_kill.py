"""``kill -9`` of the scheduler during a run: its crawl dies with it; on restart the stale lock is
released, the interrupted run is marked failed, and the next run completes with nothing lost.

The scheduler is ``python scheduler.py`` in a subprocess with a trigger firing every second; the
demo portals it crawls are served by this test, held at a :class:`Gate` until the kill is done.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from nightly_support import AGENCY, EXPECTED, Gate, findings, runs, serve, sqlite_store, wait_for
from sqlmodel import select

from audit.nightly import lock
from audit.store import db as store
from audit.store import tables as m

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="需要 Linux（/proc、PDEATHSIG）")


@pytest.fixture
def sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from sqlite_store(tmp_path, monkeypatch)


def _crawls_of(parent: int) -> list[int]:
    """Return the crawl processes started by ``parent`` (their environment names it)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"GK_CRAWL_PARENT={parent}".encode() in environ:
            found.append(int(proc.name))
    return found


def _scheduler(tmp_path: Path, name: str) -> subprocess.Popen:
    """Start ``python scheduler.py`` on the test's store, firing every second; its output goes to a file."""
    env = dict(os.environ, GKAUDIT_SCHEDULE="* * * * * *", PYTHONPATH=str(ROOT))
    log = open(tmp_path / f"{name}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, str(ROOT / "scheduler.py")],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_kill_9_during_a_run_then_restart(
    sqlite: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch)
    served = serve(tmp_path)
    first = _scheduler(tmp_path, "first")
    try:
        assert gate.reached.wait(90), (tmp_path / "first.log").read_text(encoding="utf-8")
        crawls = wait_for(lambda: _crawls_of(first.pid), message="the crawl process")
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        wait_for(lambda: not _crawls_of(first.pid), 10, "the crawl to die with the scheduler")
        with store.session_scope() as session:
            held = session.get(m.RunLock, lock.NAME)
            assert held is not None and held.pid == first.pid  # left behind
        [interrupted] = [r for r in runs() if r.status != "skipped"]  # the others: due while it ran
        assert interrupted.status == "running" and interrupted.steps[-1]["name"] == "crawl"
        gate.open()

        second = _scheduler(tmp_path, "second")
        try:
            wait_for(lambda: [r for r in runs() if r.status == "ok"], 120, "a run after the restart")
            second.send_signal(signal.SIGTERM)  # stops cleanly once the running step is done
            assert second.wait(120) == 0
        finally:
            if second.poll() is None:
                second.kill()
    finally:
        gate.open()
        if first.poll() is None:
            first.kill()
        served.portals.close()
    said = (tmp_path / "second.log").read_text(encoding="utf-8")
    assert f"已释放失效的运行锁 {lock.NAME}：持有进程 {held.holder} 已不存在" in said
    assert "第 1 次运行" in said and "中断，已标为失败" in said
    assert "定时任务已停止" in said

    records = [r for r in runs() if r.status != "skipped"]
    assert records[0].status == "failed"
    assert records[0].steps[-1]["status"] == "failed" and "运行中断" in records[0].steps[-1]["message"]
    assert records[1].status == "ok"
    assert all(r.status == "ok" for r in records[1:])
    with store.session_scope() as session:
        assert session.get(m.RunLock, lock.NAME) is None
        crawl_runs = session.exec(select(m.CrawlRun).order_by(m.CrawlRun.id)).all()
        documents = session.exec(select(m.Document)).all()
    assert crawl_runs[0].status == "failed" and "运行中断" in (crawl_runs[0].detail or "")
    assert len(crawls) == 1
    # nothing lost: both reports stored once, every expected finding raised
    assert len(documents) == 2 and len({d.sha256 for d in documents}) == 2
    assert EXPECTED <= {(rule, year) for agency, year, rule, _ in findings() if agency == AGENCY}
