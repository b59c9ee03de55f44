"""Benchmark command: CY05 (cross-agency copies) in a store of 1,000 / 4,000 / 10,000 reports of one year.

Usage::

    python scripts/bench_copies.py [--sizes 1000,4000,10000] [--new 20] [--compare REV]

For each size, in a fresh process with a fresh SQLite store (so that the peak memory is that of
the measurement): generated narratives of ``tests/test_similarity.py`` (a deliberately repetitive
vocabulary, the worst case for the candidate search) with one planted copy in a hundred are
written straight into the store; then it prints the CPU seconds of

- *whole year*: the first search of the year (what a new store or a changed CY05 threshold costs);
- *nightly*: ``--new`` new reports (two of them copies) added to the year, and the copy work of
  the audit's plan step: update the index, find the reports to check again, read the copies;

with the pairs found, the reports probed and checked again, and the peak RSS of the process.
With ``--compare REV`` the same runs on git revision REV (a temporary worktree) first, side by
side: a revision without the copy index (before issue H) searches the whole year both times, as
its ``audit.run.copies_for_year`` did. Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024


def _measure(n: int, new: int) -> dict:
    """Build a store of ``n`` reports, time the whole-year search and a night of ``new`` reports (child process)."""
    from copy_support import add_reports
    from sqlalchemy import update
    from test_similarity import corpus, make_narrative, plant_copy

    from audit import run
    from audit.facts.similarity import Narrative
    from audit.store import db as store
    from audit.store import tables as m

    try:
        from audit.store import copyindex
    except ImportError:  # a revision before the copy index
        copyindex = None  # type: ignore[assignment]
    store.upgrade()
    items = corpus(n, seed=11)
    for k in range(0, n - 1, 100):
        items[k + 1] = plant_copy(items[k], k + 1, items[k + 1].agency)
    with store.session_scope() as session:
        add_reports(session, items, YEAR)
    rng = random.Random(23)
    night = [plant_copy(items[n // 2], -1, "夜间抄袭甲局"), plant_copy(items[1], -2, "夜间抄袭乙局")]
    night += [
        Narrative(-3 - i, f"夜间新局{i}", f"n{i}.txt", make_narrative(rng, f"夜间新局{i}"))
        for i in range(new - 2)
    ]
    out: dict = {
        "size": n,
        "mode": "incremental" if copyindex else "whole year each time",
        "code": run.__file__,
    }

    def plan(run_id: int) -> tuple[int, int, int]:
        """The copy work of the plan step: (pairs, probes, reports checked again)."""
        with store.session_scope() as session:
            if copyindex is None:
                result = run.copies_for_year(session, YEAR)
                return sum(len(c) for c in result.copies.values()) // 2, -1, len(result.copies)
            done = copyindex.refresh_year(session, YEAR, run.copy_floor(run.default_catalog()), run_id)
            due = copyindex.due_rechecks(session, YEAR)
            copyindex.stored_copies(session, YEAR)
            return done.pairs, done.probes, len(due)

    with store.session_scope() as session:
        first = m.AuditRun()
        session.add(first)
        session.flush()
        first_id = first.id
    start = time.process_time()
    out["pairs"], _, _ = plan(first_id)
    out["whole_year_s"] = round(time.process_time() - start, 2)
    with store.session_scope() as session:  # the first run checked every report; the night brings new ones
        session.execute(update(m.Report).values(audited_run_id=first_id))
        add_reports(session, night, YEAR)
    start = time.process_time()
    out["pairs_after"], out["probes"], out["rechecked"] = plan(first_id + 1)
    out["nightly_s"] = round(time.process_time() - start, 2)
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def _child(root: Path, n: int, new: int) -> dict:
    """Run one measurement in a fresh process with the ``audit`` package of ``root``; return its figures."""
    with tempfile.TemporaryDirectory(prefix="bench-copies-") as tmp:
        env = {
            **os.environ,
            "GKAUDIT_DATA": tmp,
            "DATABASE_URL": f"sqlite:///{tmp}/gk.sqlite",
            "PYTHONPATH": os.pathsep.join([str(root), str(root / "tests"), str(ROOT / "tests")]),
        }
        code = f"import sys, json; sys.path[:0] = {[str(ROOT / 'scripts')]!r}; import bench_copies as b; print(json.dumps(b._measure({n}, {new})))"
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp)
    if done.returncode:
        return {"size": n, "error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line(label: str, r: dict) -> str:
    """Return one row of figures."""
    if "error" in r:
        return f"  {label:<8} {r['size']:>6} 份  运行失败：{r['error']}"
    return (
        f"  {label:<8} {r['size']:>6} 份  整年检索 {r['whole_year_s']:7.2f} 秒  新增 {r['new']} 份 {r['nightly_s']:7.2f} 秒  "
        f"探查 {r['probes']:>3}  重审 {r['rechecked']:>4}  雷同对 {r['pairs']}→{r['pairs_after']}  峰值 {r['peak_mb']} MB"
        f"（{r['mode']}）"
    )


def bench_copies(
    sizes: tuple[int, ...] = (1000, 4000, 10000), new: int = 20, compare: str | None = None
) -> dict[str, float]:
    """Print CY05 figures for stores of ``sizes`` reports (and for git revision ``compare`` beside them).

    Returns this tree's figures by name (seconds and MB: lower is better), for ``scripts/bench.py``.
    """
    figures: dict[str, float] = {}
    print(
        f"CY05 跨机关雷同：合成语料（词汇刻意重复），每百份植入1份抄袭；CPU 秒，Python {sys.version.split()[0]}"
    )
    worktree = None
    if compare:
        worktree = Path(tempfile.mkdtemp(prefix="bench-rev-"))
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), compare],
            check=True,
            capture_output=True,
        )
    try:
        for n in sizes:
            if worktree is not None:
                print(_line(compare[:8], {**_child(worktree, n, new), "new": new}), flush=True)  # type: ignore[index]
            mine = _child(ROOT, n, new)
            print(_line("当前", {**mine, "new": new}), flush=True)
            if "error" not in mine:
                figures[f"CY05 整年检索 {n} 份（秒）"] = mine["whole_year_s"]
                figures[f"CY05 {n} 份中新增 {new} 份（秒）"] = mine["nightly_s"]
                figures[f"CY05 {n} 份峰值内存（MB）"] = mine["peak_mb"]
    finally:
        if worktree is not None:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False
            )
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description="CY05 跨机关雷同检测基准")
    ap.add_argument("--sizes", default="1000,4000,10000", help="同一年度的报告份数，逗号分隔")
    ap.add_argument("--new", type=int, default=20, help="夜间新增报告份数（其中2份为抄袭）")
    ap.add_argument("--compare", metavar="REV", help="同时测量另一个 git 版本（并排）")
    args = ap.parse_args(argv)
    bench_copies(tuple(int(s) for s in args.sizes.split(",")), args.new, args.compare)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
