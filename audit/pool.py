"""Work in parallel with one writer: results of worker processes (or threads) in submission order.

The audit run (audit/run.py) parses and checks reports in parallel while only its own process
writes the store. :class:`Workers` runs a function over items on ``jobs`` workers and yields each
item's result in the order the items were given, so that the writer applies them exactly as a
serial run would (the same finding ids, the same events). With ``jobs == 1`` everything runs in
the calling process, as before there were workers.

* ``processes=True``: a ``ProcessPoolExecutor`` on the ``forkserver`` start method (the caller's
  threads — durable-rules, SQLAlchemy pools — are never forked). Every worker process gets the
  caller's environment and working directory, so it reads the same settings and the same
  database; durable-rules keeps one host per process, as it must.
* ``processes=False``: threads, for work that already runs in a process of its own (the bounded
  parse of :mod:`audit.bounded`) and only waits for it.

A function that raises gives its exception as the item's result; a worker process that dies
(a crash in a C extension) is replaced, the items it held are given again once, and an item that
kills a worker twice gets :class:`WorkerDied`. To use it: ``with Workers(jobs) as w: for item,
result in w.map(fn, items): ...`` (``fn`` a module-level function when ``processes``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any


class WorkerDied(RuntimeError):
    """A worker process died while working on an item (twice: the item itself is the cause)."""


def cpu_count() -> int:
    """Return the number of CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _start_worker(environ: dict[str, str], cwd: str) -> None:
    """Give a new worker process the caller's environment and working directory."""
    os.environ.clear()
    os.environ.update(environ)
    os.chdir(cwd)


def _run(fn: Callable[[Any], Any], item: Any) -> Any:
    """Return ``fn(item)``, or the exception it raised (the item's result either way)."""
    try:
        return fn(item)
    except Exception as exc:  # noqa: BLE001 - the caller decides what a failed item means
        return exc


class Workers:
    """``jobs`` workers whose results come back in submission order (see the module docstring)."""

    def __init__(self, jobs: int, *, processes: bool = True) -> None:
        self.jobs = max(1, jobs)
        self.processes = processes
        self.window = 4 * self.jobs  # items in flight: enough to keep every worker busy
        self._executor: Executor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (waiting for the items in flight)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _pool(self) -> Executor:
        """Return the executor, started on first use."""
        if self._executor is None:
            if self.processes:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.jobs,
                    mp_context=multiprocessing.get_context("forkserver"),
                    initializer=_start_worker,
                    initargs=(dict(os.environ), os.getcwd()),
                )
            else:
                self._executor = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="gkaudit")
        return self._executor

    def _restart(self) -> None:
        """Replace a pool whose worker died."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield ``(item, fn(item))`` in the order of ``items`` (an exception raised is the result)."""
        if self.jobs == 1:
            for item in items:
                yield item, _run(fn, item)
            return
        source = iter(items)
        flight: deque[tuple[Any, Future, int]] = deque()

        def submit(item: Any, tries: int = 0) -> None:
            flight.append((item, self._pool().submit(_run, fn, item), tries))

        for item in source:
            submit(item)
            if len(flight) >= self.window:
                break
        while flight:
            item, future, tries = flight.popleft()
            try:
                result = future.result()
            except BrokenProcessPool:
                held = [(i, t) for i, _, t in flight]
                flight.clear()
                self._restart()
                if tries == 0:  # maybe another item killed the worker: give them all again
                    submit(item, 1)
                    for i, t in held:
                        submit(i, t)
                    continue
                result = WorkerDied("审核进程异常终止（两次）")
                for i, t in held:
                    submit(i, t)
            following = next(source, _END)
            if following is not _END:
                submit(following)
            yield item, result


_END = object()
