"""Benchmark command: store audits of a generated sample, re-audits, workers, and start-up (not a test).

Usage::

    python scripts/bench_reaudit.py --count 2000 [--seed 7] [--jobs 1,2] [--base DIR] [--runs 10]

For each code tree (this checkout, and with ``--base DIR`` another checkout of the project, e.g.
``git worktree add --detach /tmp/base main``, run through ``PYTHONPATH`` with this venv) it:

1. generates ``--count`` reports with :mod:`audit.sample` once (text, HTML, PDF, DOCX; defects
   planted) and stores them in a fresh data directory (SQLite) through the archive, as ``ingest``
   does, untimed;
2. times the first ``gkaudit audit`` (parse + check of every report) with each ``--jobs`` value
   (a copy of the same fresh store for each; the base tree has no ``--jobs`` and runs once);
3. times ``gkaudit audit --all`` on the audited store, nothing changed (twice: the second run is
   the steady state);
4. times ``gkaudit --help`` ``--runs`` times (wall clock, min / median / max) and prints the
   ``-X importtime`` total of the top-level help.

Wall time and CPU time (user + system of the child processes, workers included) are printed for
every step, with reports per second. Prints figures only; asserts nothing. The machine is shared
and noisy: compare the two trees within one run, as ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
INGEST = """
import json, sys
from datetime import date
from pathlib import Path
from audit.store import archive, db
folder = Path(sys.argv[1])
docs = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["documents"]
db.upgrade()
for i in range(0, len(docs), 200):
    with db.session_scope() as session:
        for d in docs[i : i + 200]:
            archive.store_document(
                session, (folder / d["file"]).read_bytes(), agency=d["agency"], year=d["year"],
                level=d["level"], published_on=date.fromisoformat(d["published_on"]), url=d["url"],
                original_name=d["file"],
            )
print(len(docs))
"""


def _env(tree: Path | None, data: Path, today: str) -> dict[str, str]:
    """Return the environment of a gkaudit process of ``tree`` (None: this checkout) on ``data``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GKAUDIT_") and k != "DATABASE_URL"}
    env.update(GKAUDIT_DATA=str(data), GKAUDIT_TODAY=today)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    else:
        env.pop("PYTHONPATH", None)
    return env


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``cmd`` from a neutral folder; return (wall seconds, CPU seconds of children, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 2):
        raise RuntimeError(f"{' '.join(cmd)} 失败（{done.returncode}）：{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def audit(env: dict[str, str], *args: str) -> tuple[float, float, dict]:
    """Run ``gkaudit audit --json ARGS``; return (wall, CPU, the summary)."""
    wall, cpu, out = timed([str(BIN / "gkaudit"), "audit", "--json", *args], env)
    return wall, cpu, json.loads(out.strip().splitlines()[-1])


def line(label: str, wall: float, cpu: float, n: int | None = None, extra: str = "") -> None:
    """Print one measurement."""
    rate = f"  {n / wall:7.1f} 份/秒" if n else ""
    print(f"  {label:<34} 墙钟 {wall:8.2f} 秒  CPU {cpu:8.2f} 秒{rate}{extra}")


def bench_tree(name: str, tree: Path | None, sample: Path, work: Path, jobs: list[int], today: str) -> None:
    """Measure the store audits of one code tree."""
    print(f"\n== {name}（{tree or ROOT}）")
    fresh = work / f"{name}-fresh"
    env = _env(tree, fresh, today)
    start = time.perf_counter()
    count = subprocess.run(
        [sys.executable, "-c", INGEST, str(sample)],
        env=env,
        cwd=tempfile.gettempdir(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"  入库 {count} 份（{time.perf_counter() - start:.1f} 秒，不计入）")
    has_jobs = "--jobs" in timed([str(BIN / "gkaudit"), "audit", "--help"], env)[2]
    audited: Path | None = None
    for j in jobs if has_jobs else [0]:
        data = work / f"{name}-j{j}"
        shutil.copytree(fresh, data)
        wall, cpu, summary = audit(_env(tree, data, today), *(["--jobs", str(j)] if j else []))
        label = f"首次审核（--jobs {j}）" if j else "首次审核"
        line(label, wall, cpu, summary["reports_audited"], f"  审核 {summary['reports_audited']} 份")
        audited = audited or data
    assert audited is not None
    env = _env(tree, audited, today)
    for attempt in (1, 2):
        wall, cpu, summary = audit(env, "--all")
        extra = f"  重新审核 {summary['reports_audited']} 份"
        line(f"audit --all，未变（第 {attempt} 次）", wall, cpu, int(count), extra)


def bench_help(name: str, tree: Path | None, runs: int) -> None:
    """Print ``gkaudit --help`` wall times and the import time of the top-level help."""
    env = _env(tree, Path(tempfile.gettempdir()) / "gk-help-data", "2025-01-01")
    walls = sorted(timed([str(BIN / "gkaudit"), "--help"], env)[0] for _ in range(runs))
    probe = "import sys; sys.argv = ['gkaudit', '--help']; from audit.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", probe],
        env=env,
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
    )
    rows = [ln.removeprefix("import time:").split("|") for ln in done.stderr.splitlines()]
    rows = [r for r in rows if len(r) == 3 and r[0].strip().isdigit()]
    total = sum(int(r[0]) for r in rows)  # self times: the sum is the whole import time
    loaded = {r[2].strip() for r in rows}
    heavy = [
        m for m in ("sqlalchemy", "pydantic_settings", "scrapy", "durable", "audit.settings") if m in loaded
    ]
    print(
        f"  {name:<6} gkaudit --help  墙钟 最小 {walls[0]:.3f} / 中位 {statistics.median(walls):.3f} / "
        f"最大 {walls[-1]:.3f} 秒（{runs} 次）；导入合计 {total / 1e6:.3f} 秒；载入了：{'、'.join(heavy) or '无重模块'}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description="库审核、复审、并行与启动时间基准")
    ap.add_argument("--count", type=int, default=200, help="生成的报告份数（默认 200）")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", default="1,2", help="要比较的工作进程数，逗号分隔（默认 1,2）")
    ap.add_argument("--base", type=Path, help="对照的另一份代码（如旧版本的 git worktree）")
    ap.add_argument("--runs", type=int, default=10, help="gkaudit --help 的重复次数")
    ap.add_argument("--sample", type=Path, help="已生成的样本目录（省去生成）")
    ap.add_argument("--skip-audit", action="store_true", help="只测启动时间")
    args = ap.parse_args(argv)
    jobs = [int(j) for j in args.jobs.split(",") if j.strip()]
    trees: list[tuple[str, Path | None]] = [("base", args.base.resolve())] if args.base else []
    trees.append(("head", None))
    print(f"Python {sys.version.split()[0]}，{os.cpu_count()} 核，负载 {os.getloadavg()[0]:.2f}")
    print("\ngkaudit --help：")
    for name, tree in trees:
        bench_help(name, tree, args.runs)
    if args.skip_audit:
        return 0
    with tempfile.TemporaryDirectory(prefix="gk-bench-") as tmp:
        work = Path(tmp)
        sample = args.sample
        if sample is None:
            sample = work / "sample"
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "audit.sample",
                    str(sample),
                    "--count",
                    str(args.count),
                    "--seed",
                    str(args.seed),
                ],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
            print(f"\n生成样本 {args.count} 份（{time.perf_counter() - start:.1f} 秒）：{sample}")
        today = json.loads((sample / "manifest.json").read_text(encoding="utf-8"))["as_of"]
        for name, tree in trees:
            bench_tree(name, tree, sample, work, jobs, today)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
