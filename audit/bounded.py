"""Reading and parsing one untrusted document in a worker process bounded in time and memory.

:func:`parse_bounded` (and :func:`parse_path_bounded` for a file) reads and parses one document
in a fresh worker process under the limits of :mod:`audit.limits` and returns its
:class:`~audit.report.Report`, or raises:

* :class:`~audit.readers.base.LimitExceeded` (“文档超出处理限制（…）”, a subclass of
  ``UnreadableError``) when the document is over a limit: a reader's own check (sizes, pages,
  elements, table cells, …), the worker's address space (``max_memory`` beyond what the worker
  maps when it starts, set with ``resource.setrlimit(RLIMIT_AS)``), its wall-clock time (``max_seconds``: the worker is
  killed, and with it any converter it runs), or a worker that died without an answer;
* :class:`~audit.readers.base.UnreadableError` when the document cannot be read;
* the parser's own exception (a defect) otherwise, with the worker's traceback as a note.

Workers come from a ``forkserver`` whose server process imports the parser once (the readers,
pdfplumber, lxml, python-docx); each document gets a new process forked from that server, so
a worker starts in milliseconds, shares nothing with the last document, and the caller's
threads (durable-rules runs timer threads) are never forked. In-process parsing stays
available as :func:`audit.parse.parse_bytes` for tests and for callers already in a worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from audit import limits as limits_mod
from audit.limits import Limits
from audit.parse import parse_bytes
from audit.readers import LimitExceeded, UnreadableError, read_file_bytes
from audit.readers.convert import kill_running, remove_profile
from audit.report import Report

_CONTEXT = multiprocessing.get_context("forkserver")
# The server imports the parser once. (A worker still imports the caller's main module, as
# multiprocessing does for every start method but fork: it must be import-safe.)
_CONTEXT.set_forkserver_preload(["audit.parse", "audit.bounded"])
_GRACE_SECONDS = 2.0  # between asking a timed-out worker to stop and killing it


@dataclass
class Outcome:
    """What one bounded parse gave: the report or the error, and what the worker used."""

    report: Report | None
    error: BaseException | None
    seconds: float
    peak_rss: int | None  # bytes; None when it could not be measured

    def unwrap(self) -> Report:
        """Return the report, or raise the error."""
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report


def parse_bounded(
    data: bytes, name: str, content_type: str | None = None, limits: Limits | None = None
) -> Report:
    """Read and parse one document in a bounded worker process; return its report.

    Raises:
        LimitExceeded: the document is over a limit (see the module docstring).
        UnreadableError: the document cannot be read.
    """
    return run_bounded(data, name, content_type, limits).unwrap()


def parse_path_bounded(path: str | Path, limits: Limits | None = None) -> Report:
    """Read a regular file (:func:`audit.readers.read_file_bytes`) and parse it in a bounded worker."""
    active = limits or Limits.from_env()
    return parse_bounded(read_file_bytes(path, active), str(path), None, active)


def run_bounded(
    data: bytes, name: str, content_type: str | None = None, limits: Limits | None = None
) -> Outcome:
    """Parse one document in a fresh worker and return the :class:`Outcome` (never raises for it)."""
    active = limits or Limits.from_env()
    start = time.perf_counter()
    if len(data) > active.max_bytes:  # refused before a worker is started
        error = LimitExceeded(
            "max_bytes", f"文件大小 {limits_mod.size(len(data))}，上限 {limits_mod.size(active.max_bytes)}"
        )
        return Outcome(None, error, time.perf_counter() - start, None)
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    worker = _CONTEXT.Process(
        target=_work, args=(sender, data, name, content_type, active), name="gkaudit-parse", daemon=True
    )
    worker.start()
    sender.close()
    message: tuple[str, Any, int] | None = None
    timed_out = False
    exitcode: int | None = None
    try:
        timed_out = not receiver.poll(active.max_seconds)
        message = None if timed_out else _receive(receiver)
        peak = _peak_rss(worker.pid) if message is None else None
    finally:
        receiver.close()
        exitcode = _stop(worker, wait=message is not None)
    seconds = time.perf_counter() - start
    if message is None:
        return Outcome(None, _failure(timed_out, exitcode, active), seconds, peak)
    kind, payload, rss = message
    if kind == "report":
        return Outcome(payload, None, seconds, rss)
    return Outcome(None, payload, seconds, rss)


def _receive(receiver: Connection) -> tuple[str, Any, int] | None:
    """Return the worker's message, or None when it died without sending one."""
    try:
        message: tuple[str, Any, int] = receiver.recv()
    except (EOFError, OSError):
        return None
    return message


