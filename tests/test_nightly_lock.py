"""The run lock: one holder at a time on SQLite and PostgreSQL, a heartbeat, stale holders released."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from test_store_support import db  # noqa: F401  (fixture)

from audit.nightly import lock
from audit.nightly.lock import LockHeld
from audit.store import db as store
from audit.store import tables as m


def _plant(host: str, pid: int, *, age: float = 0.0, run_id: int | None = None) -> None:
    """Write a lock row as another holder would have left it (heartbeat ``age`` seconds old)."""
    when = m.utcnow() - timedelta(seconds=age)
    with store.session_scope() as session:
        session.add(
            m.RunLock(
                name=lock.NAME,
                token="other",
                holder=f"{host}:{pid}",
                host=host,
                pid=pid,
                trigger="schedule",
                run_id=run_id,
                acquired_at=when,
                heartbeat_at=when,
            )
        )


def _row() -> m.RunLock | None:
    with store.session_scope() as session:
        return session.get(m.RunLock, lock.NAME)


def test_one_holder_at_a_time_and_the_refusal_names_it(db: str) -> None:  # noqa: F811
    lease = lock.acquire("manual", stale_after=60)
    try:
        with pytest.raises(LockHeld) as refused:
            lock.acquire("schedule", stale_after=60)
        assert f"{socket.gethostname()}:{os.getpid()}" in str(refused.value)
        assert "手动运行" in str(refused.value)
    finally:
        lease.release()
    assert _row() is None
    lock.acquire("schedule", stale_after=60).release()


def test_racing_processes_get_the_lock_once(db: str) -> None:  # noqa: F811
    won: list[lock.Lease] = []
    refused: list[LockHeld] = []
    start = threading.Barrier(6)

    def contend() -> None:
        start.wait()
        try:
            won.append(lock.acquire("schedule", stale_after=60))
        except LockHeld as exc:
            refused.append(exc)

    threads = [threading.Thread(target=contend) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(won), len(refused)) == (1, 5)
    won[0].release()


def test_a_stale_heartbeat_is_released_and_said(db: str) -> None:  # noqa: F811
    _plant("other-machine", 4242, age=120)
    with pytest.raises(LockHeld):  # 120 s old is alive when the limit is 600 s
        lock.acquire("manual", stale_after=600)
    lease = lock.acquire("manual", stale_after=60)
    try:
        [(holder, why)] = lease.released
        assert holder.label == "other-machine:4242"
        assert "心跳已停止" in why
        assert _row().token == lease.token  # type: ignore[union-attr]
    finally:
        lease.release()


def test_a_dead_holder_on_this_host_is_released_at_once(db: str) -> None:  # noqa: F811
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(gone.stdout)
    _plant(socket.gethostname(), pid, age=0, run_id=7)
    lease = lock.acquire("schedule", stale_after=3600)
    try:
        [(holder, why)] = lease.released
        assert (holder.pid, holder.run_id) == (pid, 7)
        assert why == f"持有进程 {socket.gethostname()}:{pid} 已不存在"
    finally:
        lease.release()


def test_a_live_holder_on_this_host_is_not_released(db: str) -> None:  # noqa: F811
    _plant(socket.gethostname(), os.getppid(), age=0)
    with pytest.raises(LockHeld):
        lock.acquire("schedule", stale_after=3600)


def test_the_heartbeat_keeps_a_long_run_alive_and_notices_a_takeover(db: str) -> None:  # noqa: F811
    lease = lock.acquire("manual", stale_after=0.5)  # beats every 0.1 s
    try:
        first = _row().heartbeat_at  # type: ignore[union-attr]
        time.sleep(1.0)  # twice the staleness limit
        assert _row().heartbeat_at > first  # type: ignore[union-attr,operator]
        with pytest.raises(LockHeld):
            lock.acquire("schedule", stale_after=0.5)
        assert not lease.lost.is_set()
        with store.session_scope() as session:  # another process takes it over
            row = session.get(m.RunLock, lock.NAME)
            row.token = "thief"  # type: ignore[union-attr]
            session.add(row)
        assert lease.lost.wait(2.0)
    finally:
        lease.release()
    assert _row().token == "thief"  # type: ignore[union-attr]  # release leaves another's lock alone
