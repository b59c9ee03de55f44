"""What every benchmark of ``scripts/bench.py`` shares: targets, figures, timed runs, the corpus cache.

A :class:`Target` is one version of the code under measurement: its source tree and the Python that
runs it. Benchmarks reach the code only through stable interfaces (the ``gkaudit`` command line in
a subprocess, or a child Python that imports ``audit.readers.read_bytes``,
``audit.parse.parse_document`` and ``audit.rulebook`` from the target's tree), so the same harness
measures an old revision and a new one. A benchmark returns :class:`Figure` values; the harness
prints them (and, with ``--compare``, their ratio). Nothing here asserts a speed.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: generated corpora and seeded stores (ignored by git); ``GKAUDIT_BENCH_CACHE`` puts them elsewhere
CACHE = Path(os.environ.get("GKAUDIT_BENCH_CACHE") or ROOT / "data" / "bench")
SAMPLE_DAY = "2026-06-30"  # the generated sample's as_of day: every deadline has passed
LAUNCH = "import sys; from audit.cli import main; sys.argv[0] = 'gkaudit'; sys.exit(main())"


def pad(text: str, width: int, right: bool = False) -> str:
    """Return ``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    fill = " " * max(0, width - used)
    return fill + text if right else text + fill


@dataclass
class Figure:
    """One measured figure: what, the value, its unit, and whether higher is better."""

    name: str
    value: float | None
    unit: str
    higher_is_better: bool = True
    note: str = ""

    def shown(self) -> str:
        """Return the value with its unit (``—`` when not measured)."""
        if self.value is None:
            return "—"
        v = self.value
        text = f"{v:.0f}" if abs(v) >= 1000 else f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"
        return f"{text} {self.unit}".strip()


@dataclass
class Target:
    """One version of the code: a label, its source tree, the Python that runs it, extra environment."""

    label: str
    src: Path
    python: str = sys.executable
    pythonpath: bool = True  # put ``src`` first on PYTHONPATH (a shared venv for several trees)
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="gkaudit-bench-")))

    def env(self, data: Path | None = None, **extra: str) -> dict[str, str]:
        """Return the environment of a child: the tree first on the path, a private data directory."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GKAUDIT_") and k != "DATABASE_URL"}
        if self.pythonpath:
            env["PYTHONPATH"] = os.pathsep.join([str(self.src), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env["GKAUDIT_DATA"] = str(data or self.tmp / "data")
        env["GKAUDIT_TODAY"] = SAMPLE_DAY
        env["PYTHONHASHSEED"] = "0"
        env.update(extra)
        return env

    def gkaudit(self, *args: str) -> list[str]:
        """Return the command line of ``gkaudit ARGS`` in this target."""
        return [self.python, "-c", LAUNCH, *args]

    def workdir(self, name: str) -> Path:
        """Return a fresh empty folder of this target's temporary area."""
        path = self.tmp / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path


