"""Benchmark suite (prints figures, asserts nothing): ``python scripts/bench.py [options]``.

Benchmarks (``--only NAME[,NAME]``; all by default, in this order):

==========  ================================================================  ==================
name        what                                                              module
==========  ================================================================  ==================
throughput  ``gkaudit audit`` of ``--docs N`` generated reports: reports/s     bench_audit
            with one worker and with all cores, peak memory
stages      read, parse, facts, engine, store: ms per report and shares        bench_stages
reaudit     ``gkaudit audit --all`` unchanged, and after a rule change         bench_audit
copies      CY05 (``scripts/bench_copies.py`` when the revision has it)        bench_components
startup     ``gkaudit --help`` and ``gkaudit check FILE``: min/median          bench_audit
crawl       a farm of ``--sites N`` sites on 127.0.0.1, two nights             bench_crawl
readers     ``scripts/bench_readers.py``: PDF pages/s, DOCX documents/s        bench_components
==========  ================================================================  ==================

``--compare REV_A REV_B`` checks out both git revisions (``.`` = this working tree) into
temporary worktrees and runs every selected benchmark on A, then B, then A, then B … (``--rounds``
times each), printing the median of each figure for both and the ratio B/A: the machine is shared
and noisy, so ratios measured side by side mean more than figures measured apart. ``--quick`` uses
small sizes for a smoke run. The methods and the figures of main are in docs/performance.md.

Examples::

    python scripts/bench.py --quick
    python scripts/bench.py --only throughput,reaudit --docs 2000
    python scripts/bench.py --rev main --only stages
    python scripts/bench.py --compare main . --only startup,stages --rounds 3
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

from bench_audit import bench_reaudit, bench_startup, bench_throughput  # noqa: E402
from bench_compare import prepare, remove  # noqa: E402
from bench_components import bench_copies, bench_readers  # noqa: E402
from bench_crawl import bench_crawl  # noqa: E402
from bench_stages import bench_stages  # noqa: E402
from bench_support import ROOT, BenchError, Figure, Target, become_subreaper, pad  # noqa: E402

Bench = Callable[[Target, argparse.Namespace, dict], list[Figure]]
BENCHES: dict[str, tuple[str, Bench]] = {
    "throughput": ("审核吞吐量与峰值内存", bench_throughput),
    "stages": ("各阶段用时占比", bench_stages),
    "reaudit": ("规则变更后的复审", bench_reaudit),
    "copies": ("雷同检测（CY05）", bench_copies),
    "startup": ("启动时间", bench_startup),
    "crawl": ("抓取（本机网站群，两夜）", bench_crawl),
    "readers": ("PDF/DOCX 读取", bench_readers),
}
QUICK = {"docs": 30, "stage_docs": 20, "sites": 5, "copy_sizes": [100], "repeats": 3}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Return the options (``--quick`` fills the sizes not given)."""
    ap = argparse.ArgumentParser(
        description="gkaudit 基准测试：打印数字，不做断言（方法见 docs/performance.md）"
    )
    ap.add_argument("--only", help=f"只运行这些基准（逗号分隔）：{','.join(BENCHES)}")
    ap.add_argument("--quick", action="store_true", help="小规模冒烟运行")
    ap.add_argument("--docs", type=int, help="审核吞吐量与复审的报告份数（默认 10000）")
    ap.add_argument("--stage-docs", type=int, help="阶段占比的样本份数（默认 200）")
    ap.add_argument("--sites", type=int, help="抓取基准的网站个数（默认 1000）")
    ap.add_argument("--copy-sizes", help="CY05 的规模，逗号分隔（默认 1000,4000,10000）")
    ap.add_argument("--repeats", type=int, help="启动时间的重复次数（默认 5）")
    ap.add_argument("--rev", default=".", help="只测这一个 git 版本（默认 . 即工作区）")
    ap.add_argument(
        "--compare", nargs=2, metavar=("REV_A", "REV_B"), help="并排比较两个 git 版本（. 为工作区）"
    )
    ap.add_argument("--rounds", type=int, help="每个版本运行几轮（交替；默认比较时 2，否则 1）")
    args = ap.parse_args(argv)
    defaults = {
        "docs": 10_000,
        "stage_docs": 200,
        "sites": 1000,
        "copy_sizes": [1000, 4000, 10_000],
        "repeats": 5,
    }
    if isinstance(args.copy_sizes, str):
        args.copy_sizes = [int(x) for x in args.copy_sizes.split(",") if x.strip()]
    for key, value in (QUICK if args.quick else defaults).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.rounds = args.rounds or (2 if args.compare else 1)
    names = [n.strip() for n in (args.only or ",".join(BENCHES)).split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        ap.error(f"未知的基准：{','.join(unknown)}（可选：{','.join(BENCHES)}）")
    args.names = [n for n in BENCHES if n in names]
    return args


def machine() -> str:
    """Return one line describing the machine (processor, cores, memory, load)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
        memory = f"内存 {mem:.0f} GiB，"
    except OSError:
        memory = ""
    load = "、".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cpu}，{os.cpu_count()} 核，{memory}Python {platform.python_version()}，负载 {load}"


def run_one(name: str, target: Target, args: argparse.Namespace, state: dict) -> list[Figure] | None:
    """Run one benchmark on one target; print its figures (None when it failed)."""
    title, bench = BENCHES[name]
    print(f"\n[{name}] {title} — {target.label}（负载 {os.getloadavg()[0]:.1f}）", flush=True)
    started = time.perf_counter()
    try:
        figures = bench(target, args, state)
    except BenchError as exc:
        print(f"  失败：{exc}")
        return None
    except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
        print(f"  失败：{type(exc).__name__}: {exc}")
        traceback.print_exc(limit=3)
        return None
    for f in figures:
        print(f"  {pad(f.name, 40)} {pad(f.shown(), 14, True)}  {f.note}")
    print(f"  （用时 {time.perf_counter() - started:.0f} 秒）", flush=True)
    return figures


def ratio_table(name: str, labels: list[str], results: list[list[list[Figure]]]) -> None:
    """Print the median of each figure per target (over the rounds) and the ratio B/A."""
    print(f"\n[{name}] {BENCHES[name][0]}：中位数（{len(results[0])} 轮），B/A")
    print(
        f"  {pad('指标', 40)} {pad('A ' + labels[0], 22, True)} {pad('B ' + labels[1], 22, True)} {'B/A':>7}"
    )
    names = [f.name for rounds in results for figs in rounds for f in figs]
    for fig_name in dict.fromkeys(names):
        shown, values = [], []
        for rounds in results:
            found = [f for figs in rounds for f in figs if f.name == fig_name and f.value is not None]
            value = statistics.median(f.value for f in found) if found else None  # type: ignore[misc]
            values.append(value)
            shown.append(Figure(fig_name, value, found[0].unit if found else "").shown())
        ratio = f"{values[1] / values[0]:.2f}" if values[0] and values[1] is not None else "—"
        better = next(
            (f.higher_is_better for rounds in results for figs in rounds for f in figs if f.name == fig_name),
            True,
        )
        sense = "越大越好" if better else "越小越好"
        print(
            f"  {pad(fig_name, 40)} {pad(shown[0], 22, True)} {pad(shown[1], 22, True)} {ratio:>7}  {sense}"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks on this tree, or on two revisions side by side."""
    args = parse_args(argv)
    become_subreaper()  # CPU time of worker processes that outlive their command by a moment
    print(f"机器：{machine()}")
    print(
        f"基准：{', '.join(args.names)}；报告 {args.docs} 份，阶段样本 {args.stage_docs} 份，网站 {args.sites} 个"
    )
    worktrees: list[Path] = []
    targets: list[Target] = []
    try:
        revs = args.compare or [args.rev]
        targets = [prepare(rev, worktrees) for rev in revs]
        results: dict[str, list[list[list[Figure]]]] = {n: [[] for _ in targets] for n in args.names}
        states: list[dict] = [{} for _ in targets]
        for round_no in range(args.rounds):
            if args.rounds > 1:
                print(f"\n===== 第 {round_no + 1} 轮 =====")
            for name in args.names:
                for i, target in enumerate(targets):
                    figures = run_one(name, target, args, states[i])
                    results[name][i].append(figures or [])
        if args.compare:
            print("\n===== 比较：A = " + targets[0].label + "，B = " + targets[1].label + " =====")
            for name in args.names:
                ratio_table(name, [t.label for t in targets], results[name])
    except BenchError as exc:
        print(f"错误：{exc}")
        return 2
    finally:
        remove(worktrees)
        for target in targets:
            shutil.rmtree(target.tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())
