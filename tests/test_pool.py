"""Workers: results in submission order, failures as results, dead workers replaced (audit.pool)."""

from __future__ import annotations

import os
import threading
import time

import pytest

from audit.pool import WorkerDied, Workers


def square_slowly(n: int) -> int:
    """Square ``n``, the early items taking longest (so that they finish last)."""
    time.sleep(0.02 * (8 - n % 8))
    return n * n


def fail_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n


def die_on_two(n: int) -> int:
    if n == 2:
        os._exit(9)
    return n


def where(_: int) -> tuple[int, str, str | None, str]:
    """Return the process, thread, a probe variable and the working directory of the worker."""
    return os.getpid(), threading.current_thread().name, os.environ.get("GK_POOL_PROBE"), os.getcwd()


def test_results_come_back_in_the_order_given() -> None:
    with Workers(2) as workers:
        assert list(workers.map(square_slowly, range(12))) == [(n, n * n) for n in range(12)]


def test_an_exception_is_the_result_of_its_item_only() -> None:
    with Workers(2) as workers:
        results = dict(workers.map(fail_on_three, range(6)))
    assert isinstance(results.pop(3), ValueError)
    assert results == {0: 0, 1: 1, 2: 2, 4: 4, 5: 5}


def test_an_item_that_kills_its_worker_fails_alone() -> None:
    with Workers(2) as workers:
        results = dict(workers.map(die_on_two, range(8)))
    assert isinstance(results.pop(2), WorkerDied)
    assert results == {n: n for n in range(8) if n != 2}


def test_workers_see_the_callers_environment_and_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike
) -> None:
    monkeypatch.setenv("GK_POOL_PROBE", "值")
    monkeypatch.chdir(tmp_path)
    with Workers(2) as workers:
        seen = [r for _, r in workers.map(where, range(4))]
    assert {(probe, cwd) for _, _, probe, cwd in seen} == {("值", str(tmp_path))}
    assert all(pid != os.getpid() for pid, *_ in seen)


def test_one_job_runs_here_and_threads_run_in_this_process() -> None:
    with Workers(1) as workers:
        [(_, (pid, thread, _, _))] = list(workers.map(where, [0]))
    assert (pid, thread) == (os.getpid(), threading.current_thread().name)
    with Workers(2, processes=False) as workers:
        seen = [r for _, r in workers.map(where, range(4))]
    assert {pid for pid, *_ in seen} == {os.getpid()}
    assert all(thread.startswith("gkaudit") for _, thread, *_ in seen)
