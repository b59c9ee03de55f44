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
3. times ``gkaudit audit --all`` on the audited store, nothing changed (twice on this tree: the
   second run is the steady state), then after a rule change (the test rule pack of
   tests/fixtures/overlay as ``GKAUDIT_RULES_OVERLAY``: every report checked, none read again; for
   the base tree, whose ``--all`` reads and checks everything, that is the first ``--all``);
4. with ``--clone K``, copies the audited store and clones every agency, document, report and
   finding K times under other agency names, with the keys an audit stores (audit.reaudit; the
   clones' CY05 copies counted as compared), and times ``audit --all`` on it: a large unchanged
   store without auditing it first;
5. times ``gkaudit --help`` ``--runs`` times (wall clock, min / median / max) and prints the
   ``-X importtime`` total of the top-level help.

The wall time of every step is printed with reports per second (CPU time is not: the parse and
check workers are not children the command waits for). Prints figures only; asserts nothing. The
machine is shared and noisy: compare the two trees within one run, as ratios.
"""

from __future__ import annotations

import argparse
import json
import os
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


CLONE = """
import sys
from sqlmodel import select
from audit.reading import ParseJob
from audit.reaudit import StoreView, parse_key, parser_version
from audit.rulebook.check import catalogue_version
from audit.store import db, tables as m

times = int(sys.argv[1])
with db.session_scope() as s:
    run_id = max(s.exec(select(m.AuditRun.id)).all())
    agencies = list(s.exec(select(m.Agency)).all())
    docs = list(s.exec(select(m.Document)).all())
    reports = {r.document_id: r for r in s.exec(select(m.Report)).all()}
    findings = list(s.exec(select(m.Finding)).all())
    skip = {"id", "agency_id", "document_id", "name", "fingerprint"}
    for i in range(1, times + 1):
        for a in agencies:
            b = m.Agency(name=f"{a.name}（{i}）", level=a.level, region=a.region)
            s.add(b)
            s.flush()
            rids = {}
            for d in (d for d in docs if d.agency_id == a.id):
                e = m.Document(**{k: v for k, v in d.model_dump().items() if k not in skip}, agency_id=b.id)
                s.add(e)
                s.flush()
                r = reports.get(d.id)
                if r is not None:
                    copy = m.Report(**{k: v for k, v in r.model_dump().items() if k not in skip},
                                    agency_id=b.id, document_id=e.id)
                    s.add(copy)
                    s.flush()
                    rids[r.id] = copy.id
            for f in (f for f in findings if f.agency_id == a.id):
                values = {k: v for k, v in f.model_dump().items() if k not in skip}
                for key in ("first_report_id", "last_report_id", "fixed_report_id"):
                    values[key] = rids.get(values[key], values[key])
                s.add(m.Finding(**values, agency_id=b.id, fingerprint=m.fingerprint(b.name, f.year, f.rule, f.locator)))
with db.session_scope() as s:  # the keys an audit stores
    version, data = parser_version(), db.data_dir()
    agency = {a.id: a for a in s.exec(select(m.Agency)).all()}
    for d, r in s.exec(select(m.Document, m.Report).join(m.Report, m.Report.document_id == m.Document.id)).all():
        r.parse_key = parse_key(ParseJob.of(d, agency[d.agency_id], data), version)
    s.flush()
    view = StoreView.load(s, catalogue_version())
    newest = {}
    for r in s.exec(select(m.Report).where(m.Report.year != None)).all():  # noqa: E711
        newest[(r.agency_id, r.year)] = max(newest.get((r.agency_id, r.year), 0), r.document_id)
    for r in s.exec(select(m.Report).where(m.Report.year != None)).all():  # noqa: E711
        merges = newest[(r.agency_id, r.year)] == r.document_id
        r.check_key = view.check_key(view.version(r.id), merges)
        r.year_key = view.year_key(r.year)
        r.audited_run_id = run_id
print(len(docs) * (times + 1))
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


def python(code: str, env: dict[str, str], *args: str) -> str:
    """Run Python ``code`` with ``args`` in ``env`` from a neutral folder; return its output."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"失败：{done.stderr[-2000:]}")
    return done.stdout.strip()


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run ``cmd`` from a neutral folder; return (wall seconds, stdout)."""
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 2):
        raise RuntimeError(f"{' '.join(cmd)} 失败（{done.returncode}）：{done.stderr[-2000:]}")
    return wall, done.stdout


