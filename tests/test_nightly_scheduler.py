"""The nightly schedule with a fast trigger: runs happen, overlaps are skipped and logged, one catch-up after downtime.

The scheduler is the one ``scheduler.py`` runs (audit.nightly.schedule.build), started in a thread
with a trigger firing every second; the job is the real pipeline.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_SUBMITTED
from nightly_support import Gate, runs, serve, sqlite_store, wait_for

from audit.logs import log_path, setup_logging
from audit.nightly import lock, schedule
from audit.settings import Settings, SettingsError
from audit.store import db as store

EVERY_SECOND = "* * * * * *"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for url in sqlite_store(tmp_path, monkeypatch):
        monkeypatch.setenv("GKAUDIT_SCHEDULE", EVERY_SECOND)
        monkeypatch.setenv("GKAUDIT_MISFIRE_GRACE", "3600")
        setup_logging(store.data_dir())
        yield url


class Running:
    """A scheduler started in a thread; the jobs it submitted, with their planned times."""

    def __init__(self) -> None:
        self.scheduler = schedule.build()
        self.submitted: list[list[datetime]] = []
        self.scheduler.add_listener(
            lambda e: self.submitted.append(e.scheduled_run_times), EVENT_JOB_SUBMITTED
        )
        self.started = datetime.now(UTC)
        self.thread = threading.Thread(target=self.scheduler.start, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)
        self.thread.join(30)
        assert self.scheduler.error is None


def _ok() -> list:
    return [r for r in runs() if r.status == "ok" and r.trigger == "schedule"]


def test_runs_happen_and_one_catch_up_follows_downtime(sqlite: str) -> None:
    first = Running()
    try:
        wait_for(_ok, message="a scheduled run")
    finally:
        first.stop()
    done = len(_ok())
    time.sleep(3.5)  # the scheduler is down: at least three runs fall due

    second = Running()
    try:
        wait_for(lambda: len(_ok()) > done, message="a run after the restart")
    finally:
        second.stop()
    missed = [times for times in second.submitted if times[0] < second.started]
    assert len(missed) == 1, second.submitted  # one catch-up for the runs missed while down
    assert len(missed[0]) == 1  # coalesced: the job ran once for all of them
    logged = log_path(store.data_dir()).read_text(encoding="utf-8")
    assert "定时任务沿用已保存的计划" in logged and "停机期间错过，立即补运行一次" in logged


def test_a_run_while_another_holds_the_lock_is_skipped_and_logged(sqlite: str) -> None:
    lease = lock.acquire("manual", stale_after=600)  # a manual run, maybe on another machine
    running = Running()
    try:
        wait_for(lambda: [r for r in runs() if r.status == "skipped"], message="a skipped run")
        lease.release()
        wait_for(_ok, message="a run once the lock is free")
    finally:
        running.stop()
        lease.release()
    skipped = [r for r in runs() if r.status == "skipped"]
    assert all("另一次运行正在进行" in (r.summary or "") and "手动运行" in (r.summary or "") for r in skipped)
    assert "定时任务跳过：另一次运行正在进行" in log_path(store.data_dir()).read_text(encoding="utf-8")


def test_a_run_still_going_when_the_next_is_due_makes_that_one_skipped(
    sqlite: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch)
    served = serve(tmp_path)
    running = Running()
    try:
        assert gate.reached.wait(60), "no run reached the portals"
        wait_for(lambda: [r for r in runs() if "上一次运行尚未结束" in (r.summary or "")], message="a skip")
        assert [r.status for r in runs() if r.status != "skipped"] == ["running"]
        gate.open()
        wait_for(_ok, message="the long run to finish")
    finally:
        gate.open()
        running.stop()
        served.portals.close()
    logged = log_path(store.data_dir()).read_text(encoding="utf-8")
    assert "跳过本次定时运行：计划于" in logged and "上一次运行尚未结束" in logged
    first = _ok()[0]
    assert {s["name"]: s["counts"].get("new") for s in first.steps}["crawl"] == 2  # both reports of AGENCY


def test_the_schedule_reads_weekdays_as_crontab_does() -> None:
    sunday_two = schedule.trigger_from(Settings(schedule="0 2 * * 0"))
    monday = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday
    assert sunday_two.get_next_fire_time(None, monday).strftime("%a %H:%M") == "Sun 02:00"
    weekdays = schedule.trigger_from(Settings(schedule="30 1 * * 1-5"))
    friday = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)  # Saturday 02:00 in Shanghai
    assert weekdays.get_next_fire_time(None, friday).strftime("%a %H:%M") == "Mon 01:30"
    seconds = schedule.trigger_from(Settings(schedule="*/5 * * * * *"))
    assert seconds.get_next_fire_time(None, monday).second % 5 == 0


@pytest.mark.parametrize("bad", ["61 2 * * *", "0 2 * *", "0 2 * * 8", "每天两点"])
def test_a_bad_schedule_is_one_chinese_line_naming_the_setting(bad: str) -> None:
    with pytest.raises(SettingsError) as refused:
        schedule.trigger_from(Settings(schedule=bad))
    message = str(refused.value)
    assert message.startswith(f"设置 GKAUDIT_SCHEDULE 的值“{bad}”无效：") and "\n" not in message
    assert not any(word in message for word in ("Error", "value", "expression"))


def _scheduler(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scheduler.py"), *args],
        env=dict(os.environ, PYTHONPATH=str(ROOT), **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_scheduler_py_refuses_a_bad_schedule_in_one_line(sqlite: str) -> None:
    done = _scheduler(GKAUDIT_SCHEDULE="0 25 * * *")
    assert done.returncode == 2
    assert done.stderr.strip() == "错误：设置 GKAUDIT_SCHEDULE 的值“0 25 * * *”无效：“25”不是有效的时（0—23）"


def test_scheduler_py_once_runs_the_pipeline_now_and_exits(sqlite: str) -> None:
    done = _scheduler("--once")
    assert done.returncode == 0, done.stderr
    assert "第 1 次运行（手动运行" in done.stdout and "输出：成功" in done.stdout
    assert [r.status for r in runs()] == ["ok"]
