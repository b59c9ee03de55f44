"""``gkaudit run``: crawl → audit → outputs under the run lock, a run record, failures kept apart, a stop."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from nightly_support import (
    EXPECTED,
    FAST,
    Gate,
    fast_args,
    findings,
    runs,
    serve,
    sqlite_store,
)
from test_store_support import db  # noqa: F401  (fixture)

from audit.cli import main
from audit.logs import log_path
from audit.nightly import lock
from audit.nightly.pipeline import Options, run_pipeline
from audit.store import db as store
from audit.store import tables as m
from crawler import launch


@pytest.fixture
def sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from sqlite_store(tmp_path, monkeypatch)


def gk(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_a_run_crawls_audits_renders_and_keeps_its_record(sqlite: str, tmp_path: Path) -> None:
    served = serve(tmp_path)
    try:
        code, output = gk("run", "--out", str(tmp_path / "out"), *fast_args())
    finally:
        served.portals.close()
    assert code == 0, output
    assert "第 1 次运行（手动运行" in output
    for line in ("抓取：成功", "新增 2 份", "失效 1 个", "审核：成功", "审核报告 2 份", "输出：成功"):
        assert line in output
    assert (tmp_path / "out" / "index.html").is_file()
    assert (tmp_path / "out" / "ledgers" / "ledger-all.xlsx").is_file()
    assert {(rule, year) for _, year, rule, _ in findings()} >= EXPECTED

    [run] = runs()
    assert (run.status, run.trigger) == ("ok", "manual")
    steps = {s["name"]: s for s in run.steps}
    assert list(steps) == ["crawl", "audit", "render"]
    assert (steps["crawl"]["counts"]["new"], steps["crawl"]["counts"]["gone"]) == (2, 1)
    assert steps["audit"]["counts"]["reports_audited"] == 2
    assert steps["render"]["counts"]["evidence"] == len(findings())
    assert run.summary is not None and run.summary in output
    with store.session_scope() as session:
        assert session.get(m.RunLock, lock.NAME) is None  # released

    code, listed = gk("runs", "--json")
    assert code == 0 and json.loads(listed.splitlines()[0])["status"] == "ok"
    code, shown = gk("runs")
    assert "第 1 次运行（手动运行" in shown and "\\n" not in shown
    logged = log_path(store.data_dir()).read_text(encoding="utf-8")
    assert "第 1 次运行：开始抓取" in logged and "第 1 次运行：输出：成功" in logged


def test_without_registered_agencies_the_crawl_is_skipped_and_the_rest_runs(
    db: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GKAUDIT_OUT", str(tmp_path / "out"))
    result = run_pipeline(Options(trigger="schedule"))
    assert (result.status, result.exit_code) == ("ok", 0)
    assert [(s.name, s.status) for s in result.steps] == [
        ("crawl", "skipped"),
        ("audit", "ok"),
        ("render", "ok"),
    ]
    assert "没有登记的机关，未抓取" in result.summary
    assert (tmp_path / "out" / "index.html").is_file()
    [run] = runs()
    assert (run.trigger, run.status, run.summary) == ("schedule", "ok", result.summary)
    assert [s["name"] for s in run.steps] == ["crawl", "audit", "render"]


def test_a_failed_step_does_not_hide_the_others(sqlite: str, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_bytes((Path(__file__).parent / "fixtures" / "reports" / "clean_dept_2023.txt").read_bytes())
    code, output = gk(
        "ingest", str(report), "--agency", "江北市临河区市场监督管理局", "--new-agency", "--year", "2023"
    )
    assert code == 0, output
    served = serve(tmp_path)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")  # outputs go below it: they cannot be written
    try:
        # a crawl that cannot start (its item pipeline does not exist), outputs below a file
        code, output = gk(
            "run",
            "--out",
            str(blocked / "out"),
            *fast_args(),
            "-s",
            'ITEM_PIPELINES={"nosuch.Pipeline": 300}',
        )
    finally:
        served.portals.close()
    assert code == 1, output
    assert "抓取：失败" in output and "抓取进程未能启动爬虫：ModuleNotFoundError" in output
    assert "审核：成功" in output and "审核报告 1 份" in output  # what the store held was audited
    assert "输出：失败" in output and "出错：" in output
    [run] = runs()
    assert run.status == "failed"
    assert [s["status"] for s in run.steps] == ["failed", "ok", "failed"]
    assert run.steps[1]["counts"]["reports_audited"] == 1


def test_a_held_lock_skips_the_run_and_says_who_holds_it(sqlite: str, tmp_path: Path) -> None:
    lease = lock.acquire("schedule", stale_after=600)
    try:
        code, output = gk("run", "--out", str(tmp_path / "out"))
    finally:
        lease.release()
    assert code == 2
    assert output.startswith("错误：本次未运行：另一次运行正在进行（") and "定时任务" in output
    assert len(output.strip().splitlines()) == 1
    [skipped] = runs()
    assert skipped.status == "skipped" and "另一次运行正在进行" in (skipped.summary or "")
    code, output = gk("run", "--out", str(tmp_path / "out"))
    assert code == 0, output


def test_a_stop_ends_the_crawl_early_and_runs_no_further_step(
    sqlite: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch)
    asked = threading.Event()
    kill = os.killpg

    def killpg(pgid: int, sig: int) -> None:
        kill(pgid, sig)
        if sig == signal.SIGTERM:
            asked.set()

    monkeypatch.setattr(launch.os, "killpg", killpg)
    served = serve(tmp_path)
    stop = threading.Event()
    done: list = []
    options = Options(out=tmp_path / "out", crawl_settings=dict(FAST))
    worker = threading.Thread(target=lambda: done.append(run_pipeline(options, stop=stop)))
    try:
        worker.start()
        assert gate.reached.wait(60), "the crawl never asked the portals"
        stop.set()
        assert asked.wait(10), "the crawl was not asked to stop"
        gate.open()
        worker.join(120)
    finally:
        served.portals.close()
    [result] = done
    assert result.status == "stopped" and result.exit_code == 1
    assert [s.status for s in result.steps] == ["stopped", "stopped", "stopped"]
    assert "收到停止信号，未运行" in result.steps[1].message
    assert runs()[0].status == "stopped"
    with store.session_scope() as session:
        crawl_run = session.get(m.CrawlRun, result.steps[0].counts["run_id"])
    assert crawl_run.stats["finish_reason"] == "shutdown"  # Scrapy closed the spider and kept what it had
