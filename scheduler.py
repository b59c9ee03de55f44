"""The nightly schedule of gkaudit: ``python scheduler.py`` runs crawl → audit → outputs every night.

The schedule is built by :mod:`audit.nightly.schedule` (APScheduler 3, cron of the ``schedule``
setting, default 02:00 Asia/Shanghai, job store in the same database) and each run is
:func:`audit.nightly.pipeline.run_pipeline` under the run lock. At start a stale run lock (its
holder was killed) is released and the run it left is marked failed. SIGTERM or SIGINT stops the
scheduler once the running step has finished; a second one exits at once. ``--once`` runs the
pipeline now, as ``gkaudit run`` does, and exits. Plain lines go to stderr (the journal under
systemd) and to the log file under the data directory.
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import datetime

import click

from audit.cli import zh
from audit.cli.common import EXIT_INTERNAL, fail, open_store
from audit.cli.run import run_now
from audit.clock import SHANGHAI
from audit.logs import current_log
from audit.nightly import pipeline, schedule
from audit.nightly.pipeline import Options
from audit.settings import SettingsError, get_settings

zh.install()
log = logging.getLogger("scheduler")


def _log_to_stderr() -> None:
    """Send the scheduler's and the pipeline's log lines to stderr as well (plain lines)."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    formatter.converter = lambda seconds: datetime.fromtimestamp(seconds, SHANGHAI).timetuple()
    handler.setFormatter(formatter)
    for name in ("scheduler", "audit.nightly"):
        logging.getLogger(name).addHandler(handler)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # expected events are logged in Chinese


@click.command(context_settings={"help_option_names": ["-h", "--help"]}, options_metavar="[选项]")
@click.option("--once", is_flag=True, help="立即运行一次（抓取、审核、输出）后退出，不等定时")
def main(once: bool) -> None:
    """gkaudit 定时任务：每晚按设置 GKAUDIT_SCHEDULE（默认 0 2 * * *，Asia/Shanghai）抓取、审核并输出。

    \b
    示例：
      python scheduler.py            常驻运行（systemd 服务见 docs/operations.md）
      python scheduler.py --once     立即运行一次后退出（退出码同 gkaudit run）
    """
    try:
        settings = get_settings()
        scheduler = None if once else schedule.build(settings)
    except SettingsError as exc:
        fail(str(exc))
    open_store()
    if once:
        raise SystemExit(run_now(Options(trigger="manual")))
    assert scheduler is not None
    _log_to_stderr()
    pipeline.recover()  # a stale lock released, the run it left marked failed (both logged)

    def shut_down() -> None:
        threading.Thread(target=scheduler.shutdown, name="shutdown", daemon=True).start()

    log.info("定时任务启动（%s，%s）", settings.schedule, settings.schedule_timezone)
    try:
        with pipeline.stop_on_signals(pipeline.STOP, shut_down):
            scheduler.start()
    except Exception as exc:  # noqa: BLE001 - the database went away, say: one line, traceback in the log
        log.exception("scheduler failed")
        fail(f"定时任务异常退出：{type(exc).__name__}: {exc}（详情见日志 {current_log()}）", EXIT_INTERNAL)
    if scheduler.error:
        fail(scheduler.error)
    log.info("定时任务已停止")


if __name__ == "__main__":
    main(prog_name="python scheduler.py")