def _stop(worker: Any, wait: bool) -> int | None:
    """End the worker and return its exit code.

    After an answer the worker is let finish; otherwise it is asked to stop (SIGTERM: it kills
    the converters it runs, then exits) and killed if it does not.
    """
    if wait:
        worker.join(_GRACE_SECONDS)
    if worker.is_alive():
        worker.terminate()
        worker.join(_GRACE_SECONDS)
    if worker.is_alive():
        worker.kill()
        worker.join()
    exitcode: int | None = worker.exitcode
    with contextlib.suppress(ValueError):
        worker.close()
    return exitcode


def _failure(timed_out: bool, exitcode: int | None, active: Limits) -> LimitExceeded:
    """Return the error of a worker that gave no answer: timed out, or died."""
    if timed_out:
        return LimitExceeded("max_seconds", f"读取超过 {active.max_seconds:g} 秒仍未完成")
    how = (
        f"信号 {signal.Signals(-exitcode).name}"
        if exitcode is not None and exitcode < 0
        else f"退出码 {exitcode}"
    )
    return LimitExceeded(
        "crash", f"读取进程异常终止（{how}），可能超出内存上限 {limits_mod.size(active.max_memory)}"
    )


def _peak_rss(pid: int | None) -> int | None:
    """Return the peak resident memory of a live process (Linux ``VmHWM``), in bytes, or None."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def _vm_size() -> int:
    """Return this process's address-space size (Linux ``VmSize``) in bytes, or 0 when unknown."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _apply_rlimits(active: Limits) -> None:
    """Bound the worker: address space, CPU time (a backstop for an orphaned worker), no core dumps.

    The address space is what the worker already maps (the parser's libraries, shared with the
    forkserver) plus ``max_memory``: the limit is on what one document may take.
    """
    for which, value in (
        (resource.RLIMIT_AS, _vm_size() + active.max_memory),
        (resource.RLIMIT_CPU, int(active.max_seconds) + 10),
        (resource.RLIMIT_CORE, 0),
    ):
        _soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, (value, hard))


def _on_term(_signum: int, _frame: Any) -> None:
    """End a worker asked to stop: kill the converters it runs first (they are in their own groups)."""
    kill_running()
    remove_profile()
    os._exit(143)


def _work(sender: Connection, data: bytes, name: str, content_type: str | None, active: Limits) -> None:
    """The worker: read and parse under the limits, send ("report"|"error", payload, peak RSS)."""
    signal.signal(signal.SIGTERM, _on_term)
    _apply_rlimits(active)
    try:
        with limits_mod.use(active):
            message: tuple[str, Any, int] = ("report", parse_bytes(data, name, content_type), 0)
    except MemoryError:
        message = (
            "error",
            LimitExceeded("max_memory", f"读取所需内存超过 {limits_mod.size(active.max_memory)}"),
            0,
        )
    except UnreadableError as exc:
        message = ("error", exc, 0)
    except Exception as exc:  # noqa: BLE001 - a parser defect goes back to the parent, with its traceback
        exc.add_note("in the parse worker:\n" + traceback.format_exc())
        message = ("error", exc, 0)
    finally:
        remove_profile()
    del data
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    message = (message[0], message[1], peak)
    try:
        sender.send(message)
    except Exception as exc:  # noqa: BLE001 - an unpicklable error is sent as text
        sender.send(("error", RuntimeError(f"{type(message[1]).__name__}: {message[1]}（{exc}）"), peak))
    sender.close()