def audit(env: dict[str, str], *args: str) -> tuple[float, str, dict]:
    """Run ``gkaudit audit --json ARGS``; return (wall seconds, stdout, the summary)."""
    wall, out = timed([str(BIN / "gkaudit"), "audit", "--json", *args], env)
    return wall, out, json.loads(out.strip().splitlines()[-1])


def line(label: str, wall: float, n: int | None = None, extra: str = "") -> None:
    """Print one measurement (wall clock; ``n`` reports give the rate)."""
    rate = f"  {n / wall:8.1f} 份/秒" if n else ""
    print(f"  {label:<30} 墙钟 {wall:8.2f} 秒{rate}  {extra}")


def overlay_pack(work: Path) -> Path:
    """Return a copy of the test rule pack (a severity changed, a rule added): a rule change."""
    pack = work / "overlay"
    shutil.copytree(ROOT / "tests" / "fixtures" / "overlay", pack)
    reports = ROOT / "tests" / "fixtures" / "reports"
    for case in (pack / "cases").glob("*.yaml"):
        case.write_text(
            case.read_text(encoding="utf-8").replace("../../reports/", f"{reports}/"), encoding="utf-8"
        )
    return pack


def bench_clone(env: dict[str, str], audited: Path, work: Path, times: int) -> None:
    """Time ``audit --all`` on a copy of the audited store cloned ``times`` more times (unchanged)."""
    data = work / "clone"
    shutil.copytree(audited, data)
    env = {**env, "GKAUDIT_DATA": str(data)}
    start = time.perf_counter()
    n = int(python(CLONE, env, str(times)))
    print(f"  复制为 {n} 份（{time.perf_counter() - start:.1f} 秒，不计入；CY05 按已比对处理）")
    for attempt in (1, 2):
        wall, _, summary = audit(env, "--all")
        extra = f"重新审核 {summary['reports_audited']} 份，未变 {summary.get('unchanged', 0)} 份"
        line(f"audit --all，{n} 份未变（第 {attempt} 次）", wall, n, extra)


def bench_tree(
    name: str, tree: Path | None, sample: Path, work: Path, jobs: list[int], today: str, clone: int = 0
) -> None:
    """Measure the store audits of one code tree."""
    print(f"\n== {name}（{tree or ROOT}）")
    fresh = work / f"{name}-fresh"
    env = _env(tree, fresh, today)
    start = time.perf_counter()
    count = python(INGEST, env, str(sample))
    print(f"  入库 {count} 份（{time.perf_counter() - start:.1f} 秒，不计入）")
    has_jobs = "--jobs" in timed([str(BIN / "gkaudit"), "audit", "--help"], env)[1]
    audited: Path | None = None
    for j in jobs if has_jobs else [0]:
        data = work / f"{name}-j{j}"
        shutil.copytree(fresh, data)
        wall, _, summary = audit(_env(tree, data, today), *(["--jobs", str(j)] if j else []))
        label = f"首次审核（--jobs {j}）" if j else "首次审核（单进程）"
        line(label, wall, summary["reports_audited"], f"审核 {summary['reports_audited']} 份")
        audited = audited or data
    assert audited is not None
    env = _env(tree, audited, today)
    for attempt in (1, 2) if has_jobs else (1,):
        wall, _, summary = audit(env, "--all")
        extra = f"重新审核 {summary['reports_audited']} 份，未变 {summary.get('unchanged', 0)} 份"
        line(f"audit --all，未变（第 {attempt} 次）", wall, int(count), extra)
    if has_jobs and clone:
        bench_clone(env, audited, work, clone)
    if has_jobs:
        env["GKAUDIT_RULES_OVERLAY"] = str(overlay_pack(work))
        wall, _, summary = audit(env, "--all", "--jobs", str(max(jobs)))
        extra = f"重新审核 {summary['reports_audited']} 份，沿用解析 {summary.get('reused', 0)} 份"
        line(f"audit --all，规则变更（--jobs {max(jobs)}）", wall, int(count), extra)


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
    ap.add_argument(
        "--clone", type=int, default=0, help="把审核过的库再复制 K 份（换机关名），测大库的 --all"
    )
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
            bench_tree(name, tree, sample, work, jobs, today, args.clone if tree is None else 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