@dataclass
class Timed:
    """A finished child process: exit code, output, wall and CPU seconds, peak memory (bytes)."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    cpu: float  # user + system seconds of the child and all its descendants (see run_timed)
    max_rss: int  # the largest single process (wait4's ru_maxrss: the child and its reaped children)
    tree_rss: int  # the largest sum over the child and its descendants, sampled every 0.1 s


def _descendants(pid: int) -> list[int]:
    """Return ``pid`` and every living descendant (Linux /proc; just ``pid`` elsewhere)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return [pid]
    parents: dict[int, list[int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def _rss(pid: int) -> int:
    """Return the resident memory of one process in bytes (0 when gone or unknown)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


SUBREAPER = [False]  # whether become_subreaper() succeeded (the benchmark command calls it)


def become_subreaper() -> bool:
    """Make this process adopt its orphaned descendants (Linux ``PR_SET_CHILD_SUBREAPER``).

    A worker pool or a forkserver may outlive the command that started it by a moment; adopted and
    reaped here, its CPU time (and its own reaped children's) is counted with the command's. Only
    the benchmark command calls this (never on import: a test process must stay as it is).
    """
    if sys.platform.startswith("linux"):
        try:
            SUBREAPER[0] = ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
        except (OSError, AttributeError):
            SUBREAPER[0] = False
    return SUBREAPER[0]


def _reap_adopted(wait: float) -> None:
    """Reap the adopted descendants that have exited, waiting up to ``wait`` seconds for the rest."""
    deadline = time.monotonic() + wait
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        if time.monotonic() > deadline:
            return
        time.sleep(0.02)


def _wait(proc: subprocess.Popen, timeout: float | None) -> tuple[int, object]:
    """Wait for ``proc`` (killed after ``timeout`` seconds); return its wait status and rusage."""
    deadline = time.monotonic() + timeout if timeout else None
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return status, usage
        if deadline and time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.02)


def run_timed(cmd: Sequence[str], env: dict[str, str], cwd: Path, timeout: float | None = None) -> Timed:
    """Run ``cmd``; return its exit code, output, wall and CPU time and peak memory (single and tree).

    CPU time is the growth of this process's ``RUSAGE_CHILDREN``: the command, its reaped children
    and (this process being a subreaper) the descendants it left behind, reaped here.
    """
    if SUBREAPER[0]:
        _reap_adopted(0)  # leftovers of earlier commands are not this command's
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out_f, err_f = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=env, cwd=cwd, stdout=out_f, stderr=err_f)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], sum(_rss(p) for p in _descendants(proc.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    status, usage = _wait(proc, timeout)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if SUBREAPER[0]:
        _reap_adopted(10)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc.returncode = os.waitstatus_to_exitcode(status)  # type: ignore[arg-type]
    out_f.seek(0)
    err_f.seek(0)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    maxrss = usage.ru_maxrss * scale  # type: ignore[attr-defined]
    return Timed(
        code=proc.returncode,
        stdout=out_f.read().decode("utf-8", "replace"),
        stderr=err_f.read().decode("utf-8", "replace"),
        seconds=seconds,
        cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        max_rss=maxrss,
        tree_rss=max(peak[0], maxrss),
    )


def run_gk(target: Target, *args: str, data: Path, cwd: Path | None = None, **env: str) -> Timed:
    """Run ``gkaudit ARGS`` of ``target`` on the data directory ``data``; return the timed result."""
    return run_timed(target.gkaudit(*args), target.env(data, **env), cwd or data.parent)


class BenchError(Exception):
    """A benchmark could not run on a target (the message says why, in Chinese)."""


def must(result: Timed, what: str, ok: tuple[int, ...] = (0,)) -> Timed:
    """Return ``result`` when its exit code is acceptable; else raise :class:`BenchError`."""
    if result.code not in ok:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise BenchError(f"{what}失败（退出码 {result.code}）：{' / '.join(tail)}")
    return result


def child_json(
    target: Target, code: str, *args: str, timeout: float | None = None, data: Path | None = None
) -> object:
    """Run Python ``code`` in the target (its tree first on ``sys.path``); return its last line as JSON.

    ``data`` is the child's data directory (``GKAUDIT_DATA``); lines printed before the last are
    shown indented.
    """
    prelude = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/scripts', sys.argv[1] + '/tests']; "
        "del sys.argv[1]\n"
    )
    cwd = target.workdir("child")
    result = must(
        run_timed(
            [target.python, "-c", prelude + code, str(target.src), *args], target.env(data), cwd, timeout
        ),
        "子进程",
    )
    lines = [line for line in result.stdout.strip().splitlines() if line.strip()]
    if not lines:
        raise BenchError("子进程没有输出结果")
    for line in lines[:-1]:
        print(f"    {line}")
    return json.loads(lines[-1])


def min_median(values: Sequence[float]) -> tuple[float, float]:
    """Return (minimum, median) of ``values``."""
    return min(values), statistics.median(values)


def sample_corpus(count: int, seed: int = 0) -> Path:
    """Return a folder of ``count`` generated reports with their manifest (cached by count and seed).

    The reports come from this tree's ``audit.sample`` (text, HTML in two portal styles, DOCX and
    PDF, defects planted); the same files serve every target, so a comparison reads equal bytes.
    """
    folder = CACHE / f"corpus-{count}-seed{seed}"
    manifest = folder / "manifest.json"
    if manifest.is_file():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    started = time.perf_counter()
    print(f"  生成 {count} 份样本报告（只生成一次，缓存于 {folder}）…", flush=True)
    subprocess.run(
        [sys.executable, "-m", "audit.sample", str(partial), "--count", str(count), "--seed", str(seed)],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    partial.rename(folder)
    print(f"  生成用时 {time.perf_counter() - started:.0f} 秒", flush=True)
    return folder


def manifest_documents(corpus: Path) -> list[dict]:
    """Return the documents of a generated corpus's manifest."""
    return json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))["documents"]
