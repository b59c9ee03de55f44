"""The run lock: one row of ``runlock`` per lock name, held by one process at a time, with a heartbeat.

A row in the store (not a file, not a PostgreSQL session lock) so that two schedulers on two
machines, or a scheduler and a manual ``gkaudit run``, see the same lock, on SQLite and PostgreSQL
alike. Taking the lock inserts the row (``INSERT … ON CONFLICT DO NOTHING``: one of two racing
processes wins); the holder renews ``heartbeat_at`` from a thread while it runs and deletes the
row when done. Every change is a compare-and-swap on the holder's ``token``, so a holder that lost
the lock can neither renew nor delete another's.

A row is stale when its heartbeat is older than the ``lock_stale`` setting (the holder hung, or
its machine died), or at once when its holder ran on this host and that process is gone
(``kill -9``, a power cut). Stale rows are released by the next process that wants the lock,
which is told whose lock it released (:attr:`Lease.released`) to mark that holder's run failed.
Heartbeats compare the clocks of the machines that write them: keep them in sync (NTP).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import col

from audit.clock import SHANGHAI
from audit.store import db as store
from audit.store import tables as m
from audit.store.archive import insert_if_absent

log = logging.getLogger(__name__)
NAME = "nightly"


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a lock: host, process id and what started it."""

    host: str
    pid: int
    trigger: str
    since: datetime | None = None
    heartbeat: datetime | None = None
    run_id: int | None = None

    @property
    def label(self) -> str:
        """Return ``host:pid``, the way logs and run records name a process."""
        return f"{self.host}:{self.pid}"

    @classmethod
    def me(cls, trigger: str) -> Holder:
        """Return this process as a holder."""
        return cls(socket.gethostname(), os.getpid(), trigger)

    @classmethod
    def of(cls, row: m.RunLock) -> Holder:
        """Return the holder a lock row names."""
        return cls(
            row.host, row.pid, row.trigger, _aware(row.acquired_at), _aware(row.heartbeat_at), row.run_id
        )


class LockHeld(RuntimeError):
    """The lock is held by a live holder (message in Chinese, names the holder)."""

    def __init__(self, holder: Holder) -> None:
        self.holder = holder
        since = f"，自 {holder.since.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S} 起" if holder.since else ""
        super().__init__(
            f"另一次运行正在进行（{holder.label}，{TRIGGER_NAMES.get(holder.trigger, holder.trigger)}{since}）"
        )


TRIGGER_NAMES = {"schedule": "定时任务", "manual": "手动运行", "demo": "演示"}


def _aware(when: datetime) -> datetime:
    """Return a stored time as aware UTC (SQLite gives naive ones back)."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def process_alive(pid: int) -> bool:
    """Return whether a process with this id exists on this host (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(holder: Holder, stale_after: float, now: datetime | None = None) -> str | None:
    """Return why a holder's lock is stale (Chinese), or None while it is alive."""
    now = now or m.utcnow()
    if holder.host == socket.gethostname() and holder.pid != os.getpid() and not process_alive(holder.pid):
        return f"持有进程 {holder.label} 已不存在"
    if holder.heartbeat is not None and now - holder.heartbeat > timedelta(seconds=stale_after):
        return f"持有者 {holder.label} 的心跳已停止 {int((now - holder.heartbeat).total_seconds())} 秒"
    return None


@dataclass
class Lease:
    """A held lock: renewed by a heartbeat thread until :meth:`release`; ``lost`` once another took it."""

    name: str
    token: str
    holder: Holder
    interval: float
    released: list[tuple[Holder, str]] = field(default_factory=list)  # stale holders released, and why
    lost: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start_heartbeat(self) -> None:
        """Renew the heartbeat every ``interval`` seconds from a daemon thread."""
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{self.name}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        """Renew until stopped; set ``lost`` when the row is no longer ours."""
        while not self._stop.wait(self.interval):
            try:
                if not self.renew():
                    log.error("运行锁 %s 已被其他进程接管，本次运行将在当前步骤后停止", self.name)
                    self.lost.set()
                    return
            except Exception:  # noqa: BLE001 - a database hiccup: try again at the next beat
                log.warning("运行锁 %s 心跳更新失败，稍后重试", self.name, exc_info=True)

    def renew(self) -> bool:
        """Write a new heartbeat; return False when the lock is no longer ours."""
        with store.session_scope() as session:
            result = session.execute(
                update(m.RunLock)
                .where(col(m.RunLock.name) == self.name, col(m.RunLock.token) == self.token)
                .values(heartbeat_at=m.utcnow())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def attach(self, run_id: int) -> None:
        """Record the run this lock is held for (the next holder marks it failed if we die)."""
        with store.session_scope() as session:
            session.execute(
                update(m.RunLock)
                .where(col(m.RunLock.name) == self.name, col(m.RunLock.token) == self.token)
                .values(run_id=run_id)
            )

    def release(self) -> None:
        """Stop the heartbeat and delete the row (if it is still ours)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with store.session_scope() as session:
            session.execute(
                delete(m.RunLock).where(col(m.RunLock.name) == self.name, col(m.RunLock.token) == self.token)
            )


def release_stale(name: str, stale_after: float) -> tuple[Holder, str] | None:
    """Delete the lock row if it is stale; return its holder and why, or None (no row, or alive).

    Raises :class:`LockHeld` when a live holder has it.
    """
    with store.session_scope() as session:
        row = session.get(m.RunLock, name)
        if row is None:
            return None
        holder, token = Holder.of(row), row.token
    why = is_stale(holder, stale_after)
    if why is None:
        raise LockHeld(holder)
    with store.session_scope() as session:
        gone = session.execute(
            delete(m.RunLock).where(col(m.RunLock.name) == name, col(m.RunLock.token) == token)
        ).rowcount  # type: ignore[attr-defined]
    if gone:
        log.warning("已释放失效的运行锁 %s：%s", name, why)
        return holder, why
    return None  # another process released (or took) it meanwhile


def acquire(trigger: str, stale_after: float, name: str = NAME) -> Lease:
    """Take the lock for this process, releasing a stale one first; raise :class:`LockHeld` when busy.

    The heartbeat runs every ``stale_after / 5`` seconds from a thread started here.
    """
    me = Holder.me(trigger)
    token = uuid.uuid4().hex
    released: list[tuple[Holder, str]] = []
    for _ in range(5):
        now = m.utcnow()
        values = {
            "name": name,
            "token": token,
            "holder": me.label,
            "host": me.host,
            "pid": me.pid,
            "trigger": trigger,
            "acquired_at": now,
            "heartbeat_at": now,
        }
        with store.session_scope() as session:
            taken = insert_if_absent(session, m.RunLock, values, ["name"])
        if taken:
            lease = Lease(name, token, me, max(0.1, stale_after / 5), released)
            lease.start_heartbeat()
            return lease
        stale = release_stale(name, stale_after)
        if stale is not None:
            released.append(stale)
    raise RuntimeError("多次尝试后仍未取得运行锁（其他进程在同时争用），请稍后再试")  # pragma: no cover
