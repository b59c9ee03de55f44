"""The nightly schedule: an APScheduler 3 ``BlockingScheduler`` whose job store is the store's database.

:func:`build` makes the scheduler ``scheduler.py`` runs: the cron of the ``schedule`` setting in
the ``schedule_timezone`` (default 02:00 Asia/Shanghai), one worker thread, and the job
:func:`audit.nightly.pipeline.scheduled_run` with ``coalesce`` (runs missed while the scheduler
was down are made up by one run), ``max_instances=1`` (a run still going when the next is due
makes that one skipped, logged and recorded) and ``misfire_grace_time`` (the ``misfire_grace``
setting: a run missed by more than that is not made up).

The job lives in the ``apscheduler_jobs`` table with its next run time, so a restart keeps the
missed run: the job is replaced only when the cron or time zone changed (re-adding it would reset
the next run time and lose the catch-up). APScheduler 3 counts weekdays from Monday = 0; the
``schedule`` setting is read as crontab reads it (0 and 7 = Sunday), by turning weekday numbers
into names. One scheduler per database: two would share the job store, which APScheduler forbids
(the run lock still keeps their runs apart).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    EVENT_SCHEDULER_STARTED,
    JobExecutionEvent,
    JobSubmissionEvent,
    SchedulerEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from audit.clock import SHANGHAI
from audit.nightly.record import record_skipped
from audit.settings import Settings, SettingsError, get_settings
from audit.store import db as store

log = logging.getLogger("scheduler")
JOB_ID = "gkaudit-nightly"
JOB_REF = "audit.nightly.pipeline:scheduled_run"
JOBS_TABLE = "apscheduler_jobs"
CATCH_UP_AFTER = 60  # seconds late: a run this late was missed while the scheduler was down

_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DOW_PART = re.compile(r"^(\*|\d)(?:-(\d))?(?:/(\d+))?$")


def _weekdays(field: str) -> str:
    """Return a crontab weekday field (0 and 7 = Sunday) in APScheduler's names (``1-5`` → ``mon,…,fri``)."""
    parts = []
    for part in field.lower().split(","):
        match = _DOW_PART.match(part)
        if not match:
            parts.append(part)  # names (mon-fri) mean the same to both
            continue
        first, last, step = match.groups()
        if first == "*" and not step:
            return "*"
        lo, hi = (0, 6) if first == "*" else (int(first), int(last or first))
        if hi > 7 or lo > hi:
            raise ValueError(f"星期“{part}”应在 0—7 之间（0 和 7 为星期日）")
        parts += [_DAYS[d] for d in range(lo, hi + 1, int(step or 1))]
    return ",".join(dict.fromkeys(parts))


_FIELDS = {
    "second": "秒（0—59）",
    "minute": "分（0—59）",
    "hour": "时（0—23）",
    "day": "日（1—31）",
    "month": "月（1—12）",
    "day_of_week": "星期（0—7，0 和 7 为星期日，或 mon—sun）",
}


def trigger_from(settings: Settings) -> CronTrigger:
    """Return the cron trigger of the ``schedule`` setting; a bad value is a Chinese :class:`SettingsError`."""
    fields = settings.schedule.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    bad = f"设置 GKAUDIT_SCHEDULE 的值“{settings.schedule}”无效："
    if len(fields) != 6:
        raise SettingsError(bad + "应为 5 段（分 时 日 月 星期）或 6 段（秒 分 时 日 月 星期），如 0 2 * * *")
    values = dict(zip(_FIELDS, fields, strict=True))
    try:
        values["day_of_week"] = _weekdays(values["day_of_week"])
    except ValueError as exc:
        raise SettingsError(bad + str(exc)) from None
    for name, value in values.items():
        try:
            CronTrigger(**{name: value})
        except ValueError:
            raise SettingsError(bad + f"“{value}”不是有效的{_FIELDS[name]}") from None
    return CronTrigger(**values, timezone=ZoneInfo(settings.schedule_timezone))


def _local(when: datetime) -> str:
    """Return a time as Asia/Shanghai ``YYYY-MM-DD HH:MM:SS``."""
    return when.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


class NightlyScheduler(BlockingScheduler):
    """The blocking scheduler of the nightly job; :attr:`error` says why it could not start."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.trigger = trigger_from(settings)
        self.error: str | None = None
        super().__init__(
            jobstores={"default": SQLAlchemyJobStore(engine=store.get_engine(), tablename=JOBS_TABLE)},
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": settings.misfire_grace},
            timezone=ZoneInfo(settings.schedule_timezone),
        )
        self.add_listener(self._on_started, EVENT_SCHEDULER_STARTED)
        self.add_listener(self._on_submitted, EVENT_JOB_SUBMITTED)
        self.add_listener(self._on_max_instances, EVENT_JOB_MAX_INSTANCES)
        self.add_listener(self._on_missed, EVENT_JOB_MISSED)

    def _on_started(self, _event: SchedulerEvent) -> None:
        """Keep the stored job (and its missed run) unless the schedule changed; else (re)add it."""
        try:
            self._ensure_job()
        except Exception as exc:  # noqa: BLE001 - reported as one line by scheduler.py
            log.exception("scheduler start failed")
            self.error = f"无法设定定时任务：{type(exc).__name__}: {exc}"
            self.shutdown(wait=False)

    def _ensure_job(self) -> None:
        """Add the nightly job, or keep the one the job store holds when its trigger is the same."""
        try:
            job = self.get_job(JOB_ID)
        except (
            LookupError,
            ValueError,
        ):  # a stored job that no longer loads (a renamed function): replace it
            job = None
        if job is not None and repr(job.trigger) == repr(self.trigger) and job.func_ref == JOB_REF:
            job.modify(coalesce=True, max_instances=1, misfire_grace_time=self.settings.misfire_grace)
            when = job.next_run_time
            late = when is not None and when < datetime.now(self.timezone)
            log.info(
                "定时任务沿用已保存的计划（%s），下次运行：%s%s",
                self.settings.schedule,
                _local(when) if when else "无",
                "（停机期间错过，立即补运行一次）" if late else "",
            )
            return
        job = self.add_job(JOB_REF, self.trigger, id=JOB_ID, name="gkaudit 每晚运行", replace_existing=True)
        log.info(
            "定时任务已设定：%s（%s），下次运行：%s",
            self.settings.schedule,
            self.settings.schedule_timezone,
            _local(job.next_run_time) if job.next_run_time else "无",
        )

    def _on_submitted(self, event: JobSubmissionEvent) -> None:
        """Log the start of a run, saying when it is the catch-up of runs missed while down."""
        planned = event.scheduled_run_times[-1]
        late = (datetime.now(self.timezone) - planned).total_seconds()
        catch_up = "（补运行：停机期间错过的运行合并为这一次）" if late > CATCH_UP_AFTER else ""
        log.info("定时运行开始（计划于 %s）%s", _local(planned), catch_up)

    def _on_max_instances(self, event: JobSubmissionEvent) -> None:
        """Log and record a run skipped because the previous one is still going."""
        planned = _local(event.scheduled_run_times[-1])
        reason = f"计划于 {planned} 的运行到时，上一次运行尚未结束"
        log.warning("跳过本次定时运行：%s", reason)
        record_skipped("schedule", reason)

    def _on_missed(self, event: JobExecutionEvent) -> None:
        """Log and record a run missed by more than the misfire grace time."""
        reason = (
            f"计划于 {_local(event.scheduled_run_time)} 的运行错过已超过 {self.settings.misfire_grace} 秒"
            "（GKAUDIT_MISFIRE_GRACE），不再补运行"
        )
        log.warning("跳过本次定时运行：%s", reason)
        record_skipped("schedule", reason)


def build(settings: Settings | None = None) -> NightlyScheduler:
    """Return the scheduler of the settings (not started)."""
    return NightlyScheduler(settings or get_settings())
